//! NET004: a resource lands in the default VPC.

use super::{At, Ctx, Rule};
use crate::model::NetModel;

pub static RULE: Rule = crate::rule!("NET004", check);

fn check(m: &NetModel, cx: &mut Ctx) {
    for ep in &m.endpoints {
        if let Some(c) = &ep.default_vpc_cite {
            cx.report(
                &RULE,
                At {
                    span: c.span,
                    label: "lands in the default VPC".into(),
                    resource: ep.resource.clone(),
                    resource_span: ep.span,
                },
                c.message.replace(" (implicit)", ""),
            );
        }
    }
    for sg in m.sgs.iter().filter(|s| s.in_default_vpc && !s.implicit) {
        cx.report(
            &RULE,
            At {
                span: sg.span,
                label: "no VPC given".into(),
                resource: sg.address.clone(),
                resource_span: sg.span,
            },
            format!(
                "security group '{}' names no VPC, so it is created in the default VPC",
                sg.name
            ),
        );
    }
    for r in m
        .resources
        .iter()
        .filter(|r| matches!(r.kind.as_str(), "aws_default_vpc" | "aws_default_subnet"))
    {
        cx.report(
            &RULE,
            At {
                span: r.span,
                label: "default VPC".into(),
                resource: r.address.clone(),
                resource_span: r.span,
            },
            format!("{} manages the account's default VPC, whose subnets hand out public IPv4 addresses", r.address),
        );
    }
}
