//! Longest-prefix routing: which internet addresses a subnet's replies can reach through an
//! attached internet gateway (SEMANTICS.md §3).

use ipnet::IpNet;

use super::nacl::Mode;
use super::sets::{family_of, Addrs, Family};
use crate::model::{Cite, Id, NetModel, Route, Target, Unk, K};

/// Whether internet gateway `g` is attached to `vpc` (an unknown attachment counts in `May`).
pub fn igw_attached(m: &NetModel, g: Id, vpc: Id, mode: Mode, assumed: &mut Vec<Unk>) -> bool {
    m.igws[g].attachments.iter().any(|(v, _)| match v {
        K::Known(v) => *v == vpc,
        K::Unknown(u) => {
            if mode == Mode::May {
                assumed.push(u.clone());
            }
            mode == Mode::May
        }
    })
}

/// The addresses of family `fam` whose longest-prefix route in table `rt` is an internet
/// gateway attached to `vpc`, with the route deciding each part.
pub fn igw_routed<'m>(
    m: &'m NetModel,
    rt: Id,
    vpc: Id,
    fam: Family,
    mode: Mode,
    assumed: &mut Vec<Unk>,
) -> (Addrs, Vec<(&'m Route, Addrs)>) {
    let table = &m.route_tables[rt];
    let any: IpNet = match fam {
        Family::V4 => "0.0.0.0/0".parse().unwrap_or_default(),
        Family::V6 => "::/0".parse().unwrap_or_default(),
    };
    // (prefix length, destination, reaches the internet, route)
    let mut routes: Vec<(u8, Addrs, bool, Option<&Route>)> = Vec::new();
    for c in &m.vpcs[vpc].cidrs {
        if family_of(c) == fam {
            routes.push((c.prefix_len(), Addrs::from_net(c), false, None));
        }
    }
    for r in &table.routes {
        if let Some(u) = &r.maybe {
            if mode == Mode::Must {
                continue;
            }
            assumed.push(u.clone());
        }
        let to_igw = match &r.target {
            Target::Igw(g) => igw_attached(m, *g, vpc, mode, assumed),
            Target::Unknown(u) => {
                if mode == Mode::May {
                    assumed.push(u.clone());
                }
                mode == Mode::May
            }
            _ => false,
        };
        let dest = match &r.dest {
            K::Known(n) if family_of(n) == fam => *n,
            K::Known(_) => continue,
            K::Unknown(u) => {
                if mode == Mode::Must || !to_igw {
                    continue;
                }
                assumed.push(u.clone());
                any
            }
        };
        routes.push((dest.prefix_len(), Addrs::from_net(&dest), to_igw, Some(r)));
    }
    if let Some(u) = &table.unknown_routes {
        if mode == Mode::May {
            assumed.push(u.clone());
            routes.push((0, Addrs::from_net(&any), true, None));
        }
    }
    routes.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut covered = Addrs::empty(fam);
    let mut reach = Addrs::empty(fam);
    let mut by_route = Vec::new();
    for (_, dest, to_igw, route) in routes {
        let eff = dest.minus(&covered);
        if to_igw && !eff.is_empty() {
            reach = reach.or(&eff);
            if let Some(r) = route {
                by_route.push((r, eff));
            }
        }
        covered = covered.or(&dest);
    }
    (reach, by_route)
}

/// The route table a subnet uses: its explicit association, else the VPC's main table
/// (replaced by `aws_main_route_table_association`), with the association to cite.
pub fn table_of(m: &NetModel, s: Id, vpc: Id) -> (K<Id>, Cite) {
    let explicit = &m.subnet_rts[s];
    let subnet = &m.subnets[s];
    match explicit.len() {
        0 => match m.main_rt_assoc[vpc].last() {
            Some((t, c)) => (K::Known(*t), c.clone()),
            None => (
                K::Known(m.vpcs[vpc].main_rt),
                Cite {
                    span: subnet.span,
                    message: format!(
                        "{} has no explicit route table association, so it uses the main route table of {}",
                        subnet.address, m.vpcs[vpc].address
                    ),
                    implicit: subnet.implicit,
                },
            ),
        },
        1 => explicit[0].clone(),
        _ => (
            K::Unknown(Unk {
                reason: format!("{} has more than one route table association", subnet.address),
                span: explicit[1].1.span,
            }),
            explicit[1].1.clone(),
        ),
    }
}

/// The route that makes a subnet public in the contract's sense: `0.0.0.0/0` or `::/0` to an
/// internet gateway attached to its VPC.
pub fn default_route_to_igw<'m>(m: &'m NetModel, s: Id) -> Option<(&'m Route, Cite)> {
    let K::Known(vpc) = m.subnets[s].vpc else {
        return None;
    };
    let (K::Known(t), assoc) = table_of(m, s, vpc) else {
        return None;
    };
    m.route_tables[t]
        .routes
        .iter()
        .find(|r| {
            r.maybe.is_none()
                && matches!(r.dest, K::Known(n) if n.prefix_len() == 0)
                && matches!(r.target, Target::Igw(g) if igw_attached(m, g, vpc, Mode::Must, &mut Vec::new()))
        })
        .map(|r| (r, assoc))
}
