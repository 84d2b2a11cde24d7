//! SG006: a VPC's default security group keeps or is given rules.

use super::{At, Ctx, Rule};
use crate::model::{NetModel, SgKind};

pub static RULE: Rule = crate::rule!("SG006", check);

fn check(m: &NetModel, cx: &mut Ctx) {
    for sg in m.sgs.iter().filter(|s| s.kind == SgKind::VpcDefault) {
        let declared: Vec<_> = sg.rules.iter().filter(|r| !r.implicit).collect();
        let Some(first) = declared.first() else {
            continue;
        };
        let mut blocks: Vec<_> = declared.iter().map(|r| r.rule_span).collect();
        blocks.dedup();
        let message = format!(
            "the default security group of {} has {} declared rule{}; resources that name no group get them",
            m.vpcs.iter().find(|v| m.sgs[v.default_sg].key == sg.key).map_or("its VPC", |v| v.address.as_str()),
            blocks.len(),
            if blocks.len() == 1 { "" } else { "s" }
        );
        cx.report(
            &RULE,
            At {
                span: first.rule_span,
                label: "rule on the default security group".into(),
                resource: first.resource.clone(),
                resource_span: first.resource_span,
            },
            message,
        );
    }
}
