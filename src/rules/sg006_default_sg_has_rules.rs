//! SG006: a VPC's default security group keeps or is given rules.

use super::{At, Ctx, Rule};
use crate::model::{NetModel, SgKind};
use foldhash::HashMap;

pub static RULE: Rule = crate::rule!("SG006", check);

fn check(m: &NetModel, cx: &mut Ctx) {
    // default group key → its VPC (the first VPC when several share a key)
    let mut vpc_of: HashMap<&str, &str> = HashMap::default();
    for v in &m.vpcs {
        vpc_of
            .entry(m.sgs[v.default_sg].key.as_str())
            .or_insert(v.address.as_str());
    }
    for sg in m.sgs.iter().filter(|s| s.kind == SgKind::VpcDefault) {
        let declared: Vec<_> = sg.rules.iter().filter(|r| !r.implicit).collect();
        let Some(first) = declared.first() else {
            continue;
        };
        let mut blocks: Vec<_> = declared.iter().map(|r| r.rule_span).collect();
        blocks.dedup();
        let message = format!(
            "the default security group of {} has {} declared rule{}; resources that name no group get them",
            vpc_of.get(sg.key.as_str()).copied().unwrap_or("its VPC"),
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
