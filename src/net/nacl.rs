//! NACL first-match evaluation (stateless, numbered, first match wins; SEMANTICS.md §2).

use crate::model::{Nacl, NaclEntry, Unk, K};
use crate::net::sets::{all_ports, Family, Ports, Proto};

/// How unknown facts are resolved: against reachability (`Must`) or for it (`May`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Must,
    May,
}

impl Mode {
    /// Whether an unknown condition counts as holding, for an element that allows (`allows`)
    /// or blocks traffic.
    pub fn assume(self, allows: bool) -> bool {
        (self == Mode::May) == allows
    }
}

/// The outcome of a first-match sweep for one protocol and one peer address.
#[derive(Debug, Default)]
pub struct Sweep<'a> {
    /// Ports the NACL allows.
    pub allowed: Ports,
    /// Which entry decided which ports (allow and deny), in rule order.
    pub decided: Vec<(&'a NaclEntry, Ports)>,
    /// Unknown facts assumed while sweeping.
    pub assumed: Vec<Unk>,
}

impl<'a> Sweep<'a> {
    /// The entry that decided `port`, if any (else the implicit `*` deny).
    pub fn decider(&self, port: u16) -> Option<&'a NaclEntry> {
        self.decided
            .iter()
            .find(|(_, p)| p.contains(port))
            .map(|(e, _)| *e)
    }
}

/// Evaluates the entries of one direction for traffic of protocol `proto` whose peer (source
/// inbound, destination outbound) is `peer` in family `fam`, over the ports in `within`.
pub fn sweep<'a>(
    nacl: &'a Nacl,
    egress: bool,
    proto: Proto,
    fam: Family,
    peer: u128,
    within: &Ports,
    mode: Mode,
) -> Sweep<'a> {
    let mut out = Sweep::default();
    let mut remaining = within.clone();
    for e in nacl.entries.iter().filter(|e| e.egress == egress) {
        if remaining.is_empty() {
            break;
        }
        if let Some(u) = &e.maybe {
            if !mode.assume(e.allow) {
                continue;
            }
            out.assumed.push(u.clone());
        }
        let proto_ok = match &e.proto {
            K::Known(p) => p.matches(proto),
            K::Unknown(u) => {
                let ok = mode.assume(e.allow);
                if ok {
                    out.assumed.push(u.clone());
                }
                ok
            }
        };
        let addr_ok = match &e.cidr {
            K::Known(n) => {
                crate::net::sets::family_of(n) == fam
                    && crate::net::sets::Addrs::from_net(n).contains(peer)
            }
            K::Unknown(u) => {
                let ok = mode.assume(e.allow);
                if ok {
                    out.assumed.push(u.clone());
                }
                ok
            }
        };
        if !(proto_ok && addr_ok) {
            continue;
        }
        let ports = match &e.proto {
            K::Known(p) if p.has_ports() || p.is_icmp() => e.ports.clone(),
            _ => all_ports(),
        };
        let hit = &remaining & &ports;
        if hit.is_empty() {
            continue;
        }
        remaining = &remaining - &hit;
        if e.allow {
            out.allowed = &out.allowed | &hit;
        }
        out.decided.push((e, hit));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Cite;
    use crate::net::sets::rule_ports;
    use crate::source::Span;

    fn entry(
        egress: bool,
        no: i64,
        allow: bool,
        proto: Proto,
        from: i64,
        to: i64,
        cidr: &str,
    ) -> NaclEntry {
        NaclEntry {
            egress,
            rule_no: no,
            allow,
            proto: K::Known(proto),
            ports: rule_ports(proto, Some(from), Some(to)),
            cidr: K::Known(cidr.parse().unwrap()),
            cite: Cite {
                span: Span::default(),
                message: String::new(),
                implicit: false,
            },
            resource: "n".into(),
            resource_span: Span::default(),
            implicit: false,
            maybe: None,
        }
    }

    fn nacl(entries: Vec<NaclEntry>) -> Nacl {
        Nacl {
            key: "k".into(),
            address: "n".into(),
            span: Span::default(),
            vpc: K::Known(0),
            implicit: false,
            is_default: false,
            entries,
        }
    }

    const SRC: u128 = 0x0808_0808; // 8.8.8.8

    /// Inbound TCP from `SRC` over every port.
    fn tcp_in(n: &Nacl) -> Sweep<'_> {
        sweep(
            n,
            false,
            Proto::Tcp,
            Family::V4,
            SRC,
            &all_ports(),
            Mode::Must,
        )
    }

    #[test]
    fn first_match_wins() {
        let n = nacl(vec![
            entry(false, 100, false, Proto::Tcp, 22, 22, "0.0.0.0/0"),
            entry(false, 200, true, Proto::All, 0, 0, "0.0.0.0/0"),
        ]);
        let s = tcp_in(&n);
        assert!(!s.allowed.contains(22));
        assert!(s.allowed.contains(80));
        assert_eq!(s.decider(22).unwrap().rule_no, 100);
        // reversed order: the allow-all decides first
        let n = nacl(vec![
            entry(false, 100, true, Proto::All, 0, 0, "0.0.0.0/0"),
            entry(false, 200, false, Proto::Tcp, 22, 22, "0.0.0.0/0"),
        ]);
        let s = tcp_in(&n);
        assert!(s.allowed.contains(22));
    }

    #[test]
    fn implicit_deny_and_families() {
        let n = nacl(vec![entry(
            false,
            100,
            true,
            Proto::Tcp,
            22,
            22,
            "0.0.0.0/0",
        )]);
        let s = sweep(
            &n,
            false,
            Proto::Tcp,
            Family::V6,
            1,
            &all_ports(),
            Mode::May,
        );
        assert!(s.allowed.is_empty());
        let s = sweep(
            &n,
            true,
            Proto::Tcp,
            Family::V4,
            SRC,
            &all_ports(),
            Mode::May,
        );
        assert!(s.allowed.is_empty());
    }

    #[test]
    fn tcp_port_zero_is_only_zero() {
        let n = nacl(vec![entry(false, 100, true, Proto::Tcp, 0, 0, "0.0.0.0/0")]);
        let s = tcp_in(&n);
        assert!(s.allowed.contains(0) && !s.allowed.contains(22));
    }
}
