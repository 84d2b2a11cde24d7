//! NACL002: a NACL entry that can never match.

use super::nacl_entries::{covering, effective};
use super::{related, At, Ctx, Rule};
use crate::model::NetModel;

pub static RULE: Rule = crate::rule!("NACL002", check);

fn check(m: &NetModel, cx: &mut Ctx) {
    for n in &m.nacls {
        for e in n
            .entries
            .iter()
            .filter(|e| !e.implicit && e.maybe.is_none())
        {
            if effective(n, e).is_none_or(|pieces| !pieces.is_empty()) {
                continue;
            }
            let before = covering(n, e);
            let numbers: Vec<String> = before.iter().map(|x| x.rule_no.to_string()).collect();
            let dir = if e.egress { "outbound" } else { "inbound" };
            let f = cx.report(
                &RULE,
                At {
                    span: e.cite.span,
                    label: "can never match".into(),
                    resource: e.resource.clone(),
                    resource_span: e.resource_span,
                },
                format!(
                    "{} {dir} rule {} can never match: lower-numbered rule{} {} decide all of its traffic first",
                    n.address,
                    e.rule_no,
                    if numbers.len() == 1 { "" } else { "s" },
                    numbers.join(", ")
                ),
            );
            f.related = before.iter().map(|x| related(&x.cite)).collect();
        }
    }
}
