//! Baselines: today's findings recorded by fingerprint (rule, resource, normalized message — not
//! line numbers), so later runs report only findings that are new.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::fingerprint;
use crate::finding::Finding;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

/// One recorded finding; only `fingerprint` is compared, the rest is for reviewers.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    fingerprint: String,
    rule: String,
    resource: String,
    message: String,
}

/// Recorded fingerprints with how often each occurred.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    counts: BTreeMap<String, usize>,
}

/// The baseline file for `findings` (JSON, sorted by fingerprint).
pub fn write(findings: &[Finding]) -> String {
    let mut entries: Vec<Entry> = findings
        .iter()
        .map(|f| Entry {
            fingerprint: fingerprint(f),
            rule: f.rule.to_string(),
            resource: f.resource.clone(),
            message: f.message.clone(),
        })
        .collect();
    entries.sort_by(|a, b| (&a.fingerprint, &a.message).cmp(&(&b.fingerprint, &b.message)));
    let file = BaselineFile {
        version: 1,
        findings: entries,
    };
    let mut out = super::escape::to_json_pretty(&file);
    out.push('\n');
    out
}

/// Parses a baseline file written by [`write`].
pub fn parse(text: &str) -> Result<Baseline, String> {
    let file: BaselineFile =
        serde_json::from_str(text).map_err(|e| format!("invalid baseline: {e}"))?;
    if file.version != 1 {
        return Err(format!("unsupported baseline version {}", file.version));
    }
    let mut counts = BTreeMap::new();
    for e in file.findings {
        *counts.entry(e.fingerprint).or_insert(0) += 1;
    }
    Ok(Baseline { counts })
}

impl Baseline {
    /// Drops the findings the baseline records (each recorded occurrence absorbs one finding)
    /// and returns how many were dropped.
    pub fn filter(&self, findings: &mut Vec<Finding>) -> usize {
        let mut left = self.counts.clone();
        let before = findings.len();
        findings.retain(|f| match left.get_mut(&fingerprint(f)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        });
        before - findings.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;
    use crate::source::Span;

    #[test]
    fn recorded_findings_are_dropped_even_when_they_move() {
        let report = sample_report();
        let baseline = parse(&write(&report.findings)).unwrap();
        let mut moved = report.findings.clone();
        moved[0].span = Span::new(moved[0].span.file, 0, 3);
        let mut new = moved[0].clone();
        new.message = "security group 'web' allows RDP (tcp/3389) from 0.0.0.0/0".into();
        moved.push(new);
        // the same finding twice: only one occurrence is recorded
        moved.push(report.findings[0].clone());
        assert_eq!(baseline.filter(&mut moved), 1);
        assert_eq!(moved.len(), 2);
        assert!(moved[0].message.contains("RDP"));
    }

    #[test]
    fn bad_baselines_are_rejected() {
        assert!(parse("{").is_err());
        assert!(parse(r#"{"version": 2, "findings": []}"#).is_err());
        assert!(parse(r#"{"version": 1, "findings": [], "extra": 1}"#).is_err());
        assert_eq!(
            parse(r#"{"version": 1, "findings": []}"#),
            Ok(Baseline::default())
        );
    }
}
