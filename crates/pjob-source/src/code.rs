//! The stable codes that name each kind of diagnostic.
//!
//! CI scripts read them from `pjob validate -o json` (`"code":
//! "pjob::missing-field"`), so they are an interface: a code, once shipped,
//! keeps its string. The README's "Diagnostic codes" table lists every code
//! with its meaning, and a test holds it to [`Code::ALL`].

use strum::{EnumMessage, VariantArray};

/// What kind of problem a [`Diagnostic`](crate::Diagnostic) reports.
///
/// Each variant's string (`pjob::...`) is what users see; its one-line doc
/// comment is its meaning, as [`Code::meaning`] returns it and the README
/// shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::Display, strum::VariantArray, strum::EnumMessage)]
pub enum Code {
    /// The file is not valid YAML.
    #[strum(serialize = "pjob::yaml-syntax")]
    YamlSyntax,
    /// The file is not valid TOML, or holds an integer out of TOML's range.
    #[strum(serialize = "pjob::toml-syntax")]
    TomlSyntax,
    /// The file is not UTF-8 text (the location is the first byte that is not).
    #[strum(serialize = "pjob::encoding")]
    Encoding,
    /// The file is larger than a manifest may be (2 MiB); it is not read.
    #[strum(serialize = "pjob::too-large")]
    TooLarge,
    /// A YAML mapping has the same key twice.
    #[strum(serialize = "pjob::duplicate-key")]
    DuplicateKey,
    /// A `{{ ... }}` template cannot be rendered.
    #[strum(serialize = "pjob::template")]
    Template,
    /// A template uses a variable that is not defined (`vars:`, `--var`, `env.*`, `git.*`).
    #[strum(serialize = "pjob::undefined-variable")]
    UndefinedVariable,
    /// A field the manifest's kind does not take (often a typo).
    #[strum(serialize = "pjob::unknown-field")]
    UnknownField,
    /// A required field is missing, or one that another field needs.
    #[strum(serialize = "pjob::missing-field")]
    MissingField,
    /// A value has the wrong type (a string where a number is wanted, a mapping where a list is).
    #[strum(serialize = "pjob::wrong-type")]
    WrongType,
    /// A value matches none of the forms its field takes.
    #[strum(serialize = "pjob::wrong-shape")]
    WrongShape,
    /// A value is not one of the values its field allows.
    #[strum(serialize = "pjob::bad-value")]
    BadValue,
    /// A value is not written the way its field needs (a job name, an IAM role ARN, a KMS key, an environment variable name).
    #[strum(serialize = "pjob::bad-format")]
    BadFormat,
    /// A value that must be an `s3://` URI is not a valid one.
    #[strum(serialize = "pjob::bad-uri")]
    BadUri,
    /// A path in the container is not under `/opt/ml/processing/`.
    #[strum(serialize = "pjob::bad-path")]
    BadPath,
    /// A value is longer than its field allows.
    #[strum(serialize = "pjob::too-long")]
    TooLong,
    /// A value is shorter than its field needs (usually: empty).
    #[strum(serialize = "pjob::too-short")]
    TooShort,
    /// A list has fewer items than its field needs.
    #[strum(serialize = "pjob::too-few")]
    TooFew,
    /// A list or mapping has more items than SageMaker takes.
    #[strum(serialize = "pjob::too-many")]
    TooMany,
    /// A number is below its field's minimum or above its maximum.
    #[strum(serialize = "pjob::out-of-range")]
    OutOfRange,
    /// Two inputs or outputs share a name or a destination, or an input takes a name the processor uses itself.
    #[strum(serialize = "pjob::duplicate")]
    Duplicate,
    /// A combination of values that SageMaker or the SageMaker Python SDK refuses.
    #[strum(serialize = "pjob::refused")]
    Refused,
    /// The manifest breaks the schema in a way no other code names.
    #[strum(serialize = "pjob::invalid")]
    Invalid,
    /// A local file or folder the job needs does not exist, cannot be read, or is a folder where a file is needed (or the reverse).
    #[strum(serialize = "pjob::missing-file")]
    MissingFile,
    /// The job needs an AWS region (for its image or the default bucket) and none is set.
    #[strum(serialize = "pjob::missing-region")]
    MissingRegion,
    /// An image URI cannot be found for the framework, version and region.
    #[strum(serialize = "pjob::unknown-image")]
    UnknownImage,
    /// The source folder cannot be packed into `sourcedir.tar.gz`.
    #[strum(serialize = "pjob::archive")]
    Archive,
    /// A `git_config` repository cannot be cloned or checked out.
    #[strum(serialize = "pjob::git")]
    Git,
    /// Two jobs of one set share a `metadata.name`.
    #[strum(serialize = "pjob::duplicate-job")]
    DuplicateJob,
    /// A `jobs.<name>` reference or a `depends_on` entry names a job or output the set does not have.
    #[strum(serialize = "pjob::unknown-job")]
    UnknownJob,
    /// Jobs of a set depend on each other in a circle.
    #[strum(serialize = "pjob::cycle")]
    Cycle,
    /// A `--pipeline-parameter` has two different defaults in one set, or a default that is not a string, number or boolean.
    #[strum(serialize = "pjob::pipeline-parameter")]
    PipelineParameter,
    /// A document has more problems than pjob lists for one document (100); fix those and run again.
    #[strum(serialize = "pjob::more-problems")]
    MoreProblems,
}

impl Code {
    /// Every code, in the order the README lists them.
    pub const ALL: &'static [Code] = Code::VARIANTS;

    /// The code as users see it: `pjob::missing-field`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// What the code means, in one line.
    pub fn meaning(self) -> &'static str {
        self.get_documentation().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_own_string_and_a_one_line_meaning() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(code.as_str().starts_with("pjob::"), "{code:?} is `{code}`");
            assert!(seen.insert(code.as_str()), "`{code}` is the string of two codes");
            assert_eq!(code.to_string(), code.as_str());
            let meaning = code.meaning();
            assert!(!meaning.is_empty() && !meaning.contains(['\n', '|']), "{code:?} needs a one-line meaning without `|`: {meaning:?}");
        }
    }

    #[test]
    fn a_code_reads_as_users_see_it() {
        assert_eq!(Code::MissingField.as_str(), "pjob::missing-field");
        assert_eq!(Code::MissingField.meaning(), "A required field is missing, or one that another field needs.");
    }
}
