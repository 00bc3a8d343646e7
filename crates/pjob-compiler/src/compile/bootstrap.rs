//! The bootstrap script (`runproc.sh`) a `FrameworkProcessor` job starts
//! with, in pjob's own wording. It does what the SDK's does: unpack
//! `sourcedir.tar.gz`, install `requirements.txt` when the code has one (after
//! logging pip into CodeArtifact when a repository is set), then run
//! `command code "$@"`.

/// Where the `code` input puts `sourcedir.tar.gz`.
pub(crate) const CODE_DIR: &str = "/opt/ml/processing/input/code/";

/// A CodeArtifact repository, from its ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CodeArtifactRepo {
    /// The repository's region.
    pub region: String,
    /// The domain owner's account.
    pub account: String,
    /// The domain.
    pub domain: String,
    /// The repository.
    pub repository: String,
}

impl CodeArtifactRepo {
    /// Parses `arn:PARTITION:codeartifact:REGION:ACCOUNT:repository/DOMAIN/REPOSITORY`
    /// as the SDK's pattern reads it; `None` when it does not match.
    pub fn parse(arn: &str) -> Option<CodeArtifactRepo> {
        let rest = arn.strip_prefix("arn:")?;
        let (partition, rest) = rest.split_once(':')?;
        let rest = rest.strip_prefix("codeartifact:")?;
        let (region, rest) = rest.split_once(':')?;
        let (account, rest) = rest.split_once(':')?;
        let rest = rest.strip_prefix("repository/")?;
        let (domain, repository) = rest.split_once('/')?;
        let repository = repository.lines().next().unwrap_or_default();
        if [partition, region, account, domain, repository].iter().any(|p| p.is_empty()) {
            return None;
        }
        Some(CodeArtifactRepo {
            region: region.to_string(),
            account: account.to_string(),
            domain: domain.to_string(),
            repository: repository.to_string(),
        })
    }

    /// The `aws codeartifact login` command that points pip at the repository.
    fn login_command(&self) -> String {
        [
            "aws",
            "codeartifact",
            "login",
            "--tool",
            "pip",
            "--domain",
            &self.domain,
            "--domain-owner",
            &self.account,
            "--repository",
            &self.repository,
            "--region",
            &self.region,
        ]
        .iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ")
    }
}

/// The script's text: `command` runs `script` (relative to the unpacked code).
pub(crate) fn runproc(command: &[String], script: &str, codeartifact: Option<&CodeArtifactRepo>) -> String {
    let mut s = String::new();
    s.push_str("#!/bin/bash\n");
    s.push_str("# Written by pjob for a FrameworkProcessor job: unpacks the code, installs\n");
    s.push_str("# its requirements.txt when it has one, and runs the entry script.\n");
    s.push_str("set -e\n\n");
    s.push_str(&format!("cd {CODE_DIR}\n"));
    s.push_str("tar -xzf sourcedir.tar.gz\n\n");
    s.push_str("if [[ -f requirements.txt ]]; then\n");
    if let Some(repo) = codeartifact {
        s.push_str("    # Let pip install from the CodeArtifact repository.\n");
        s.push_str("    if command -v aws >/dev/null 2>&1; then\n");
        s.push_str(&format!("        {}\n", repo.login_command()));
        s.push_str("    else\n");
        s.push_str("        echo 'pjob: the AWS CLI is not in this image; skipping the CodeArtifact login' >&2\n");
        s.push_str("    fi\n");
    }
    s.push_str("    # Some images ship the old `typing` backport, which breaks pip.\n");
    s.push_str("    python -m pip uninstall --yes --quiet typing >/dev/null 2>&1 || true\n");
    s.push_str("    python -m pip install -r requirements.txt\n");
    s.push_str("fi\n\n");
    let words: Vec<String> = command.iter().map(|w| shell_quote(w)).chain([shell_quote(script)]).collect();
    s.push_str(&format!("exec {} \"$@\"\n", words.join(" ")));
    s
}

/// A word for bash: as it is when it is plain, otherwise single-quoted.
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "_-./=:,+@%^".contains(c));
    if plain { word.to_string() } else { format!("'{}'", word.replace('\'', r"'\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> CodeArtifactRepo {
        CodeArtifactRepo::parse("arn:aws:codeartifact:us-west-2:123456789012:repository/my-domain/my-repo").unwrap()
    }

    #[test]
    fn bootstrap_without_codeartifact_unpacks_installs_and_runs() {
        let text = runproc(&["python3".into(), "-u".into()], "prep.py", None);
        let tar = text.find("tar -xzf sourcedir.tar.gz").expect("unpacks the archive");
        let install = text.find("python -m pip install -r requirements.txt").expect("installs requirements");
        let run = text.find("exec python3 -u prep.py \"$@\"").expect("runs the script with the job's arguments");
        assert!(tar < install && install < run, "{text}");
        assert!(text.contains("if [[ -f requirements.txt ]]"), "installs only when the file exists");
        assert!(!text.contains("codeartifact"), "{text}");
        assert!(text.starts_with("#!/bin/bash\n"));
    }

    #[test]
    fn bootstrap_with_codeartifact_logs_in_before_installing() {
        let text = runproc(&["python".into()], "job.py", Some(&repo()));
        let login = text
            .find(
                "aws codeartifact login --tool pip --domain my-domain --domain-owner 123456789012 --repository my-repo --region us-west-2",
            )
            .expect("logs pip into the repository");
        let guard = text.find("if [[ -f requirements.txt ]]").unwrap();
        let install = text.find("python -m pip install -r requirements.txt").unwrap();
        assert!(guard < login && login < install, "{text}");
        assert!(text.contains("exec python job.py \"$@\""));
    }

    #[test]
    fn odd_words_are_quoted() {
        let text = runproc(&["python".into(), "-c".into(), "import x; x.run()".into()], "my script.py", None);
        assert!(text.contains("exec python -c 'import x; x.run()' 'my script.py' \"$@\""), "{text}");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn codeartifact_arns_parse_as_the_sdk_reads_them() {
        assert_eq!(repo().domain, "my-domain");
        assert_eq!(repo().repository, "my-repo");
        let nested = CodeArtifactRepo::parse("arn:aws-cn:codeartifact:cn-north-1:1:repository/d/r/x").unwrap();
        assert_eq!((nested.region.as_str(), nested.repository.as_str()), ("cn-north-1", "r/x"));
        for bad in [
            "arn:aws:codeartifact:us-west-2:123456789012:domain/my-domain",
            "arn:aws:codeartifact:us-west-2:123456789012:repository/my-domain",
            "arn:aws:s3:us-west-2:123456789012:repository/d/r",
            "codeartifact:us-west-2:123456789012:repository/d/r",
        ] {
            assert_eq!(CodeArtifactRepo::parse(bad), None, "{bad}");
        }
    }
}
