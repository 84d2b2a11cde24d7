//! What the NACL rules share: which traffic an entry really decides once the lower-numbered
//! entries of its direction have taken theirs (first match wins).

use crate::model::{Nacl, NaclEntry, K};
use crate::net::sets::{all_ports, family_of, Addrs, Ports, Proto};

/// The ports an entry matches (everything for protocols without ports).
pub fn entry_ports(e: &NaclEntry) -> Ports {
    match e.proto {
        K::Known(p) if p.has_ports() || p.is_icmp() => e.ports.clone(),
        _ => all_ports(),
    }
}

/// Parts of the entry's traffic that no earlier entry decides: (addresses, ports) pieces.
/// Empty for an entry that can never match; `None` when the entry itself is not known.
pub fn effective(n: &Nacl, e: &NaclEntry) -> Option<Vec<(Addrs, Ports)>> {
    let (K::Known(net), K::Known(proto)) = (&e.cidr, &e.proto) else {
        return None;
    };
    let fam = family_of(net);
    let own = Addrs::from_net(net);
    let earlier: Vec<(Addrs, Ports)> = n
        .entries
        .iter()
        .take_while(|x| !std::ptr::eq(*x, e))
        .filter(|x| x.egress == e.egress && x.maybe.is_none())
        .filter_map(|x| match (&x.cidr, &x.proto) {
            (K::Known(c), K::Known(p))
                if family_of(c) == fam && (*p == Proto::All || p == proto) =>
            {
                Some((Addrs::from_net(c).and(&own), entry_ports(x)))
            }
            _ => None,
        })
        .filter(|(a, _)| !a.is_empty())
        .collect();
    let mut bounds = Vec::new();
    own.boundaries(&mut bounds);
    for (a, _) in &earlier {
        a.boundaries(&mut bounds);
    }
    bounds.sort_unstable();
    bounds.dedup();
    let mine = entry_ports(e);
    let mut out = Vec::new();
    for w in bounds.windows(2) {
        let (lo, hi) = (w[0], w[1] - 1);
        if !own.contains(lo) {
            continue;
        }
        let mut left = mine.clone();
        for (a, p) in &earlier {
            if a.contains(lo) {
                left = &left - p;
            }
        }
        if !left.is_empty() {
            out.push((Addrs::range(fam, lo, hi), left));
        }
    }
    Some(out)
}

/// The entries that decide some of `e`'s traffic before it (for NACL002 messages).
pub fn covering<'n>(n: &'n Nacl, e: &NaclEntry) -> Vec<&'n NaclEntry> {
    let Some(net) = e.cidr.known() else {
        return Vec::new();
    };
    let own = Addrs::from_net(net);
    n.entries
        .iter()
        .take_while(|x| !std::ptr::eq(*x, e))
        .filter(|x| x.egress == e.egress)
        .filter(|x| {
            x.cidr
                .known()
                .is_some_and(|c| !Addrs::from_net(c).and(&own).is_empty())
        })
        .collect()
}
