//! CloudFormation templates (YAML and JSON) lowered to IR resources.
//!
//! A file is a template when its top level has `AWSTemplateFormatVersion`, or a `Resources`
//! map with an `AWS::`/`Alexa::`/`Custom::` typed entry. Each resource's `Properties` are
//! evaluated (intrinsics included) into attributes; `Condition`s decide whether it exists.

mod conditions;
mod eval;
mod functions;

use std::collections::BTreeMap;

use conditions::Cond;
pub use eval::REF_ATTR;
use eval::{Eval, Template};

use crate::budget::Budget;
use crate::frontend::tree::{parse_json, parse_yaml, Node};
use crate::ir::{Diagnostic, Existence, Frontend, Lowered, Resource, Skip, Val, Value};
use crate::settings::Settings;
use crate::source::SourceFile;

/// Transforms whose templates are linted as written.
const EVALUATED_TRANSFORMS: &[&str] = &["AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"];

/// Resource type prefixes that mark a template.
const TYPE_PREFIXES: &[&str] = &["AWS::", "Alexa::", "Custom::"];

/// Lowers `file` when its content is a CloudFormation template; `None` for other YAML/JSON
/// (Kubernetes manifests, package.json, workflows), which are skipped silently.
pub fn lower_file(file: &SourceFile, settings: &Settings) -> Option<Lowered> {
    let text = file.body();
    if !text.contains("AWSTemplateFormatVersion") && !TYPE_PREFIXES.iter().any(|p| text.contains(p))
    {
        return None;
    }
    // one budget for the template: its YAML aliases' expansion, then its evaluation
    let budget = Budget::new(eval::STEPS);
    let root = match parse(file, &budget) {
        Ok(root) => root,
        Err(d) => {
            return looks_like_template(text).then(|| Lowered {
                errors: vec![d],
                ..Lowered::default()
            })
        }
    };
    is_template(&root).then(|| lower_template(file, settings, &root, &budget))
}

/// JSON when the text starts with `{`, else YAML. JSON that fails strict parsing is read as
/// YAML (a superset CloudFormation also accepts); if that fails too, the JSON error stands.
fn parse(file: &SourceFile, budget: &Budget) -> Result<Node, Diagnostic> {
    if file.body().trim_start().starts_with('{') {
        parse_json(file).or_else(|e| parse_yaml(file, budget).map_err(|_| e))
    } else {
        parse_yaml(file, budget)
    }
}

/// Text that failed to parse is reported only when it is clearly meant as a template.
fn looks_like_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || text
            .lines()
            .any(|l| l.contains("Type") && TYPE_PREFIXES.iter().any(|p| l.contains(p)))
}

fn is_template(root: &Node) -> bool {
    root.get("AWSTemplateFormatVersion").is_some()
        || root
            .get("Resources")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .any(|(_, r)| {
                r.get("Type")
                    .and_then(Node::as_str)
                    .is_some_and(|t| TYPE_PREFIXES.iter().any(|p| t.starts_with(p)))
            })
}

/// Lowers the resources of a template; none when its budget runs out (the error says so).
fn lower_template(file: &SourceFile, settings: &Settings, root: &Node, budget: &Budget) -> Lowered {
    let mut out = Lowered::default();
    if let Some(skip) = unsupported_transform(root) {
        out.skipped.push(skip);
        return out;
    }
    let resources = match root.get("Resources") {
        None => return out,
        Some(r) if r.as_map().is_some() => r,
        Some(r) => {
            out.errors.push(Diagnostic {
                span: r.span,
                message: "Resources must be a mapping".to_string(),
            });
            return out;
        }
    };
    let mut ev = Eval::new(
        Template {
            file,
            settings,
            parameters: root.get("Parameters"),
            conditions: root.get("Conditions"),
            mappings: root.get("Mappings"),
            resources: Some(resources),
        },
        budget,
    );
    for (key, node) in resources.as_map().unwrap_or_default() {
        if budget.is_spent() {
            break;
        }
        let id = &key.name;
        ev.resource_id.clone_from(id);
        if id.starts_with("Fn::ForEach::") {
            out.skipped.push(Skip {
                span: key.span,
                reason: "Transform AWS::LanguageExtensions (Fn::ForEach) is not evaluated"
                    .to_string(),
            });
            continue;
        }
        let kind = match node.get("Type") {
            Some(t) if t.tag.is_none() && t.as_str().is_some() => t.as_str().unwrap_or_default(),
            other => {
                out.skipped.push(Skip {
                    span: other.map_or(key.span, |t| t.span),
                    reason: format!("resource '{id}' has no Type string"),
                });
                continue;
            }
        };
        let exists = match node.get("Condition") {
            None => Existence::Yes,
            Some(c) => match c.as_str().map(|name| (name, ev.condition(name))) {
                Some((_, Cond::Known(true))) => Existence::Yes,
                Some((_, Cond::Known(false))) => continue,
                Some((name, Cond::Unknown(reason))) => Existence::Maybe(Val::unknown(
                    format!("condition '{name}' is unknown because {reason}"),
                    c.span,
                )),
                None => Existence::Maybe(Val::unknown("Condition is not a name", c.span)),
            },
        };
        let attrs = match node.get("Properties").and_then(|p| ev.eval(p)) {
            Some(Val {
                value: Value::Map(m),
                ..
            }) => m,
            _ => BTreeMap::new(),
        };
        count_unknowns(&attrs, &mut out.unknowns);
        out.resources.push(Resource {
            frontend: Frontend::CloudFormation,
            kind: kind.to_string(),
            address: id.clone(),
            key: ev.key(id),
            span: key.span,
            attrs,
            exists,
            module_calls: Vec::new(),
            metadata: node.get("Metadata").and_then(|m| ev.eval(m)),
        });
    }
    out.errors.append(&mut ev.errors);
    if budget.is_spent() {
        out.resources.clear();
        out.unknowns.clear();
    }
    out
}

/// A skip for a `Transform` (macro) whose output cannot be known from the template.
fn unsupported_transform(root: &Node) -> Option<Skip> {
    let t = root.get("Transform")?;
    let names: Vec<&Node> = match t.as_seq() {
        Some(items) => items.iter().collect(),
        None => vec![t],
    };
    names.into_iter().find_map(|n| {
        let name = n.as_str().or_else(|| n.get("Name")?.as_str());
        match name {
            Some(name) if EVALUATED_TRANSFORMS.contains(&name) => None,
            name => Some(Skip {
                span: n.span,
                reason: format!("Transform {} is not evaluated", name.unwrap_or("?")),
            }),
        }
    })
}

/// Counts the unknown values in `attrs` by the class of their reason.
fn count_unknowns(attrs: &BTreeMap<String, Val>, counts: &mut BTreeMap<String, usize>) {
    let mut stack: Vec<&Val> = attrs.values().collect();
    while let Some(v) = stack.pop() {
        match &v.value {
            Value::List(items) => stack.extend(items),
            Value::Map(m) => stack.extend(m.values()),
            Value::Unknown(u) => {
                *counts
                    .entry(reason_class(&u.reason).to_string())
                    .or_default() += 1
            }
            _ => {}
        }
    }
}

/// The summary class of an unknown's reason.
fn reason_class(reason: &str) -> &'static str {
    const CLASSES: &[(&str, &str)] = &[
        ("is read from SSM", "SSM parameter"),
        ("has no value", "parameter without value"),
        ("pseudo parameter", "pseudo parameter"),
        ("Fn::ImportValue", "Fn::ImportValue"),
        ("Fn::GetAZs", "Fn::GetAZs"),
        ("known only after deploy", "resource attribute"),
        ("Fn::Transform", "Fn::Transform"),
    ];
    let cause = reason.rsplit(" because ").next().unwrap_or(reason);
    CLASSES
        .iter()
        .find(|(needle, _)| cause.contains(needle))
        .map_or("other", |(_, class)| class)
}

#[cfg(test)]
mod tests;
