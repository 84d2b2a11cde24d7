//! Human output: miette graphical diagnostics, one per finding, error and skipped file, then a
//! one-line summary. Snippets come from bounded [`Excerpt`]s of the files, and every text from
//! a scanned file is escaped ([`escape`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan};

use super::escape::visible;
use super::excerpt::{self, Excerpt, Label};
use crate::finding::{Finding, Severity};
use crate::source::{SourceFile, Span};
use crate::Report;

/// One rendered diagnostic: a message, its spans in one file, and related diagnostics.
#[derive(Debug)]
struct Diag {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<Excerpt>,
    labels: Vec<LabeledSpan>,
    related: Vec<Diag>,
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diag {}

impl Diagnostic for Diag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
        }
    }
}

/// The run's files, for excerpts.
struct Files(Vec<Arc<SourceFile>>);

impl Files {
    /// A diagnostic drawing `labels` (spans in one file, the first primary) on an excerpt.
    fn labelled(
        &self,
        severity: miette::Severity,
        message: &str,
        labels: &[(Span, Option<&str>)],
    ) -> Diag {
        let file = labels
            .first()
            .and_then(|(s, _)| self.0.get(s.file.0 as usize));
        let (source, labels) = match file {
            Some(file) => {
                let labels: Vec<Label> = labels
                    .iter()
                    .enumerate()
                    .map(|(i, (span, text))| Label {
                        range: span.range(),
                        text: text.map(|t| visible(t).into_owned()),
                        primary: i == 0,
                    })
                    .collect();
                let (excerpt, spans) = Excerpt::new(file, &labels);
                (Some(excerpt), spans)
            }
            None => (None, Vec::new()),
        };
        Diag {
            message: visible(message).into_owned(),
            code: None,
            severity,
            help: None,
            source,
            labels,
            related: Vec::new(),
        }
    }

    fn finding(&self, f: &Finding) -> Diag {
        let label = Some(f.label.as_str()).filter(|l| !l.is_empty());
        let mut labels = vec![(f.span, label)];
        let mut elsewhere = Vec::new();
        for r in &f.related {
            if r.span.file == f.span.file {
                labels.push((r.span, Some(r.message.as_str())));
            } else {
                elsewhere.push(self.labelled(
                    miette::Severity::Advice,
                    &r.message,
                    &[(r.span, None)],
                ));
            }
        }
        let mut d = self.labelled(miette_severity(f.severity), &f.message, &labels);
        d.code = Some(format!("{} {}", f.rule, f.name));
        let mut notes: Vec<String> = f.notes.iter().map(|n| visible(n).into_owned()).collect();
        if f.confidence == crate::finding::Confidence::Possible {
            notes.push("confidence: possible (depends on a value unknown before deploy)".into());
        }
        d.help = (!notes.is_empty()).then(|| notes.join("\n"));
        d.related = elsewhere;
        d
    }
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

/// `1 finding`, `2 findings`.
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("{n} {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The closing line: "3 findings (1 error, 2 warnings) in 12 files; 1 file could not be parsed".
pub fn summary(report: &Report) -> String {
    let mut by_severity: BTreeMap<Severity, usize> = BTreeMap::new();
    for f in &report.findings {
        *by_severity.entry(f.severity).or_default() += 1;
    }
    let mut line = if report.findings.is_empty() {
        "no findings".to_string()
    } else {
        let parts: Vec<String> = by_severity
            .iter()
            .rev()
            .map(|(s, n)| count(*n, s.as_str()))
            .collect();
        format!(
            "{} ({})",
            count(report.findings.len(), "finding"),
            parts.join(", ")
        )
    };
    line.push_str(&format!(" in {}", count(report.files, "file")));
    let unparsed: BTreeSet<_> = report.errors.iter().map(|e| e.span.file).collect();
    let problems = [
        (unparsed.len(), "could not be parsed"),
        (report.path_errors.len(), "could not be read"),
        (report.skipped.len(), "skipped"),
    ];
    for (n, what) in problems {
        if n > 0 {
            let noun = if what == "could not be read" {
                count(n, "path")
            } else {
                count(n, "file")
            };
            line.push_str(&format!("; {noun} {what}"));
        }
    }
    line
}

/// Renders every finding, error and skipped file as a graphical diagnostic, then the summary.
pub fn render(report: &Report, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100)
        .with_context_lines(excerpt::CONTEXT_LINES);
    let files = Files(report.sources.files());
    let mut diags: Vec<Diag> = report.findings.iter().map(|f| files.finding(f)).collect();
    diags.extend(report.errors.iter().map(|e| {
        files.labelled(
            miette::Severity::Error,
            &e.message,
            &[(e.span, Some("could not parse"))],
        )
    }));
    diags.extend(report.path_errors.iter().map(|(path, message)| Diag {
        message: visible(&format!("cannot read {}: {message}", path.display())).into_owned(),
        code: None,
        severity: miette::Severity::Error,
        help: None,
        source: None,
        labels: Vec::new(),
        related: Vec::new(),
    }));
    diags.extend(report.skipped.iter().map(|s| {
        files.labelled(
            miette::Severity::Warning,
            &format!("skipped: {}", s.reason),
            &[(s.span, None)],
        )
    }));
    let mut out = String::new();
    for d in &diags {
        // rendering into a String cannot fail
        let _ = handler.render_report(&mut out, d);
        out.push('\n');
    }
    out.push_str(&summary(report));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::escape;
    use crate::report::tests::sample_report;

    #[test]
    fn finding_shows_code_labels_related_and_help() {
        let out = render(&sample_report(), false);
        assert!(out.contains("SG001 open-admin-port"), "{out}");
        assert!(out.contains("open to the internet"), "{out}");
        assert!(out.contains("port 22"), "{out}");
        assert!(out.contains("infra/variables.tf:2:13"), "{out}");
        assert!(out.contains("value comes from variable 'admin_cidr' default"));
        assert!(out.contains("restrict the source to a trusted range"));
        assert!(out.contains("infra/broken.tf:2:5"), "{out}");
        assert!(!out.contains('\u{1b}'), "no colour codes without colour");
        assert!(out.ends_with(
            "1 finding (1 error) in 3 files; 1 file could not be parsed; 1 file skipped\n"
        ));
    }

    #[test]
    fn scanned_text_is_escaped_everywhere() {
        let hostile = "\u{1b}[2J\u{7}\r\n\t\u{9b}\u{202e}";
        let mut report = sample_report();
        let file = report.sources.add(
            format!("x{hostile}.tf").into(),
            format!("a = \"{hostile}\"\n"),
        );
        let f = &mut report.findings[0];
        f.message.push_str(hostile);
        f.label.push_str(hostile);
        f.notes.push(hostile.into());
        f.related[0].message.push_str(hostile);
        f.related[1].message.push_str(hostile);
        f.related[1].span = Span::new(file.id, 4, 14);
        report.errors[0].message.push_str(hostile);
        report.skipped[0].reason.push_str(hostile);
        report
            .path_errors
            .push((format!("p{hostile}").into(), hostile.into()));
        let out = render(&report, false);
        assert!(
            !out.chars().any(|c| escape::is_unsafe(c) && c != '\n'),
            "{out:?}"
        );
        // message, label, related label, note, related message, file name, source line,
        // parse error, skip reason, unreadable path and its error (wrapping may split others)
        assert_eq!(out.matches("\\u{202e}").count(), 11, "{out}");
        assert!(out.contains("\\u{1b}[2J\\u{7}\\u{d}\\u{a}\\u{9}\\u{9b}\\u{202e}"));
    }

    #[test]
    fn colour_only_when_asked() {
        assert!(render(&sample_report(), true).contains('\u{1b}'));
    }

    #[test]
    fn summary_counts_by_severity() {
        let mut report = sample_report();
        let mut second = report.findings[0].clone();
        second.severity = Severity::Warning;
        report.findings.push(second.clone());
        report.findings.push(second);
        report.errors.clear();
        report.skipped.clear();
        assert_eq!(
            summary(&report),
            "3 findings (1 error, 2 warnings) in 3 files"
        );
        report.findings.clear();
        report.path_errors.push(("x".into(), "gone".into()));
        assert_eq!(
            summary(&report),
            "no findings in 3 files; 1 path could not be read"
        );
    }
}
