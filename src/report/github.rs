//! `--format github`: GitHub Actions workflow commands (`::error file=…::message`), one per
//! finding, parse error and skipped file, so they show up as annotations on the pull request.

use std::fmt::Write;

use super::{escape, Location};
use crate::finding::Severity;
use crate::Report;

/// Escapes a command's message as GitHub's toolkit does (`%`, CR, LF), and every other unsafe
/// character in its visible form ([`escape`]).
fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if escape::is_unsafe(c) => escape::push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value: the data escapes plus `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(level: &str, loc: &Location, title: &str, message: &str) -> String {
    format!(
        "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
        escape_property(&loc.file),
        loc.line,
        loc.column,
        loc.end_line,
        loc.end_column,
        escape_property(title),
        escape_data(message)
    )
}

/// The workflow command for a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// Renders one workflow command per line.
pub fn render(report: &Report) -> String {
    let files = report.sources.files();
    let mut out = String::new();
    for f in &report.findings {
        let loc = Location::of(&files, f.span);
        let title = format!("{} {}", f.rule, f.name);
        out.push_str(&command(level(f.severity), &loc, &title, &f.message));
    }
    for e in &report.errors {
        let loc = Location::of(&files, e.span);
        out.push_str(&command("error", &loc, "parse error", &e.message));
    }
    for (path, message) in &report.path_errors {
        let _ = writeln!(
            out,
            "::error title=unreadable path::{}",
            escape_data(&format!("{}: {message}", path.display()))
        );
    }
    for s in &report.skipped {
        let loc = Location::of(&files, s.span);
        out.push_str(&command("notice", &loc, "skipped", &s.reason));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    #[test]
    fn one_command_per_entry_with_positions() {
        let out = render(&sample_report());
        let lines: Vec<_> = out.lines().collect();
        assert_eq!(
            lines[0],
            "::error file=infra/sg.tf,line=4,col=20,endLine=4,endColumn=31,title=SG001 open-admin-port::security group 'web' allows SSH (tcp/22) from 0.0.0.0/0"
        );
        assert!(lines[1].starts_with("::error file=infra/broken.tf,line=2,col=5,"));
        assert!(lines[2].starts_with("::notice file=infra/variables.tf,"));
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn escapes_follow_the_toolkit() {
        assert_eq!(escape_data("50%\r\na:b,c"), "50%25%0D%0Aa:b,c");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn other_controls_are_made_visible() {
        assert_eq!(
            escape_data("\u{1b}[2J\u{7}\t\u{9b}\u{202e}%"),
            "\\u{1b}[2J\\u{7}\\u{9}\\u{9b}\\u{202e}%25"
        );
        assert_eq!(escape_property("a\u{1b}:b"), "a\\u{1b}%3Ab");
    }
}
