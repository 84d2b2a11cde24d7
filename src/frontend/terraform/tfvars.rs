//! Root module variable values: defaults, tfvars files, `--var-file` and `--var`.

use super::ast::Body;
use super::instance::Binding;
use super::module::Module;
use crate::ir::Origin;
use foldhash::HashMap;

/// One parsed variable-definitions file.
pub struct VarFile {
    pub body: Body,
    /// How origins name the file: `terraform.tfvars`, or the path of a `--var-file`.
    pub label: String,
}

/// Load order of an auto-loaded tfvars file name, or None when it is not auto-loaded:
/// `terraform.tfvars` < `terraform.tfvars.json` < `*.auto.tfvars[.json]` (lexical).
pub fn auto_load_rank(name: &str) -> Option<(u8, String)> {
    match name {
        "terraform.tfvars" => Some((0, String::new())),
        "terraform.tfvars.json" => Some((1, String::new())),
        n if n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json") => {
            Some((2, n.to_string()))
        }
        _ => None,
    }
}

/// Bindings of a root module's variables; `layers` in increasing precedence, then `cli`.
pub fn root_bindings<'r>(
    module: &Module,
    layers: &[&'r VarFile],
    cli: &[(String, String)],
) -> HashMap<String, Binding<'r>> {
    module
        .variables
        .iter()
        .map(|(name, decl)| {
            let mut b = if decl.default.is_some() {
                Binding::Default
            } else {
                Binding::Missing
            };
            for layer in layers {
                if let Some(a) = layer.body.attr(name) {
                    let origin = Origin {
                        span: a.expr.span,
                        message: format!("value comes from variable '{name}' in {}", layer.label)
                            .into(),
                    };
                    b = Binding::Expr(&a.expr, origin);
                }
            }
            if let Some((_, v)) = cli.iter().rev().find(|(k, _)| k == name) {
                b = Binding::Cli(v.clone());
            }
            (name.clone(), b)
        })
        .collect()
}
