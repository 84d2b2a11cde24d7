//! NACL003: traffic allowed one way whose replies the stateless NACL denies the other way.

use super::nacl_entries::effective;
use super::{related, At, Ctx, Rule};
use crate::model::{Nacl, NaclEntry, NetModel, K};
use crate::net::nacl::{sweep, Mode};
use crate::net::sets::{family_of, internet, Addrs, Ports, Proto};

pub static RULE: Rule = crate::rule!("NACL003", check);

/// Replies needed for `e`'s traffic that the opposite direction does not allow:
/// (reply ports allowed, first blocking entry) for the first internet address that lacks them.
fn missing_replies<'n>(
    n: &'n Nacl,
    e: &NaclEntry,
    client: &Ports,
) -> Option<(Proto, Ports, Option<&'n NaclEntry>)> {
    let K::Known(net) = &e.cidr else { return None };
    let fam = family_of(net);
    // an allow-all entry is judged by TCP, the traffic hosts initiate; inbound it also covers UDP
    let protos: &[Proto] = match e.proto {
        K::Known(Proto::All) if e.egress => &[Proto::Tcp],
        K::Known(Proto::All) => &[Proto::Tcp, Proto::Udp],
        K::Known(p @ (Proto::Tcp | Proto::Udp)) => std::slice::from_ref(match p {
            Proto::Tcp => &Proto::Tcp,
            _ => &Proto::Udp,
        }),
        _ => return None,
    };
    let inet = internet(fam);
    for (addrs, _) in effective(n, e)? {
        let mut bounds = Vec::new();
        addrs.and(&inet).boundaries(&mut bounds);
        for x in n.entries.iter().filter(|x| x.egress != e.egress) {
            if let K::Known(c) = &x.cidr {
                Addrs::from_net(c).boundaries(&mut bounds);
            }
        }
        bounds.sort_unstable();
        bounds.dedup();
        for &lo in &bounds {
            if !addrs.contains(lo) || !inet.contains(lo) {
                continue;
            }
            for &p in protos {
                let back = sweep(n, !e.egress, p, fam, lo, client, Mode::May);
                let got = &back.allowed & client;
                if got != *client {
                    let missing = client - &got;
                    let blocker = missing.first().and_then(|port| back.decider(port));
                    return Some((p, got, blocker));
                }
            }
        }
    }
    None
}

fn check(m: &NetModel, cx: &mut Ctx) {
    let (lo, hi) = cx.settings.ephemeral_ports;
    let client = Ports::from_iter([lo..=hi]);
    let service = Ports::from_iter([0..=lo.saturating_sub(1)]);
    for n in m.nacls.iter().filter(|n| !n.implicit) {
        let candidates = n.entries.iter().filter(|e| {
            e.allow
                && !e.implicit
                && (!e.egress
                    || !(&crate::rules::nacl_entries::entry_ports(e) & &service).is_empty())
        });
        for e in candidates {
            let Some((proto, got, blocker)) = missing_replies(n, e, &client) else {
                continue;
            };
            let (there, back) = if e.egress {
                ("outbound", "inbound")
            } else {
                ("inbound", "outbound")
            };
            let how = if got.is_empty() {
                format!("no {back} entry allows the {proto} replies")
            } else {
                let allowed: Vec<String> = got
                    .ranges()
                    .map(|r| format!("{}-{}", r.start(), r.end()))
                    .collect();
                format!(
                    "{back} entries allow replies only to ports {} of {lo}-{hi}",
                    allowed.join(", ")
                )
            };
            let f = cx.report(
                &RULE,
                At {
                    span: e.cite.span,
                    label: format!("{there} allowed, replies blocked"),
                    resource: n.address.clone(),
                    resource_span: n.span,
                },
                format!(
                    "{}: {there} rule {} allows traffic but {how} (NACLs are stateless)",
                    n.address, e.rule_no
                ),
            );
            if let Some(b) = blocker {
                f.related.push(related(&b.cite));
            }
            break;
        }
    }
}
