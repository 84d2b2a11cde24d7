//! Inline suppressions: sgcheck's own comments and CloudFormation metadata, and the forms of
//! other linters (tfsec, trivy, checkov, cfn_nag) mapped through each rule page's
//! `equivalents`, so a team switching tools keeps its annotations.
//!
//! Comment forms (`#`, `//` or `/* */`), on the offending line, in the comment lines right
//! above it, or right above the resource block:
//! - `sgcheck:ignore SG001 reason…`, `sgcheck:ignore[SG001,SG005] reason…` (ids or names);
//! - `tfsec:ignore:<id>`, `trivy:ignore:<id>`;
//! - `checkov:skip=<CKV id>:reason` — anywhere from the resource header to the offending line.
//!
//! CloudFormation `Metadata` on a resource: `sgcheck: {ignore: [{rule: SG001, reason: …}]}`,
//! `cfn_nag: {rules_to_suppress: [{id: W2, reason: …}]}`, `checkov: {skip: [{id: …}]}`.
//!
//! A suppression without a reason still suppresses but is reported (SUP001) when its form has
//! a place for one (sgcheck's own, checkov, cfn_nag; not tfsec/trivy). A sgcheck suppression that
//! suppresses nothing is reported too (SUP002). Both are catalogued in [`crate::rules::META`].

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::finding::{Confidence, Finding};
use crate::ir::{Resource, Val};
use crate::rules::{Rule, SUPPRESSION_WITHOUT_REASON as NO_REASON, UNUSED_SUPPRESSION as UNUSED};
use crate::source::{FileId, SourceFile, SourceMap, Span};

/// Other tools' check ids mapped to sgcheck rule ids, from the rule pages' `equivalents`.
#[derive(Debug, Default)]
pub struct Aliases {
    /// (tool, lower-case foreign id) → sgcheck rule ids.
    map: BTreeMap<(String, String), Vec<&'static str>>,
}

impl Aliases {
    /// Collects the equivalents of `rules` (normally [`crate::rules::ALL`]).
    pub fn from_rules(rules: &[&'static Rule]) -> Self {
        let mut a = Aliases::default();
        for rule in rules {
            for (tool, ids) in &rule.page().meta.equivalents {
                for id in ids {
                    a.add(tool, id, rule.id);
                }
            }
        }
        a
    }

    /// Maps `tool`'s check `id` to the sgcheck rule `rule`.
    pub fn add(&mut self, tool: &str, id: &str, rule: &'static str) {
        self.map
            .entry((tool.to_string(), id.to_ascii_lowercase()))
            .or_default()
            .push(rule);
    }

    /// The sgcheck rules that `id` of any of `tools` stands for.
    fn rules(&self, tools: &[&str], id: &str) -> Vec<String> {
        let id = id.to_ascii_lowercase();
        tools
            .iter()
            .filter_map(|t| self.map.get(&(t.to_string(), id.clone())))
            .flatten()
            .map(|r| r.to_string())
            .collect()
    }
}

/// Where a suppression applies.
#[derive(Debug, Clone, PartialEq)]
enum Scope {
    /// A comment on `line` (1-based): that line, or the line or resource right below its comment block.
    Line { file: FileId, line: usize },
    /// A comment anywhere inside the resource block, from the header to the offending line.
    Block { file: FileId, line: usize },
    /// CloudFormation metadata of one resource.
    Resource { file: FileId, address: String },
}

impl Scope {
    /// The file the suppression is written in.
    fn file(&self) -> FileId {
        match self {
            Scope::Line { file, .. } | Scope::Block { file, .. } | Scope::Resource { file, .. } => {
                *file
            }
        }
    }
}

/// Whose syntax a suppression uses, which decides what is reported about it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Form {
    /// sgcheck's own: reported without a reason and when it matches nothing.
    Own,
    /// Another tool's form with a place for a reason (checkov, cfn_nag): reported without one.
    ForeignWithReason,
    /// Another tool's form without one (tfsec, trivy): never reported.
    Foreign,
}

#[derive(Debug, Clone)]
struct Suppression {
    span: Span,
    scope: Scope,
    /// sgcheck rule ids or names this suppression names (after mapping foreign ids).
    rules: Vec<String>,
    reason: Option<String>,
    form: Form,
    used: bool,
}

/// Removes suppressed findings from `findings` and returns notes for sgcheck suppressions
/// without a reason or without effect (those naming a rule in `disabled` excepted, and none of a
/// kind that `disabled` names). The caller adds the notes to the findings and sorts again.
pub fn apply(
    findings: &mut Vec<Finding>,
    resources: &[Resource],
    sources: &SourceMap,
    aliases: &Aliases,
    disabled: &[String],
) -> Vec<Finding> {
    let files = sources.files();
    let mut sups: Vec<Suppression> = files
        .par_iter()
        .flat_map_iter(|f| comment_suppressions(f, aliases))
        .collect();
    sups.extend(
        resources
            .iter()
            .flat_map(|r| metadata_suppressions(r, aliases)),
    );
    let comments: BTreeMap<FileId, CommentIndex> = sups
        .iter()
        .filter_map(|s| match s.scope {
            Scope::Line { file, .. } | Scope::Block { file, .. } => Some(file),
            Scope::Resource { .. } => None,
        })
        .filter_map(|id| Some((id, CommentIndex::new(&files.get(id.0 as usize)?.text))))
        .collect();
    let cx = Lookup {
        files: &files,
        comments: &comments,
    };
    // a finding is matched only against the suppressions written in its own files
    let mut by_file: BTreeMap<FileId, Vec<usize>> = BTreeMap::new();
    for (i, s) in sups.iter().enumerate() {
        by_file.entry(s.scope.file()).or_default().push(i);
    }
    let mut notes: BTreeMap<Span, Finding> = BTreeMap::new();
    findings.retain(|f| {
        let mut keep = true;
        let mut own_files = vec![f.span.file, f.resource_span.file];
        own_files.dedup();
        let mut candidates: Vec<usize> = own_files
            .iter()
            .flat_map(|id| by_file.get(id).into_iter().flatten().copied())
            .collect();
        candidates.sort_unstable();
        for i in candidates {
            let Some(s) = sups.get_mut(i) else { continue };
            if cx.matches(s, f) {
                s.used = true;
                keep = false;
                if s.form != Form::Foreign && s.reason.is_none() {
                    notes.entry(s.span).or_insert_with(|| {
                        note(
                            &NO_REASON,
                            s.span,
                            &f.resource,
                            format!(
                                "suppression of {} has no reason; say why the finding is acceptable",
                                f.rule
                            ),
                        )
                    });
                }
            }
        }
        keep
    });
    for s in &sups {
        let is_disabled = s
            .rules
            .iter()
            .any(|r| disabled.iter().any(|d| d.eq_ignore_ascii_case(r)));
        if s.form == Form::Own && !s.used && !is_disabled {
            notes.entry(s.span).or_insert_with(|| {
                note(
                    &UNUSED,
                    s.span,
                    "",
                    format!("suppression of {} matches no finding", s.rules.join(", ")),
                )
            });
        }
    }
    notes
        .into_values()
        .filter(|n| {
            !disabled
                .iter()
                .any(|d| d.eq_ignore_ascii_case(n.rule) || d == n.name)
        })
        .collect()
}

/// A note of `kind` (a [`crate::rules::META`] entry) at a suppression.
fn note(kind: &'static Rule, span: Span, resource: &str, message: String) -> Finding {
    let meta = &kind.page().meta;
    Finding {
        rule: kind.id,
        name: meta.name.as_str(),
        severity: meta.default_severity(),
        confidence: Confidence::Definite,
        span,
        label: "this suppression".to_string(),
        message,
        resource: resource.to_string(),
        resource_span: span,
        related: Vec::new(),
        notes: Vec::new(),
    }
}

fn names_rule(s: &Suppression, f: &Finding) -> bool {
    s.rules
        .iter()
        .any(|r| r.eq_ignore_ascii_case(f.rule) || r == f.name)
}

/// Which lines of a file are comment-only: the count of other lines up to each line, so that
/// "all lines in a range are comments" is one comparison.
struct CommentIndex(Vec<u32>);

impl CommentIndex {
    fn new(text: &str) -> Self {
        let mut counts = vec![0u32];
        let mut code = 0;
        for line in text.lines() {
            code += u32::from(!is_comment_line(line));
            counts.push(code);
        }
        CommentIndex(counts)
    }

    /// True when lines `from..to` (1-based, `to` excluded) are all comment-only.
    fn all_comments(&self, from: usize, to: usize) -> bool {
        let count = |line: usize| self.0.get(line.saturating_sub(1));
        matches!((count(from), count(to)), (Some(a), Some(b)) if a == b)
    }
}

/// What matching needs besides the suppression and the finding.
struct Lookup<'a> {
    files: &'a [std::sync::Arc<SourceFile>],
    comments: &'a BTreeMap<FileId, CommentIndex>,
}

impl Lookup<'_> {
    /// The 1-based line where `span` starts.
    fn line_of(&self, span: Span) -> Option<usize> {
        let file = self.files.get(span.file.0 as usize)?;
        Some(file.line_col(span.start as usize).line)
    }

    /// True when a comment on `line` of `file` governs `target`: the same line, or `line`
    /// starts the run of comment-only lines right above `target`.
    fn governs(&self, file: FileId, line: usize, target: usize) -> bool {
        line == target
            || (line < target
                && self
                    .comments
                    .get(&file)
                    .is_some_and(|c| c.all_comments(line, target)))
    }

    fn matches(&self, s: &Suppression, f: &Finding) -> bool {
        if !names_rule(s, f) {
            return false;
        }
        match &s.scope {
            Scope::Resource { file, address } => {
                *file == f.resource_span.file && *address == f.resource
            }
            Scope::Line { file, line } => [f.span, f.resource_span].into_iter().any(|target| {
                target.file == *file
                    && self
                        .line_of(target)
                        .is_some_and(|t| self.governs(*file, *line, t))
            }),
            Scope::Block { file, line } => {
                if f.resource_span.file != *file {
                    return false;
                }
                let Some(header) = self.line_of(f.resource_span) else {
                    return false;
                };
                let end = match self.line_of(f.span) {
                    Some(l) if f.span.file == *file => l,
                    _ => header,
                };
                (header..=end).contains(line) || self.governs(*file, *line, header)
            }
        }
    }
}

fn is_comment_line(line: &str) -> bool {
    let t = line.trim_start();
    ["#", "//", "/*", "*"].iter().any(|p| t.starts_with(p))
}

/// The comment suppressions of one file.
fn comment_suppressions(file: &SourceFile, aliases: &Aliases) -> Vec<Suppression> {
    let mut out = Vec::new();
    if !MARKERS.iter().any(|m| file.text.contains(m)) {
        return out;
    }
    let mut offset = 0;
    for (i, line) in file.text.split_inclusive('\n').enumerate() {
        let Some(comment) = ["#", "//", "/*"].iter().filter_map(|p| line.find(p)).min() else {
            offset += line.len();
            continue;
        };
        let mut pos = comment;
        while let Some((at, marker)) = next_marker(&line[pos..]) {
            let start = pos + at;
            let text_start = start + marker.len();
            let after = &line[text_start..];
            let eol = after.find(['\n', '\r']).unwrap_or(after.len());
            // the text runs to the end of the line or the next marker
            let len = next_marker(&after[..eol]).map_or(eol, |(next, _)| next);
            if let Some(m) = parse_marker(marker, &after[..len], aliases) {
                let (file, line) = (file.id, i + 1);
                out.push(Suppression {
                    span: Span::new(file, offset + start, offset + text_start + len),
                    scope: if marker == "checkov:skip=" {
                        Scope::Block { file, line }
                    } else {
                        Scope::Line { file, line }
                    },
                    rules: m.rules,
                    reason: m.reason,
                    form: m.form,
                    used: false,
                });
            }
            pos = text_start + len;
        }
        offset += line.len();
    }
    out
}

const MARKERS: [&str; 4] = [
    "sgcheck:ignore",
    "tfsec:ignore:",
    "trivy:ignore:",
    "checkov:skip=",
];

/// The first suppression marker in `s`: its byte position and which one.
fn next_marker(s: &str) -> Option<(usize, &'static str)> {
    MARKERS
        .iter()
        .filter_map(|m| s.find(m).map(|at| (at, *m)))
        .min()
}

/// What a comment marker says: the rules it names (mapped to sgcheck ids) and why.
struct Marker {
    rules: Vec<String>,
    reason: Option<String>,
    form: Form,
}

/// Parses the text after a marker (up to the end of the line).
fn parse_marker(marker: &str, text: &str, aliases: &Aliases) -> Option<Marker> {
    let text = text.trim().trim_end_matches("*/").trim_end();
    let (rules, reason, form) = match marker {
        "sgcheck:ignore" => {
            let (ids, reason) = if let Some(list) = text.strip_prefix('[') {
                let (ids, reason) = list.split_once(']')?;
                (ids, reason)
            } else {
                let text = text.strip_prefix(':').unwrap_or(text).trim_start();
                text.split_once(char::is_whitespace).unwrap_or((text, ""))
            };
            let rules: Vec<String> = ids
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            (rules, reason, Form::Own)
        }
        "checkov:skip=" => {
            let (id, reason) = text.split_once(':').unwrap_or((text, ""));
            let id = id.split([' ', ',']).next().unwrap_or_default();
            (
                aliases.rules(&["checkov"], id),
                reason,
                Form::ForeignWithReason,
            )
        }
        _ => {
            // tfsec/trivy: `<id>[:exp:<date>]`; both tools accept each other's ids
            let id = text.split([' ', ':']).next().unwrap_or_default();
            (aliases.rules(&["tfsec", "trivy"], id), "", Form::Foreign)
        }
    };
    if rules.is_empty() {
        return None;
    }
    let reason = reason.trim().trim_start_matches(['-', ':']).trim();
    Some(Marker {
        rules,
        reason: (!reason.is_empty()).then(|| reason.to_string()),
        form,
    })
}

/// The suppressions in a CloudFormation resource's `Metadata`.
fn metadata_suppressions(r: &Resource, aliases: &Aliases) -> Vec<Suppression> {
    let Some(meta) = &r.metadata else {
        return Vec::new();
    };
    let entries = |tool: &str, list: &str| -> Vec<&Val> {
        meta.get(tool)
            .and_then(|t| t.get(list))
            .and_then(Val::as_list)
            .map(|l| l.iter().collect())
            .unwrap_or_default()
    };
    let text = |v: &Val, key: &str| v.get(key).and_then(|x| x.as_str()).map(|s| s.to_string());
    let scope = Scope::Resource {
        file: r.span.file,
        address: r.address.clone(),
    };
    let make = |span: Span, rules: Vec<String>, reason: Option<String>, form: Form| Suppression {
        span,
        scope: scope.clone(),
        rules,
        reason: reason.filter(|r| !r.trim().is_empty()),
        form,
        used: false,
    };
    let mut out = Vec::new();
    for e in entries("sgcheck", "ignore") {
        let rule = e
            .as_str()
            .map(|s| s.to_string())
            .or_else(|| text(e, "rule"));
        if let Some(rule) = rule {
            out.push(make(e.span, vec![rule], text(e, "reason"), Form::Own));
        }
    }
    for (tool, list, reason_key) in [
        ("cfn_nag", "rules_to_suppress", "reason"),
        ("checkov", "skip", "comment"),
    ] {
        for e in entries(tool, list) {
            let Some(id) = text(e, "id") else { continue };
            let rules = aliases.rules(&[tool], &id);
            if !rules.is_empty() {
                out.push(make(
                    e.span,
                    rules,
                    text(e, reason_key),
                    Form::ForeignWithReason,
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::ir::{Existence, Frontend, Value};

    const TF: &str = r#"# sgcheck:ignore SG005 egress is needed for updates
resource "aws_security_group" "web" {
  ingress {
    cidr_blocks = ["0.0.0.0/0"] # sgcheck:ignore[SG001,SG004] bastion, reviewed 2024
  }
  ingress {
    # tfsec:ignore:aws-ec2-no-public-ingress-sgr
    cidr_blocks = ["0.0.0.0/0"]
  }
  #checkov:skip=CKV_AWS_260:web tier
  ingress {
    cidr_blocks = ["0.0.0.0/0"] /* sgcheck:ignore SG003 */
  }
}
"#;

    fn finding(file: &SourceFile, rule: &'static str, needle_line: usize) -> Finding {
        let line_start: usize = file
            .text
            .split_inclusive('\n')
            .take(needle_line - 1)
            .map(str::len)
            .sum();
        Finding {
            rule,
            name: "x",
            severity: Severity::Error,
            confidence: Confidence::Definite,
            span: Span::new(file.id, line_start + 4, line_start + 8),
            label: String::new(),
            message: "m".into(),
            resource: "aws_security_group.web".into(),
            resource_span: Span::new(file.id, 60, 90),
            related: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn aliases() -> Aliases {
        let mut a = Aliases::default();
        a.add("tfsec", "aws-ec2-no-public-ingress-sgr", "SG004");
        a.add("checkov", "CKV_AWS_260", "SG004");
        a.add("cfn_nag", "W2", "SG004");
        a
    }

    #[test]
    fn comment_forms_suppress_their_lines() {
        let sources = SourceMap::default();
        let file = sources.add("main.tf".into(), TF);
        let mut findings = vec![
            finding(&file, "SG001", 4),  // same line, bracket list
            finding(&file, "SG004", 4),  // same line, second id
            finding(&file, "SG004", 8),  // tfsec comment on the line above
            finding(&file, "SG004", 12), // checkov inside the resource block
            finding(&file, "SG005", 3),  // sgcheck comment above the resource header
            finding(&file, "SG002", 8),  // nothing names SG002
        ];
        let notes = apply(&mut findings, &[], &sources, &aliases(), &[]);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule, "SG002");
        // SG003 on line 12 has no finding and no reason: one note (unused wins)
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0].rule, UNUSED.id);
        let lc = file.line_col(notes[0].span.start as usize);
        assert_eq!((lc.line, lc.column), (12, 36));
    }

    #[test]
    fn reasonless_suppression_still_suppresses_and_is_reported() {
        let sources = SourceMap::default();
        let file = sources.add("a.tf".into(), "x = 1\n  // sgcheck:ignore SG001\n  y = 2\n");
        let mut findings = vec![finding(&file, "SG001", 3)];
        findings[0].resource_span = Span::new(file.id, 0, 1);
        let notes = apply(&mut findings, &[], &sources, &aliases(), &[]);
        assert!(findings.is_empty());
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].rule, NO_REASON.id);
        assert_eq!(notes[0].severity, Severity::Note);
        assert_eq!(notes[0].resource, "aws_security_group.web");
        // disabling the note by name keeps the suppression working
        let mut findings = vec![finding(&file, "SG001", 3)];
        findings[0].resource_span = Span::new(file.id, 0, 1);
        let disabled = ["suppression-without-reason".to_string()];
        let notes = apply(&mut findings, &[], &sources, &aliases(), &disabled);
        assert!(findings.is_empty() && notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn foreign_forms_without_a_reason_are_reported_where_they_have_a_place_for_one() {
        let sources = SourceMap::default();
        let text = "# checkov:skip=CKV_AWS_260\nx = 1\n# tfsec:ignore:aws-ec2-no-public-ingress-sgr\ny = 2\n";
        let file = sources.add("a.tf".into(), text);
        let mut findings = vec![finding(&file, "SG004", 2), finding(&file, "SG004", 4)];
        for f in &mut findings {
            f.resource_span = f.span;
        }
        let notes = apply(&mut findings, &[], &sources, &aliases(), &[]);
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0].rule, NO_REASON.id);
        assert_eq!(file.line_col(notes[0].span.start as usize).line, 1);
    }

    #[test]
    fn trailing_comment_does_not_reach_the_next_line() {
        let sources = SourceMap::default();
        let file = sources.add("a.tf".into(), "a = 1 # sgcheck:ignore SG001 ok\nb = 2\n");
        let mut findings = vec![finding(&file, "SG001", 2)];
        findings[0].resource_span = findings[0].span;
        apply(&mut findings, &[], &sources, &aliases(), &["SG001".into()]);
        assert_eq!(findings.len(), 1);
    }

    fn map(entries: Vec<(&str, Val)>, span: Span) -> Val {
        Val::new(
            Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            ),
            span,
        )
    }

    #[test]
    fn cloudformation_metadata_forms() {
        let sources = SourceMap::default();
        let file = sources.add("t.yaml".into(), "Resources:\n  Web:\n    Type: x\n");
        let s = |v: &str| Val::new(Value::String(v.into()), Span::new(file.id, 0, 1));
        let list = |items: Vec<Val>| Val::new(Value::List(items), Span::new(file.id, 0, 1));
        let entry_span = Span::new(file.id, 13, 16);
        let metadata = map(
            vec![
                (
                    "sgcheck",
                    map(
                        vec![(
                            "ignore",
                            list(vec![map(vec![("rule", s("SG001"))], entry_span)]),
                        )],
                        entry_span,
                    ),
                ),
                (
                    "cfn_nag",
                    map(
                        vec![(
                            "rules_to_suppress",
                            list(vec![map(
                                vec![("id", s("W2")), ("reason", s("public web"))],
                                entry_span,
                            )]),
                        )],
                        entry_span,
                    ),
                ),
            ],
            entry_span,
        );
        let resource = Resource {
            frontend: Frontend::CloudFormation,
            kind: "AWS::EC2::SecurityGroup".into(),
            address: "Web".into(),
            key: "t.yaml::Web".into(),
            span: Span::new(file.id, 13, 16),
            attrs: BTreeMap::new(),
            exists: Existence::Yes,
            module_calls: Vec::new(),
            metadata: Some(metadata),
        };
        let mut findings = vec![finding(&file, "SG001", 3), finding(&file, "SG004", 3)];
        for f in &mut findings {
            f.resource = "Web".into();
            f.resource_span = resource.span;
        }
        let notes = apply(&mut findings, &[resource], &sources, &aliases(), &[]);
        assert!(findings.is_empty());
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].rule, NO_REASON.id);
        assert_eq!(notes[0].span, entry_span);
    }

    #[test]
    fn comment_blocks_stop_at_code() {
        let c = CommentIndex::new("# a\n// b\nx = 1\n/* c */\n * d\ny = 2\n");
        assert!(c.all_comments(1, 3));
        assert!(!c.all_comments(1, 4));
        assert!(c.all_comments(4, 6));
        assert!(c.all_comments(2, 2));
        assert!(!c.all_comments(1, 99));
    }

    #[test]
    fn marker_parsing() {
        let a = aliases();
        let s = parse_marker("sgcheck:ignore", " SG001,SG005 -- reviewed */", &a).unwrap();
        assert_eq!(s.rules, vec!["SG001", "SG005"]);
        assert_eq!(s.reason.as_deref(), Some("reviewed"));
        assert!(parse_marker("sgcheck:ignore", "", &a).is_none());
        let s = parse_marker(
            "tfsec:ignore:",
            "aws-ec2-no-public-ingress-sgr:exp:2025-01-01",
            &a,
        );
        assert_eq!(s.unwrap().rules, vec!["SG004"]);
        assert!(parse_marker("trivy:ignore:", "AVD-AWS-9999", &a).is_none());
        let s = parse_marker("checkov:skip=", "CKV_AWS_260:public web", &a).unwrap();
        assert_eq!(s.reason.as_deref(), Some("public web"));
        assert_eq!(s.form, Form::ForeignWithReason);
    }
}
