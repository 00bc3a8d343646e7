//! "Did you mean" hints.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn finds_typos() {
        assert_eq!(closest("instance_typ", ["instance_type", "instance_count"]), Some("instance_type"));
        assert_eq!(closest("endofjob", ["EndOfJob", "Continuous"]), Some("EndOfJob"));
        assert_eq!(closest("zzz", ["instance_type"]), None);
    }
}
