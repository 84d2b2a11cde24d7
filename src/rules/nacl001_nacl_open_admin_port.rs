//! NACL001: an effective NACL entry allows ingress from the internet to SSH or RDP.

use super::nacl_entries::effective;
use super::{At, Ctx, Rule};
use crate::model::{NetModel, K};
use crate::net::sets::{is_internet_wide, Addrs, Ports, Proto};

pub static RULE: Rule = crate::rule!("NACL001", check);

fn check(m: &NetModel, cx: &mut Ctx) {
    let admin = Ports::from_iter([22..=22, 3389..=3389]);
    for n in &m.nacls {
        for e in n
            .entries
            .iter()
            .filter(|e| !e.egress && e.allow && !e.implicit)
        {
            let (K::Known(net), K::Known(p)) = (&e.cidr, &e.proto) else {
                continue;
            };
            if !matches!(p, Proto::Tcp | Proto::Udp | Proto::All)
                || !is_internet_wide(&Addrs::from_net(net))
            {
                continue;
            }
            let hit = effective(n, e)
                .unwrap_or_default()
                .into_iter()
                .map(|(_, ports)| &ports & &admin)
                .fold(Ports::new(), |a, b| &a | &b);
            if hit.is_empty() {
                continue;
            }
            let ports: Vec<String> = hit.iter().map(|p| p.to_string()).collect();
            cx.report(
                &RULE,
                At {
                    span: e.cite.span,
                    label: "allows admin ports from the internet".into(),
                    resource: e.resource.clone(),
                    resource_span: e.resource_span,
                },
                format!(
                    "{} inbound rule {} allows {} to port {} from {net}",
                    n.address,
                    e.rule_no,
                    if *p == Proto::All {
                        "all traffic".to_string()
                    } else {
                        p.to_string()
                    },
                    ports.join(", ")
                ),
            );
        }
    }
}
