//! `git_config` as the SDK's `git_utils` reads it: which repository URLs it
//! clones, and which credentials it gives `git` for one.
//!
//! The SDK clones `https://`, `ssh://` and `git@` URLs (after
//! `_sanitize_git_url`); pjob also clones a local path or a `file://` URL,
//! which need no network and no credentials.

use crate::GitConfig;

/// Why the SDK would refuse a `git_config.repo` before cloning it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepoUrlProblem {
    /// A scheme the SDK does not clone (`http://`, `git://`, `host:path`, ...).
    #[error("the SDK clones only https://, ssh:// and git@ URLs{}", scheme_note(.scheme))]
    UnsupportedScheme {
        /// The scheme as written (`http`), or `None` for `host:path`.
        scheme: Option<String>,
    },
    /// More `@` than the form allows (`git@` exactly one, others at most one).
    #[error("{form} URL has more than one `@`")]
    TooManyAts {
        /// `git@`, `ssh://` or `https://`.
        form: &'static str,
    },
    /// A character no URL holds (`<`, `>`, `[`, `]`, `{`, `}`, `\`, `^`, `` ` ``, `|`).
    #[error("the URL holds `{0}`, which no repository URL has")]
    InvalidCharacter(char),
    /// An encoded `%` or `@` in the host name, a way to hide the real host.
    #[error("the host name holds the encoded character `{0}`")]
    EncodedHost(&'static str),
    /// A host name with something else than letters, digits, `.` and `-`.
    #[error("the host name `{0}` has characters other than letters, digits, `.` and `-`")]
    InvalidHost(String),
}

fn scheme_note(scheme: &Option<String>) -> String {
    match scheme {
        Some(s) => format!(" (and local paths), not {s}://"),
        None => " (and local paths), not host:path".to_string(),
    }
}

/// How pjob reaches a repository, from its URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoKind {
    /// `https://`; `codecommit` for `https://git-codecommit...`.
    Https {
        /// An AWS CodeCommit repository (no token, no 2FA).
        codecommit: bool,
    },
    /// `ssh://` or `git@`: keys, never the credentials of `git_config`.
    Ssh,
    /// A local path or `file://` URL (pjob only).
    Local,
}

/// What the SDK checks of a repository URL before cloning, with pjob's local
/// repositories allowed: the kind of repository, or why it is refused.
pub fn check_repo_url(repo: &str) -> Result<RepoKind, RepoUrlProblem> {
    let ats = repo.matches('@').count();
    if repo.starts_with("git@") {
        return if ats == 1 { Ok(RepoKind::Ssh) } else { Err(RepoUrlProblem::TooManyAts { form: "a git@" }) };
    }
    if let Some((scheme, rest)) = repo.split_once("://") {
        return match scheme {
            "ssh" if ats > 1 => Err(RepoUrlProblem::TooManyAts { form: "an ssh://" }),
            "ssh" => Ok(RepoKind::Ssh),
            "https" => check_https(repo, rest).map(|()| RepoKind::Https { codecommit: rest.starts_with("git-codecommit") }),
            "file" => Ok(RepoKind::Local),
            other => Err(RepoUrlProblem::UnsupportedScheme { scheme: Some(other.to_string()) }),
        };
    }
    // git reads `host:path` (a `:` before any `/`) as an scp-like ssh address.
    match repo.find(':') {
        Some(colon) if !repo[..colon].contains('/') => Err(RepoUrlProblem::UnsupportedScheme { scheme: None }),
        _ => Ok(RepoKind::Local),
    }
}

/// `_sanitize_git_url` for `https://`: one `@` at most, no character a URL
/// never holds, and a plain host name (as Python's `urlparse` finds it).
fn check_https(repo: &str, rest: &str) -> Result<(), RepoUrlProblem> {
    if repo.matches('@').count() > 1 {
        return Err(RepoUrlProblem::TooManyAts { form: "an https://" });
    }
    if let Some(c) = repo.chars().find(|c| "<>[]{}\\^`|".contains(*c)) {
        return Err(RepoUrlProblem::InvalidCharacter(c));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host_port.split_once(':').map_or(host_port, |(h, _)| h).to_ascii_lowercase();
    if host.is_empty() {
        return Ok(());
    }
    if let Some(encoded) = ["%25", "%40"].into_iter().find(|p| host.contains(p)) {
        return Err(RepoUrlProblem::EncodedHost(encoded));
    }
    if !host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') {
        return Err(RepoUrlProblem::InvalidHost(host));
    }
    Ok(())
}

/// The user name and password `git` is given for an `https://` repository.
#[derive(Clone, PartialEq, Eq)]
pub struct GitCredentials {
    /// The user name (the token, when a token is used).
    pub username: String,
    /// The password (empty with a token).
    pub password: String,
}

impl std::fmt::Debug for GitCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitCredentials").field("username", &self.username).field("password", &"***").finish()
    }
}

impl GitConfig {
    /// The credentials the SDK's `git_utils` puts into the clone URL, or
    /// `None` when it clones without any: `ssh://`, `git@` and local
    /// repositories ignore them; with `2FA_enabled: true` only `token`
    /// counts; otherwise `token` wins over `username` + `password` (both
    /// needed); CodeCommit takes no token, only `username` + `password`.
    /// A token goes in as the user name with no password, as in the SDK's
    /// `https://<token>@host/...`.
    pub fn credentials(&self) -> Option<GitCredentials> {
        let Ok(RepoKind::Https { codecommit }) = check_repo_url(&self.repo) else { return None };
        let token = self.token.as_ref().filter(|_| !codecommit);
        if let Some(token) = token {
            return Some(GitCredentials { username: token.clone(), password: String::new() });
        }
        if self.two_factor_enabled == Some(true) && !codecommit {
            return None;
        }
        match (&self.username, &self.password) {
            (Some(username), Some(password)) => Some(GitCredentials { username: username.clone(), password: password.clone() }),
            _ => None,
        }
    }

    /// The values no message may show: `password`, `token`, and the
    /// credentials written into an `https://user:password@` repository URL.
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets: Vec<String> = [&self.password, &self.token].into_iter().flatten().cloned().collect();
        if let Some(userinfo) = url_userinfo(&self.repo) {
            secrets.push(userinfo.to_string());
            secrets.extend(userinfo.split_once(':').map(|(_, password)| password.to_string()));
        }
        secrets.retain(|s| !s.is_empty());
        // Longest first, so that a secret holding another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets
    }

    /// `text` with every secret of this configuration shown as `***`.
    pub fn mask(&self, text: &str) -> String {
        self.secrets().iter().fold(text.to_string(), |text, secret| text.replace(secret.as_str(), "***"))
    }
}

/// The `user:password` part of an `https://user:password@host/...` URL.
fn url_userinfo(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    authority.rsplit_once('@').map(|(userinfo, _)| userinfo)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(repo: &str) -> GitConfig {
        GitConfig { repo: repo.into(), branch: None, commit: None, username: None, password: None, token: None, two_factor_enabled: None }
    }

    #[test]
    fn urls_are_checked_as_the_sdk_sanitizes_them() {
        assert_eq!(check_repo_url("https://github.com/o/r.git"), Ok(RepoKind::Https { codecommit: false }));
        assert_eq!(check_repo_url("https://git-codecommit.us-west-2.amazonaws.com/v1/repos/r"), Ok(RepoKind::Https { codecommit: true }));
        assert_eq!(check_repo_url("git@github.com:o/r.git"), Ok(RepoKind::Ssh));
        assert_eq!(check_repo_url("ssh://git@host/r.git"), Ok(RepoKind::Ssh));
        assert_eq!(check_repo_url("../repo.git"), Ok(RepoKind::Local));
        assert_eq!(check_repo_url("file:///srv/repo.git"), Ok(RepoKind::Local));
        assert_eq!(check_repo_url("http://h/r.git"), Err(RepoUrlProblem::UnsupportedScheme { scheme: Some("http".into()) }));
        assert_eq!(check_repo_url("host:r.git"), Err(RepoUrlProblem::UnsupportedScheme { scheme: None }));
        assert_eq!(check_repo_url("git@a@h:r.git"), Err(RepoUrlProblem::TooManyAts { form: "a git@" }));
        assert_eq!(check_repo_url("https://a@b@h/r"), Err(RepoUrlProblem::TooManyAts { form: "an https://" }));
        assert_eq!(check_repo_url("https://h/r|x"), Err(RepoUrlProblem::InvalidCharacter('|')));
        assert_eq!(check_repo_url("https://EX%40ample.com/r"), Err(RepoUrlProblem::EncodedHost("%40")));
        assert_eq!(check_repo_url("https://ex_ample.com/r"), Err(RepoUrlProblem::InvalidHost("ex_ample.com".into())));
        assert_eq!(check_repo_url("https://u:p@Host.com:8443/r"), Ok(RepoKind::Https { codecommit: false }));
    }

    #[test]
    fn credentials_follow_the_sdk() {
        let creds = |username: &str, password: &str| Some(GitCredentials { username: username.into(), password: password.into() });
        let mut c = config("https://github.com/o/r.git");
        c.username = Some("u".into());
        assert_eq!(c.credentials(), None, "a user name alone is ignored");
        c.password = Some("p w".into());
        assert_eq!(c.credentials(), creds("u", "p w"));
        c.token = Some("tok".into());
        assert_eq!(c.credentials(), creds("tok", ""), "the token wins");
        c.two_factor_enabled = Some(true);
        assert_eq!(c.credentials(), creds("tok", ""));
        c.token = None;
        assert_eq!(c.credentials(), None, "with 2FA, only a token counts");

        let mut cc = config("https://git-codecommit.us-east-1.amazonaws.com/v1/repos/r");
        cc.token = Some("tok".into());
        cc.two_factor_enabled = Some(true);
        assert_eq!(cc.credentials(), None, "CodeCommit takes no token");
        cc.username = Some("u".into());
        cc.password = Some("p".into());
        assert_eq!(cc.credentials(), creds("u", "p"), "nor 2FA");

        let mut ssh = config("git@github.com:o/r.git");
        ssh.token = Some("tok".into());
        assert_eq!(ssh.credentials(), None);
    }

    #[test]
    fn secrets_are_masked() {
        let mut c = config("https://bob:hunter2@host/r.git");
        c.token = Some("ghp_abc".into());
        let masked = c.mask("cannot clone https://bob:hunter2@host/r.git with ghp_abc");
        assert_eq!(masked, "cannot clone https://***@host/r.git with ***");
        assert!(!format!("{:?}", c).contains("ghp_abc"));
    }
}
