//! NET002: a declaration hands out a public IPv4 address.

use super::paths::is_machine;
use super::{related, At, Ctx, Rule};
use crate::finding::{Confidence, Related};
use crate::model::{Cite, EndpointKind, NetModel, K};

pub static RULE: Rule = crate::rule!("NET002", check);

fn check(m: &NetModel, cx: &mut Ctx) {
    for ep in m.endpoints.iter().filter(|e| is_machine(e)) {
        // an ASG without a launch flag takes its subnets' setting
        let (public, why): (K<bool>, Option<Cite>) = match (ep.kind, &ep.public_v4_cite) {
            (EndpointKind::AutoScalingGroup, None) => ep
                .subnets
                .iter()
                .find_map(|(s, _)| {
                    let s = &m.subnets[*s.known()?];
                    (s.map_public_ip != K::Known(false)).then(|| {
                        (
                            s.map_public_ip.clone(),
                            Some(Cite {
                                span: s.map_public_ip_span,
                                message: format!(
                                    "{} assigns public IPv4 addresses at launch",
                                    s.address
                                ),
                                implicit: s.implicit,
                            }),
                        )
                    })
                })
                .unwrap_or((K::Known(false), None)),
            _ => (ep.public_v4.clone(), ep.public_v4_cite.clone()),
        };
        let unknown = match &public {
            K::Known(true) => None,
            K::Known(false) => continue,
            K::Unknown(u) => Some(u.clone()),
        };
        let f = cx.report(
            &RULE,
            At {
                span: ep.span,
                label: "gets a public IPv4 address".into(),
                resource: ep.resource.clone(),
                resource_span: ep.span,
            },
            match &unknown {
                None => format!("{} gets a public IPv4 address", ep.resource),
                Some(u) => format!(
                    "{} may get a public IPv4 address: {}",
                    ep.resource, u.reason
                ),
            },
        );
        if let Some(c) = &why {
            f.related.push(related(&c.anchored(ep.span)));
        }
        if let Some(u) = unknown {
            f.confidence = Confidence::Possible;
            f.related.push(Related {
                span: u.span,
                message: format!("unknown: {}", u.reason),
            });
        }
    }
}
