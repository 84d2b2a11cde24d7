//! SG007: a security group or rule without a description.

use super::{At, Ctx, Rule};
use crate::model::{NetModel, SgKind};
use foldhash::HashSet;

pub static RULE: Rule = crate::rule!("SG007", check);

fn check(m: &NetModel, cx: &mut Ctx) {
    for sg in m
        .sgs
        .iter()
        .filter(|s| !s.implicit && s.kind == SgKind::Declared)
    {
        if !sg.has_description {
            cx.report(
                &RULE,
                At {
                    span: sg.span,
                    label: "no description".into(),
                    resource: sg.address.clone(),
                    resource_span: sg.span,
                },
                format!("security group '{}' has no description", sg.name),
            );
        }
    }
    let mut seen = HashSet::default();
    for sg in &m.sgs {
        for r in sg
            .rules
            .iter()
            .filter(|r| !r.implicit && !r.has_description)
        {
            if !seen.insert(r.rule_span) {
                continue;
            }
            let dir = if r.egress { "egress" } else { "ingress" };
            cx.report(
                &RULE,
                At {
                    span: r.rule_span,
                    label: "no description".into(),
                    resource: sg.address.clone(),
                    resource_span: r.resource_span,
                },
                format!(
                    "{dir} rule of security group '{}' has no description",
                    sg.name
                ),
            );
        }
    }
}
