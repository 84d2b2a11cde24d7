//! `terraform show -json` plan output: planned resources with their known values.
//!
//! Values unknown until apply are absent from `planned_values`; when the configuration
//! section names the resource attribute they come from (`aws_security_group.web.id`), they
//! become [`Value::Ref`]s, otherwise unknowns.

use std::collections::BTreeMap;
use std::sync::Arc;

use foldhash::HashMap;

use jsonc_parser::ast::{Object, Value as Json};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions};

use super::eval::COMPUTED;
use crate::ir::{Existence, Frontend, Lowered, RefTo, Resource, Val, Value};
use crate::source::{SourceFile, Span};

/// JSON nested deeper than this is not converted.
const MAX_DEPTH: usize = 64;

fn get<'a, 'b>(o: &'b Object<'a>, key: &str) -> Option<&'b Json<'a>> {
    o.properties
        .iter()
        .find(|p| p.name.as_str() == key)
        .map(|p| &p.value)
}

fn obj<'a, 'b>(v: Option<&'b Json<'a>>) -> Option<&'b Object<'a>> {
    match v {
        Some(Json::Object(o)) => Some(o),
        _ => None,
    }
}

fn array<'a, 'b>(v: Option<&'b Json<'a>>) -> &'b [Json<'a>] {
    match v {
        Some(Json::Array(a)) => &a.elements,
        _ => &[],
    }
}

fn text<'b>(v: Option<&'b Json>) -> Option<&'b str> {
    match v {
        Some(Json::StringLit(s)) => Some(&s.value),
        _ => None,
    }
}

/// Reads a plan; None when the file is not one (no `format_version` and `planned_values`).
pub fn read(file: &SourceFile) -> Option<Lowered> {
    let parsed = jsonc_parser::parse_to_ast(
        file.body(),
        &CollectOptions::default(),
        &ParseOptions::default(),
    )
    .ok()?;
    let root = obj(parsed.value.as_ref())?;
    get(root, "format_version")?;
    let planned = obj(get(root, "planned_values"))?;
    let mut unknown_after: HashMap<&str, &Object> = HashMap::default();
    for rc in array(get(root, "resource_changes")) {
        let Json::Object(rc) = rc else { continue };
        let change = obj(get(rc, "change"));
        if let (Some(addr), Some(au)) = (
            text(get(rc, "address")),
            change.and_then(|c| obj(get(c, "after_unknown"))),
        ) {
            unknown_after.insert(addr, au);
        }
    }
    let reader = Reader {
        file,
        config: obj(get(root, "configuration")).and_then(|c| obj(get(c, "root_module"))),
        unknown_after,
    };
    let mut out = Lowered::default();
    if let Some(m) = obj(get(planned, "root_module")) {
        reader.module(m, &mut out, 0);
    }
    Some(out)
}

struct Reader<'a, 'b> {
    file: &'b SourceFile,
    config: Option<&'b Object<'a>>,
    unknown_after: HashMap<&'b str, &'b Object<'a>>,
}

impl<'a, 'b> Reader<'a, 'b> {
    fn span(&self, v: &impl Ranged) -> Span {
        let r = v.range();
        self.file.body_span(r.start, r.end)
    }

    fn module(&self, m: &Object, out: &mut Lowered, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        for r in array(get(m, "resources")) {
            if let Json::Object(r) = r {
                if let Some(res) = self.resource(r) {
                    out.resources.push(res);
                }
            }
        }
        for child in array(get(m, "child_modules")) {
            if let Json::Object(c) = child {
                self.module(c, out, depth + 1);
            }
        }
    }

    fn resource(&self, r: &Object) -> Option<Resource> {
        let address_json = get(r, "address")?;
        let address = text(Some(address_json))?.to_string();
        let rtype = text(get(r, "type"))?;
        let data = text(get(r, "mode")) == Some("data");
        let mut attrs: BTreeMap<String, Val> = match obj(get(r, "values")) {
            Some(values) => values
                .properties
                .iter()
                .map(|p| (p.name.as_str().to_string(), self.val(&p.value, 0)))
                .collect(),
            None => BTreeMap::new(),
        };
        let span = self.span(address_json);
        if let Some(au) = self.unknown_after.get(address.as_str()) {
            for p in &au.properties {
                let name = p.name.as_str();
                let missing = attrs.get(name).is_none_or(Val::is_null);
                let computed = match &p.value {
                    Json::BooleanLit(b) => b.value,
                    Json::Array(a) => !a.elements.is_empty(),
                    _ => false,
                };
                if missing && computed {
                    let list = matches!(p.value, Json::Array(_));
                    attrs.insert(name.to_string(), self.computed(&address, name, list, span));
                }
            }
        }
        Some(Resource {
            frontend: Frontend::Terraform,
            kind: if data {
                format!("data.{rtype}")
            } else {
                rtype.to_string()
            },
            key: format!("{}::{address}", self.file.display_path()),
            address,
            span,
            attrs,
            exists: Existence::Yes,
            module_calls: Vec::new(),
            metadata: None,
        })
    }

    /// A value computed at apply: references to other resources' attributes named by the
    /// configuration, else unknown.
    fn computed(&self, address: &str, attr: &str, list: bool, span: Span) -> Val {
        let (modules, prefix, local) = split_module(address);
        let refs: Vec<Val> = self
            .references(&modules, local, attr)
            .into_iter()
            .filter_map(|r| resource_attr(&r).map(|(t, a)| (t.to_string(), a.to_string())))
            .map(|(target, a)| {
                let key = format!("{}::{prefix}{target}", self.file.display_path());
                Val::new(Value::Ref(Arc::new(RefTo { key, attr: a })), span)
            })
            .collect();
        match (list, refs.len()) {
            (_, 0) => Val::unknown(format!("{COMPUTED} ({address}.{attr})"), span),
            (true, _) => Val::new(Value::List(refs), span),
            (false, _) => refs
                .into_iter()
                .next()
                .unwrap_or_else(|| Val::new(Value::Null, span)),
        }
    }

    /// `references` of a resource argument in the configuration section.
    fn references(&self, modules: &[String], local: &str, attr: &str) -> Vec<String> {
        let mut m = self.config;
        for name in modules {
            m = m
                .and_then(|c| obj(get(c, "module_calls")))
                .and_then(|calls| obj(get(calls, name)))
                .and_then(|call| obj(get(call, "module")));
        }
        let base = local.split('[').next().unwrap_or(local);
        let Some(m) = m else { return Vec::new() };
        array(get(m, "resources"))
            .iter()
            .filter_map(|r| match r {
                Json::Object(r) if text(get(r, "address")) == Some(base) => Some(r),
                _ => None,
            })
            .filter_map(|r| obj(get(r, "expressions")).and_then(|e| obj(get(e, attr))))
            .flat_map(|e| array(get(e, "references")).iter())
            .filter_map(|r| text(Some(r)).map(str::to_string))
            .collect()
    }

    fn val(&self, v: &Json, depth: usize) -> Val {
        let span = self.span(v);
        let value = match v {
            _ if depth > MAX_DEPTH => return Val::unknown("plan value nested too deeply", span),
            Json::NullKeyword(_) => Value::Null,
            Json::BooleanLit(b) => Value::Bool(b.value),
            Json::NumberLit(n) => Value::Number(n.value.parse().unwrap_or(f64::NAN)),
            Json::StringLit(s) => Value::String(s.value.to_string()),
            Json::Array(a) => {
                Value::List(a.elements.iter().map(|e| self.val(e, depth + 1)).collect())
            }
            Json::Object(o) => Value::Map(
                o.properties
                    .iter()
                    .map(|p| (p.name.as_str().to_string(), self.val(&p.value, depth + 1)))
                    .collect(),
            ),
        };
        Val::new(value, span)
    }
}

/// `module.a["x"].module.b.aws_x.y[0]` → (["a", "b"], `module.a["x"].module.b.`, `aws_x.y[0]`).
fn split_module(address: &str) -> (Vec<String>, &str, &str) {
    let mut modules = Vec::new();
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find('.').unwrap_or(after.len());
        let segment = after.get(..end).unwrap_or(after);
        modules.push(segment.split('[').next().unwrap_or(segment).to_string());
        rest = after.get(end + 1..).unwrap_or("");
    }
    let prefix = address.get(..address.len() - rest.len()).unwrap_or("");
    (modules, prefix, rest)
}

/// `aws_x.y.attr` / `aws_x.y[0].attr` → (`aws_x.y` / `aws_x.y[0]`, `attr`); None for
/// variables, locals, module outputs and whole-resource references.
fn resource_attr(reference: &str) -> Option<(&str, &str)> {
    let (target, attr) = reference.rsplit_once('.')?;
    let first = target.split('.').next()?;
    let special = [
        "var",
        "local",
        "module",
        "count",
        "each",
        "path",
        "terraform",
        "self",
    ];
    let is_resource = !special.contains(&first)
        && target.matches('.').count() == if first == "data" { 2 } else { 1 };
    (is_resource && !attr.contains('[')).then_some((target, attr))
}
