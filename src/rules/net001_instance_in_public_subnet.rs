//! NET001: an instance, interface or autoscaling group placed in a public subnet.

use super::paths::{is_machine, public_placement};
use super::{related, At, Ctx, Rule};
use crate::model::NetModel;

pub static RULE: Rule = crate::rule!("NET001", check);

fn check(m: &NetModel, cx: &mut Ctx) {
    for ep in m.endpoints.iter().filter(|e| is_machine(e)) {
        let Some((placed, route, assoc)) = public_placement(m, ep) else {
            continue;
        };
        let f = cx.report(
            &RULE,
            At {
                span: placed.span,
                label: "placed in a public subnet".into(),
                resource: ep.resource.clone(),
                resource_span: ep.span,
            },
            format!("{} is placed in a public subnet (its route table sends the default route to an internet gateway)", ep.resource),
        );
        f.related.push(related(&route.anchored(ep.span)));
        f.related.push(related(&assoc.anchored(ep.span)));
    }
}
