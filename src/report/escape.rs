//! Characters no output may carry raw, and their visible forms.
//!
//! Every scanned file is written by a stranger, and its text reaches the output: values in
//! finding messages, labels, file names, parse errors, source snippets. Printed raw, a control
//! character or a bidirectional override could clear the reader's terminal, rewrite a line,
//! plant a hyperlink or reorder what they read. The unsafe characters are the C0 controls
//! (U+0000–U+001F), DEL, the C1 controls (U+0080–U+009F) and the bidirectional formatting
//! characters (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).
//!
//! Human and GitHub output show each as Rust writes it in a string, `\u{1b}` (lowercase hex,
//! no padding); a backslash in the text stays as it is. JSON and SARIF write each as a string
//! escape, `\u001b` or `\u202e`, so that the parsed value is unchanged.

use std::borrow::Cow;
use std::io;

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

/// Whether `c` must not reach any output raw.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

/// Appends the visible form of `c` (`\u{1b}`).
pub fn push_visible(out: &mut String, c: char) {
    out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
}

/// `s` with every unsafe character in its visible form, newlines and tabs included: for text
/// meant to stay on one line (messages, labels, file names).
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `value` as pretty-printed JSON in which no unsafe character appears raw. serde_json
/// escapes the C0 controls itself; the others are valid raw in JSON strings, so this
/// formatter writes them as `\uXXXX` escapes (all are in the Basic Multilingual Plane).
pub fn to_json_pretty<T: Serialize>(value: &T) -> String {
    let mut out = Vec::new();
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut out, Escaping(PrettyFormatter::new()));
    // serialising plain structs into memory cannot fail
    let _ = value.serialize(&mut serializer);
    // the serializer writes only valid UTF-8
    String::from_utf8(out).unwrap_or_default()
}

/// serde_json's pretty formatter, with the unsafe characters of strings escaped.
struct Escaping<'a>(PrettyFormatter<'a>);

impl Formatter for Escaping<'_> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // the common case: plain ASCII, no DEL
        if fragment.is_ascii() && memchr::memchr(0x7f, fragment.as_bytes()).is_none() {
            return writer.write_all(fragment.as_bytes());
        }
        let mut rest = fragment;
        while let Some((i, c)) = rest.char_indices().find(|&(_, c)| is_unsafe(c)) {
            writer.write_all(&rest.as_bytes()[..i])?;
            write!(writer, "\\u{:04x}", u32::from(c))?;
            rest = &rest[i + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    // layout: PrettyFormatter's
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of every class: C0 (ESC, CR, BEL, LF, TAB), DEL, C1, bidi override and isolate.
    const HOSTILE: &str =
        "a\u{1b}]8;;x\u{7}\r\n\t\u{7f}\u{85}\u{9b}\u{202e}\u{2066}\u{61c}\u{200f}z";

    #[test]
    fn classes_are_exact() {
        for c in HOSTILE
            .chars()
            .filter(|c| !c.is_ascii_alphanumeric() && !"];".contains(*c))
        {
            assert!(is_unsafe(c), "{c:?}");
        }
        for c in [
            ' ', '~', '\u{a0}', 'é', '\u{200d}', '\u{2028}', '\u{202f}', '🦀',
        ] {
            assert!(!is_unsafe(c), "{c:?}");
        }
    }

    #[test]
    fn visible_forms_are_rust_escapes() {
        assert_eq!(visible("plain \\ text"), "plain \\ text");
        assert_eq!(
            visible(HOSTILE),
            "a\\u{1b}]8;;x\\u{7}\\u{d}\\u{a}\\u{9}\\u{7f}\\u{85}\\u{9b}\\u{202e}\\u{2066}\\u{61c}\\u{200f}z"
        );
    }

    #[test]
    fn json_escapes_every_unsafe_character_and_round_trips() {
        let value = serde_json::json!({ "k\u{202e}": [HOSTILE, 1], "n": {} });
        let out = to_json_pretty(&value);
        assert!(!out.chars().any(|c| is_unsafe(c) && c != '\n'), "{out}");
        assert!(out.contains("\\u001b]8;;x\\u0007\\r\\n\\t\\u007f\\u0085\\u009b\\u202e\\u2066"));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&out).unwrap(),
            value
        );
        assert_eq!(to_json_pretty(&"ascii\u{7f}"), "\"ascii\\u007f\"");
        let plain = serde_json::json!({ "a": [1, "b"], "c": {} });
        assert_eq!(
            to_json_pretty(&plain),
            serde_json::to_string_pretty(&plain).unwrap()
        );
    }
}
