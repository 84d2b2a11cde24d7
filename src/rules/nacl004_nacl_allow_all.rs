//! NACL004: an explicit NACL entry allows every protocol and port from the internet inbound.

use super::nacl_entries::effective;
use super::{At, Ctx, Rule};
use crate::model::{NetModel, K};
use crate::net::sets::{is_internet_wide, Addrs, Proto};

pub static RULE: Rule = crate::rule!("NACL004", check);

fn check(m: &NetModel, cx: &mut Ctx) {
    for n in &m.nacls {
        for e in n
            .entries
            .iter()
            .filter(|e| !e.egress && e.allow && !e.implicit)
        {
            let (K::Known(net), K::Known(Proto::All)) = (&e.cidr, &e.proto) else {
                continue;
            };
            if !is_internet_wide(&Addrs::from_net(net))
                || effective(n, e).is_none_or(|p| p.is_empty())
            {
                continue;
            }
            cx.report(
                &RULE,
                At {
                    span: e.cite.span,
                    label: "allows everything from the internet".into(),
                    resource: e.resource.clone(),
                    resource_span: e.resource_span,
                },
                format!(
                    "{} inbound rule {} allows all protocols and ports from {net}",
                    n.address, e.rule_no
                ),
            );
        }
    }
}
