//! What the endpoint rules share: subnets that are public in the contract's sense, and
//! the text of reachable flows.

use std::collections::BTreeMap;

use crate::model::{Cite, Endpoint, EndpointKind, NetModel, K};
use crate::net::reach::Flow;
use crate::net::route::default_route_to_igw;
use crate::net::sets::{internet, Addrs, Family, Ports, Proto};

use super::exposure::describe;

/// Endpoint kinds that are machines placed in subnets (instances, interfaces, ASGs).
pub fn is_machine(ep: &Endpoint) -> bool {
    matches!(
        ep.kind,
        EndpointKind::Instance | EndpointKind::NetworkInterface | EndpointKind::AutoScalingGroup
    )
}

/// The first subnet of `ep` that routes 0.0.0.0/0 or ::/0 to an attached internet gateway:
/// the placement cite, the route and the association.
pub fn public_placement(m: &NetModel, ep: &Endpoint) -> Option<(Cite, Cite, Cite)> {
    ep.subnets.iter().find_map(|(s, placed)| {
        let K::Known(s) = s else { return None };
        default_route_to_igw(m, *s).map(|(r, assoc)| (placed.clone(), r.cite.clone(), assoc))
    })
}

/// Sources as text: `0.0.0.0/0` when they cover the whole internet, else up to three CIDRs.
pub fn show_sources(fam: Family, srcs: &Addrs) -> String {
    if internet(fam).is_subset(srcs) {
        return if fam == Family::V4 {
            "0.0.0.0/0"
        } else {
            "::/0"
        }
        .to_string();
    }
    let cidrs = srcs.to_cidrs();
    let mut text: Vec<String> = cidrs.iter().take(3).map(ToString::to_string).collect();
    if cidrs.len() > 3 {
        text.push(format!("{} more ranges", cidrs.len() - 3));
    }
    text.join(", ")
}

/// Flows merged per family and protocol, as "SSH (tcp/22) from 0.0.0.0/0; …".
pub fn show_flows(flows: &[Flow]) -> String {
    let mut merged: BTreeMap<(Family, Proto), (Ports, Addrs)> = BTreeMap::new();
    for f in flows {
        let e = merged
            .entry((f.fam, f.proto))
            .or_insert_with(|| (Ports::new(), Addrs::empty(f.fam)));
        e.0 = &e.0 | &f.ports;
        e.1 = e.1.or(&f.srcs);
    }
    merged
        .iter()
        .map(|((fam, p), (ports, srcs))| {
            format!("{} from {}", describe(*p, ports), show_sources(*fam, srcs))
        })
        .collect::<Vec<_>>()
        .join("; ")
}
