//! YAML → [`Node`] through granit-parser events, without recursion.

use foldhash::HashMap;
use granit_parser::{Event, Marker, Parser, ScalarStyle, StructureStyle, Tag};

use super::{error_at, Key, KeySet, Node, NodeKind, MAX_DEPTH};
use crate::budget::{Budget, BYTES};
use crate::ir::Diagnostic;
use crate::source::{SourceFile, Span};

/// Most nodes alias expansion may add to one document (refuses "billion laughs" input).
pub const ALIAS_BUDGET: usize = 100_000;

/// Heap cost of a node of the tree, besides its text.
const NODE_BYTES: u64 = std::mem::size_of::<(Key, Node)>() as u64;

/// Parses the first document of a YAML file. Plain scalars are typed as CloudFormation's
/// YAML 1.1 reader does (`true`/`True`, numbers, `null`/`~`); quoted and block scalars stay
/// strings; aliases are expanded within [`ALIAS_BUDGET`] nodes and the bytes left in `budget`
/// (the copies are paid for from it); nesting is limited to [`MAX_DEPTH`].
pub fn parse_yaml(file: &SourceFile, budget: &Budget) -> Result<Node, Diagnostic> {
    let body = file.body();
    let mut b = Builder {
        file,
        budget,
        stack: Vec::new(),
        anchors: HashMap::default(),
        expanded: 0,
        root: None,
    };
    for event in Parser::new_from_str(body) {
        let (event, span) = event.map_err(|e| {
            error_at(
                file,
                offset(e.marker()),
                format!("invalid YAML: {}", e.info()),
            )
        })?;
        let (start, end) = (offset(&span.start), offset(&span.end));
        // A tag whose token span is unavailable points at its node.
        let tag_span = span.tag_span().map_or(file.body_span(start, start), |t| {
            file.body_span(offset(&t.start), offset(&t.end))
        });
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.map_or((None, None), |t| b.tag(&t, tag_span));
                // The text as written names a key (also through an alias of an anchor).
                let raw = (anchor != 0 || b.expects_key()).then(|| text.to_string());
                let node = scalar(text.into_owned(), style, tag, file.body_span(start, end));
                b.push(node, raw, anchor)?;
            }
            Event::SequenceStart(style, anchor, tag) => {
                let tag = tag.and_then(|t| b.tag(&t, tag_span).0);
                b.open(true, style, anchor, tag, start)?;
            }
            Event::MappingStart(style, anchor, tag) => {
                let tag = tag.and_then(|t| b.tag(&t, tag_span).0);
                b.open(false, style, anchor, tag, start)?;
            }
            Event::SequenceEnd | Event::MappingEnd => b.close(end)?,
            Event::Alias(id) => b.alias(id, file.body_span(start, end))?,
            Event::DocumentEnd | Event::StreamEnd => {
                if let Some(root) = b.root.take() {
                    return Ok(root.node);
                }
            }
            _ => {}
        }
    }
    Ok(Node {
        kind: NodeKind::Null,
        span: file.body_span(0, 0),
        tag: None,
    })
}

/// Byte offset of a marker (parsing a `&str` always provides one).
fn offset(m: &Marker) -> usize {
    m.byte_offset().unwrap_or(m.index())
}

/// A finished node with what alias checks need.
#[derive(Clone)]
struct Built {
    node: Node,
    /// The scalar as written, for mapping keys.
    raw: Option<String>,
    /// Nodes in the subtree.
    size: usize,
    /// Heap cost of the subtree: a fixed cost per node and the bytes of its text.
    bytes: u64,
    /// Collection levels in the subtree.
    height: usize,
}

/// A collection being read.
struct Frame {
    items: Items,
    start: usize,
    flow: bool,
    anchor: usize,
    tag: Option<(String, Span)>,
    size: usize,
    bytes: u64,
    height: usize,
    last_end: usize,
}

enum Items {
    Seq(Vec<Node>),
    Map {
        entries: Vec<(Key, Node)>,
        keys: KeySet,
        pending: Option<Key>,
    },
}

struct Builder<'a> {
    file: &'a SourceFile,
    budget: &'a Budget,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Built>,
    expanded: usize,
    root: Option<Built>,
}

impl Builder<'_> {
    /// A tag as written, or `None` for YAML core tags (`!!str`), which only set the type.
    fn tag(&self, tag: &Tag, span: Span) -> (Option<(String, Span)>, Option<String>) {
        if let Some(core) = tag.core_suffix() {
            return (None, Some(core.to_string()));
        }
        let text = self
            .file
            .text
            .get(span.range())
            .filter(|t| t.starts_with('!'))
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}{}", tag.original_handle(), tag.suffix()));
        (Some((text, span)), None)
    }

    fn open(
        &mut self,
        seq: bool,
        style: StructureStyle,
        anchor: usize,
        tag: Option<(String, Span)>,
        start: usize,
    ) -> Result<(), Diagnostic> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(error_at(
                self.file,
                start,
                format!("YAML nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        let start = tag
            .as_ref()
            .map_or(start, |(_, s)| start.min(self.body_offset(*s)));
        self.stack.push(Frame {
            items: if seq {
                Items::Seq(Vec::new())
            } else {
                Items::Map {
                    entries: Vec::new(),
                    keys: KeySet::default(),
                    pending: None,
                }
            },
            start,
            flow: style == StructureStyle::Flow,
            anchor,
            size: 1,
            bytes: NODE_BYTES + tag.as_ref().map_or(0, |(t, _)| t.len() as u64),
            tag,
            height: 1,
            last_end: start,
        });
        Ok(())
    }

    fn body_offset(&self, span: Span) -> usize {
        (span.start as usize).saturating_sub(self.file.body_offset())
    }

    fn close(&mut self, end: usize) -> Result<(), Diagnostic> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let end = if frame.flow {
            end.max(frame.last_end)
        } else {
            frame.last_end
        };
        let kind = match frame.items {
            Items::Seq(items) => NodeKind::Seq(items),
            Items::Map { entries, .. } => NodeKind::Map(entries),
        };
        let built = Built {
            node: Node {
                kind,
                span: self.file.body_span(frame.start, end),
                tag: frame.tag,
            },
            raw: None,
            size: frame.size,
            bytes: frame.bytes,
            height: frame.height,
        };
        self.finish(built, frame.anchor)
    }

    /// True when the next node is a mapping key.
    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                items: Items::Map { pending: None, .. },
                ..
            })
        )
    }

    fn push(&mut self, node: Node, raw: Option<String>, anchor: usize) -> Result<(), Diagnostic> {
        let text = match &node.kind {
            NodeKind::String(s) => s.len(),
            _ => 0,
        } + node.tag.as_ref().map_or(0, |(t, _)| t.len());
        let built = Built {
            node,
            raw,
            size: 1,
            bytes: NODE_BYTES + text as u64,
            height: 0,
        };
        self.finish(built, anchor)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), Diagnostic> {
        let at = self.body_offset(span);
        let Some(target) = self.anchors.get(&id) else {
            return Err(error_at(
                self.file,
                at,
                "YAML alias refers to a node that contains it".to_string(),
            ));
        };
        self.expanded += target.size;
        if self.expanded > ALIAS_BUDGET {
            return Err(error_at(
                self.file,
                at,
                format!("YAML aliases expand to more than {ALIAS_BUDGET} nodes"),
            ));
        }
        if self.budget.take(target.bytes).is_err() {
            return Err(error_at(
                self.file,
                at,
                format!(
                    "YAML aliases expand to more than {} MB (the template's evaluation budget)",
                    BYTES >> 20
                ),
            ));
        }
        if self.stack.len() + target.height > MAX_DEPTH {
            return Err(error_at(
                self.file,
                at,
                format!("YAML alias nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        let mut built = Built {
            node: target.node.clone(),
            // the text as written only matters for a key (which is short)
            raw: target.raw.clone().filter(|_| self.expects_key()),
            ..*target
        };
        // The copy is reported where the alias is written.
        built.node.span = span;
        self.finish(built, 0)
    }

    /// Attaches a finished node to its parent (or makes it the root).
    fn finish(&mut self, built: Built, anchor: usize) -> Result<(), Diagnostic> {
        if anchor != 0 {
            self.anchors.insert(anchor, built.clone());
        }
        let end = self.body_end(built.node.span);
        let Some(parent) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(built);
            }
            return Ok(());
        };
        parent.size += built.size;
        parent.bytes += built.bytes;
        parent.height = parent.height.max(built.height + 1);
        parent.last_end = parent.last_end.max(end);
        match &mut parent.items {
            Items::Seq(items) => items.push(built.node),
            Items::Map {
                entries,
                keys,
                pending,
            } => match pending.take() {
                Some(key) => entries.push((key, built.node)),
                None => {
                    let Some(name) = built.raw else {
                        return Err(Diagnostic {
                            span: built.node.span,
                            message: "mapping keys must be scalars".to_string(),
                        });
                    };
                    let key = Key {
                        name,
                        span: built.node.span,
                    };
                    keys.check(self.file, entries, &key)?;
                    *pending = Some(key);
                }
            },
        }
        Ok(())
    }

    fn body_end(&self, span: Span) -> usize {
        (span.end as usize).saturating_sub(self.file.body_offset())
    }
}

/// A typed scalar node.
fn scalar(
    text: String,
    style: ScalarStyle,
    (tag, core): (Option<(String, Span)>, Option<String>),
    span: Span,
) -> Node {
    let kind = match (core.as_deref(), &tag, style) {
        (Some("str"), ..) | (None, Some(_), _) => NodeKind::String(text),
        (Some(_), ..) | (None, None, ScalarStyle::Plain) => plain(text),
        _ => NodeKind::String(text),
    };
    let span = tag.as_ref().map_or(span, |(_, t)| t.cover(span));
    Node { kind, span, tag }
}

/// YAML 1.1-style typing of a plain scalar.
fn plain(text: String) -> NodeKind {
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => NodeKind::Null,
        "true" | "True" | "TRUE" => NodeKind::Bool(true),
        "false" | "False" | "FALSE" => NodeKind::Bool(false),
        t => match number(t) {
            Some(n) => NodeKind::Number(n),
            None => NodeKind::String(text),
        },
    }
}

/// A decimal number; leading zeros (`012`, account ids, octal-looking text) stay strings.
fn number(text: &str) -> Option<f64> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let int_part = digits.split(['.', 'e', 'E']).next().unwrap_or(digits);
    if int_part.len() > 1 && int_part.starts_with('0') {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}
