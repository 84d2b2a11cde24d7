//! Findings: what rules report, as plain data for every output format.

use crate::source::Span;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    /// The contract's spelling: `error`, `warning`, `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }

    /// Parses the contract's spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "note" => Some(Severity::Note),
            _ => None,
        }
    }
}

/// Whether the verdict rests only on known values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Confidence {
    Definite,
    Possible,
}

impl Confidence {
    /// The contract's spelling: `definite`, `possible`.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Definite => "definite",
            Confidence::Possible => "possible",
        }
    }
}

/// A secondary location with its role in the finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// One reported problem.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub rule: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    pub span: Span,
    /// Short label for the primary span in human output.
    pub label: String,
    pub message: String,
    /// Terraform address or CloudFormation logical id.
    pub resource: String,
    /// Where the resource is declared (its block header or logical id), for suppressions.
    pub resource_span: Span,
    pub related: Vec<Related>,
    /// Extra lines for human output (e.g. which element blocks a path).
    pub notes: Vec<String>,
}
