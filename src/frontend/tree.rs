//! A spanned YAML/JSON document tree shared by the CloudFormation frontend and `.tf.json`.
//!
//! Both parsers produce the same [`Node`] tree: mappings keep their insertion order and every
//! key and value carries its byte [`Span`]. YAML tags (`!Ref`, `!Sub`, …) stay on the node
//! with the span of the tag token. Duplicate keys are errors naming both locations.

use crate::ir::Diagnostic;
use crate::source::{SourceFile, Span};
use foldhash::HashMap;

pub mod json;
mod yaml;

pub use json::parse_json;
pub use yaml::parse_yaml;

/// Deepest nesting of collections accepted in a document (deeper input is a spanned error,
/// never a stack overflow).
pub const MAX_DEPTH: usize = 200;

/// One value of the document.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    /// The value, including its tag when it has one.
    pub span: Span,
    /// A YAML tag as written (`!Ref`, `!!str`) and the span of the tag token.
    pub tag: Option<(String, Span)>,
}

/// The shape of a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Seq(Vec<Node>),
    /// Entries in document order (keys are unique).
    Map(Vec<(Key, Node)>),
}

/// A mapping key and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub name: String,
    pub span: Span,
}

impl Node {
    /// The value under `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key and value under `key` when this is a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Key, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(k, v)| (k, v))
    }

    /// The entries when this is a mapping.
    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.kind {
            NodeKind::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The elements when this is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The text when this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The tag name without its leading `!` (`Ref` for `!Ref`).
    pub fn tag_name(&self) -> Option<&str> {
        self.tag
            .as_ref()
            .map(|(t, _)| t.strip_prefix('!').unwrap_or(t))
    }
}

/// Finds duplicate keys of one mapping being built: a scan while it is small, an index
/// once it is large (no allocation for the common small mapping).
#[derive(Default)]
struct KeySet {
    index: Option<HashMap<String, Span>>,
}

/// Mappings with more entries than this are indexed.
const SCAN_LIMIT: usize = 32;

impl KeySet {
    /// Checks `key` against the `entries` before it; a duplicate is an error at the second
    /// key naming the first one's line.
    fn check(
        &mut self,
        file: &SourceFile,
        entries: &[(Key, Node)],
        key: &Key,
    ) -> Result<(), Diagnostic> {
        let first = if entries.len() < SCAN_LIMIT {
            entries
                .iter()
                .find(|(k, _)| k.name == key.name)
                .map(|(k, _)| k.span)
        } else {
            let index = self.index.get_or_insert_with(|| {
                entries
                    .iter()
                    .map(|(k, _)| (k.name.clone(), k.span))
                    .collect()
            });
            let first = index.get(&key.name).copied();
            index.entry(key.name.clone()).or_insert(key.span);
            first
        };
        match first {
            None => Ok(()),
            Some(first) => Err(Diagnostic {
                span: key.span,
                message: format!(
                    "duplicate key '{}' (first defined at line {})",
                    key.name,
                    file.line_col(first.start as usize).line
                ),
            }),
        }
    }
}

/// A diagnostic at body offset `offset` (one character wide when the text has one there).
fn error_at(file: &SourceFile, offset: usize, message: String) -> Diagnostic {
    let body = file.body();
    let mut offset = offset.min(body.len());
    while !body.is_char_boundary(offset) {
        offset -= 1;
    }
    let end = body[offset..]
        .chars()
        .next()
        .map_or(offset, |c| offset + c.len_utf8());
    Diagnostic {
        span: file.body_span(offset, end),
        message,
    }
}

#[cfg(test)]
mod tests;
