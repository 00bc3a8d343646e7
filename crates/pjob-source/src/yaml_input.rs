//! The text saphyr's scanner reads: its own [`StrInput`] with a shorter
//! lookahead window.
//!
//! The scanner starts each plain scalar in a `String` of 32 bytes, then
//! reserves the input's window (`bufmaxlen`) on top of it. `StrInput`'s
//! window is 128 characters, so every plain scalar, `key` or `ml.m5.large`
//! alike, is allocated twice: 32 bytes, then about 160. With a window of
//! [`WINDOW`] characters a scalar shorter than 32 bytes keeps its first
//! allocation (longer ones grow as strings do). The window bounds only how
//! many characters the scanner looks at per round, never what it accepts:
//! saphyr's own buffered input works with 16. Parsing the bench's manifests
//! takes 7% less time this way.

use saphyr_parser::input::SkipTabs;
use saphyr_parser::{Input, StrInput};

/// The lookahead window: one less than the 32 bytes the scanner first
/// gives a plain scalar, so reserving it after the first character does not
/// grow the string.
const WINDOW: usize = 31;

/// [`StrInput`] with a [`WINDOW`]-character lookahead; every other method
/// is `StrInput`'s own.
#[derive(Clone, Copy)]
pub(crate) struct TextInput<'a>(StrInput<'a>);

impl<'a> TextInput<'a> {
    /// Input over the whole of `text`.
    pub(crate) fn new(text: &'a str) -> TextInput<'a> {
        TextInput(StrInput::new(text))
    }
}

/// Methods of [`Input`] that [`TextInput`] leaves to its `StrInput`: those
/// that look (`&self`), then those that move on (`&mut self`).
macro_rules! forward_to_str_input {
    (
        look: $(fn $look:ident($($look_arg:ident: $look_ty:ty),*) -> $look_ret:ty;)*
        move: $(fn $move:ident($($move_arg:ident: $move_ty:ty),*) $(-> $move_ret:ty)?;)*
    ) => {
        $(
            #[inline]
            fn $look(&self $(, $look_arg: $look_ty)*) -> $look_ret {
                self.0.$look($($look_arg),*)
            }
        )*
        $(
            #[inline]
            fn $move(&mut self $(, $move_arg: $move_ty)*) $(-> $move_ret)? {
                self.0.$move($($move_arg),*)
            }
        )*
    };
}

impl Input for TextInput<'_> {
    #[inline]
    fn bufmaxlen(&self) -> usize {
        WINDOW
    }

    forward_to_str_input! {
        look:
        fn buflen() -> usize;
        fn buf_is_empty() -> bool;
        fn peek() -> char;
        fn peek_nth(n: usize) -> char;
        fn peek_opt() -> Option<char>;
        fn next_char_is(c: char) -> bool;
        fn nth_char_is(n: usize, c: char) -> bool;
        fn next_2_are(c1: char, c2: char) -> bool;
        fn next_3_are(c1: char, c2: char, c3: char) -> bool;
        fn next_is_document_indicator() -> bool;
        fn next_is_document_start() -> bool;
        fn next_is_document_end() -> bool;
        fn next_can_be_plain_scalar(in_flow: bool) -> bool;
        fn next_is_blank_or_break() -> bool;
        fn next_is_blank_or_breakz() -> bool;
        fn next_is_blank() -> bool;
        fn next_is_break() -> bool;
        fn next_is_breakz() -> bool;
        fn next_is_z() -> bool;
        fn next_is_flow() -> bool;
        fn next_is_digit() -> bool;
        fn next_is_alpha() -> bool;
        move:
        fn lookahead(count: usize);
        fn raw_read_ch() -> char;
        fn raw_read_non_breakz_ch() -> Option<char>;
        fn skip();
        fn skip_n(count: usize);
        fn look_ch() -> char;
        fn skip_ws_to_eol(skip_tabs: SkipTabs) -> (usize, Result<SkipTabs, &'static str>);
        fn skip_while_non_breakz() -> usize;
        fn skip_while_blank() -> usize;
        fn fetch_while_is_alpha(out: &mut String) -> usize;
        fn fetch_while_is_yaml_non_space(out: &mut String) -> usize;
    }
}

#[cfg(test)]
mod tests {
    use saphyr_parser::{Event, Parser, ScanError, Span};

    use super::TextInput;

    /// The events (with their spans) of `text` through saphyr's `StrInput`
    /// and through [`TextInput`], up to the first error, as text. (After an
    /// error the parser repeats it.)
    fn both(text: &str) -> (String, String) {
        fn events<'a>(parser: impl Iterator<Item = Result<(Event<'a>, Span), ScanError>>) -> String {
            let mut out = Vec::new();
            for event in parser {
                let failed = event.is_err();
                out.push(event);
                if failed {
                    break;
                }
            }
            format!("{out:?}")
        }
        (events(Parser::new_from_str(text)), events(Parser::new(TextInput::new(text))))
    }

    /// `text` with a few of YAML's significant characters and runs
    /// inserted, and stretches cut or doubled, at places `seed` picks.
    fn mutated(text: &str, seed: u64) -> String {
        const PIECES: [&str; 16] = [" ", "\t", "\n", ": ", "- ", "#", "'", "\"", "[", "}", ",", "|-\n", "&a ", "*a", "\u{e9}", "\r\n"];
        let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut out = text.to_string();
        for _ in 0..3 {
            let boundary = |out: &String, mut i: usize| {
                while !out.is_char_boundary(i) {
                    i -= 1;
                }
                i
            };
            let at = boundary(&out, next(out.len() + 1));
            let end = boundary(&out, (at + 1 + next(40)).min(out.len()));
            match next(4) {
                0 => out.insert_str(at, PIECES[next(PIECES.len())]),
                1 => out.replace_range(at..end, ""),
                2 => out.insert_str(at, &"x".repeat(40)),
                _ => {
                    let stretch = out[at..end].to_string();
                    out.insert_str(at, &stretch);
                }
            }
        }
        out
    }

    #[test]
    fn every_manifest_in_the_repository_and_mutations_of_it_read_the_same() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut read = 0;
        for folder in ["examples", "tests/conformance", "tests/bad-input"] {
            for file in pjob_walk::Walker::new(root.join(folder)).list().unwrap().files {
                if !(file.relative.ends_with(".yaml") || file.relative.ends_with(".yml")) {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&file.path) else { continue };
                for variant in std::iter::once(text.clone()).chain((0..12).map(|seed| mutated(&text, seed))) {
                    let (theirs, ours) = both(&variant);
                    assert_eq!(ours, theirs, "{}: {variant:?}", file.path.display());
                }
                read += 1;
            }
        }
        assert!(read > 100, "the repository's manifests were found ({read})");
    }

    #[test]
    fn scalars_longer_than_the_window_read_the_same() {
        let long = "x".repeat(300);
        let text = format!(
            "plain: {long}\nwords: {long} {long}\nquoted: \"{long}\"\nsingle: '{long}'\nfolded: >\n  {long}\n  {long}\nflow: [{long}, {{k: {long}}}]\nmulti: a\n  {long}\n  b\n\u{feff}\u{e9}t\u{e9}: {long}\u{e9}\n"
        );
        let (theirs, ours) = both(&text);
        assert_eq!(ours, theirs);
        assert!(ours.contains(&long));
    }

    #[test]
    fn block_scalars_indented_past_the_window_read_the_same() {
        let deep = " ".repeat(40);
        let text = format!("a:\n{deep}b: |\n{deep}  line one\n\n{deep}  line two\n{deep}c: >-\n{deep}   more\n{deep}    than\nd: 1\n");
        let (theirs, ours) = both(&text);
        assert_eq!(ours, theirs);
        assert!(ours.contains("line one\\n\\nline two"), "{ours}");
    }

    #[test]
    fn errors_are_the_same() {
        for text in ["a: [1, 2\nb: 3\n", "a:\n\t- b\n", "a: \"x\n", "- a\nb: c\n", "key: value: other\n"] {
            let (theirs, ours) = both(text);
            assert_eq!(ours, theirs, "{text:?}");
            assert!(ours.contains("Err("), "{text:?}: {ours}");
        }
    }
}
