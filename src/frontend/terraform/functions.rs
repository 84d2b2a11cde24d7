//! Terraform built-in functions over evaluated values.

use crate::ir::Val;
use crate::source::Span;

/// Calls the built-in `name` with evaluated `args`; `span` is the call expression.
/// An unknown argument makes the result unknown; `Err` is a Terraform error (bad arity, bad
/// argument type, unknown function).
pub fn call(name: &str, args: &[Val], span: Span) -> Result<Val, String> {
    let _ = (args, span);
    Err(format!("function '{name}' is not supported"))
}
