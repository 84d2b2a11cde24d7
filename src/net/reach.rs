//! Internet reachability of endpoints (SEMANTICS.md §7): must/may evaluation over address
//! atoms, with a witness path for what is reachable and the first blocking element for what
//! is not.

use foldhash::HashSet;
use rayon::prelude::*;

use super::nacl::{sweep, Mode};
use super::route::{igw_attached, igw_routed};
use super::sets::{admits_internet, all_ports, family_of, internet, Addrs, Family, Ports, Proto};
use crate::model::{Cite, Endpoint, EndpointKind, Id, Nacl, NetModel, Peer, Sg, Unk, K};
use crate::settings::Settings;

/// Reachable traffic of one protocol: destination ports and internet sources.
#[derive(Clone, Debug)]
pub struct Flow {
    pub fam: Family,
    pub proto: Proto,
    pub ports: Ports,
    pub srcs: Addrs,
}

/// The verdict for one endpoint.
#[derive(Debug)]
pub struct Outcome {
    pub endpoint: Id,
    /// Reachable flows: the `must` ones when definite, else the `may` ones.
    pub flows: Vec<Flow>,
    /// `Some(true)` definite, `Some(false)` possible, `None` not reachable.
    pub definite: Option<bool>,
    /// The path of one reachable flow, in path order.
    pub witness: Vec<Cite>,
    /// Unknown facts a possible verdict (or the possible extra flows) rests on.
    pub unknowns: Vec<Unk>,
    /// Flows reachable only if unknown values turn out open, beside definite ones.
    pub also_possible: Vec<Flow>,
    /// Some return ports are blocked by the NACL (reachable only from chosen client ports).
    pub partial_return: bool,
    /// Why it is not reachable: the first blocking element in path order.
    pub blocker: Option<String>,
}

struct Found {
    flows: Vec<Flow>,
    witness: Vec<Cite>,
    assumed: Vec<Unk>,
    partial: bool,
    /// Why nothing got through, when nothing did.
    blocked: Option<String>,
}

impl Found {
    fn empty() -> Self {
        Found {
            flows: Vec::new(),
            witness: Vec::new(),
            assumed: Vec::new(),
            partial: false,
            blocked: None,
        }
    }
}

fn cite(span: crate::source::Span, message: impl Into<String>) -> Cite {
    Cite {
        span,
        message: message.into(),
        implicit: false,
    }
}

/// Analyses every endpoint of the model.
pub fn analyse(m: &NetModel, settings: &Settings) -> Vec<Outcome> {
    (0..m.endpoints.len())
        .into_par_iter()
        .map(|i| analyse_one(m, i, settings))
        .collect()
}

fn analyse_one(m: &NetModel, id: Id, settings: &Settings) -> Outcome {
    let ep = &m.endpoints[id];
    let must = run(m, ep, Mode::Must, settings);
    let may = run(m, ep, Mode::May, settings);
    let mut out = Outcome {
        endpoint: id,
        flows: Vec::new(),
        definite: None,
        witness: Vec::new(),
        unknowns: Vec::new(),
        also_possible: Vec::new(),
        partial_return: false,
        blocker: None,
    };
    match (must, may) {
        (Ok(f), may) if !f.flows.is_empty() => {
            out.definite = Some(true);
            if let Ok(m) = may {
                out.also_possible = beyond(&m.flows, &f.flows);
                if !out.also_possible.is_empty() {
                    out.unknowns = dedup(m.assumed);
                }
            }
            out.flows = f.flows;
            out.witness = f.witness;
            out.partial_return = f.partial;
        }
        (_, Ok(f)) if !f.flows.is_empty() => {
            out.definite = Some(false);
            out.flows = f.flows;
            out.witness = f.witness;
            out.partial_return = f.partial;
            out.unknowns = dedup(f.assumed);
            if let Some(u) = &ep.maybe {
                out.unknowns.insert(0, u.clone());
            }
        }
        (_, Err(b)) => out.blocker = Some(b),
        (_, Ok(_)) => {}
    }
    out
}

fn dedup(unknowns: Vec<Unk>) -> Vec<Unk> {
    let mut seen = HashSet::default();
    unknowns
        .into_iter()
        .filter(|u| seen.insert((u.span, u.reason.clone())))
        .collect()
}

/// The parts of `may` flows whose ports no `must` flow of the same family and protocol has.
fn beyond(may: &[Flow], must: &[Flow]) -> Vec<Flow> {
    may.iter()
        .filter_map(|f| {
            let covered = must
                .iter()
                .filter(|g| g.fam == f.fam && g.proto == f.proto)
                .fold(Ports::new(), |acc, g| &acc | &g.ports);
            let ports = &f.ports - &covered;
            (!ports.is_empty()).then(|| Flow { ports, ..f.clone() })
        })
        .collect()
}

/// Union of the results over the endpoint's subnets and both families.
fn run(m: &NetModel, ep: &Endpoint, mode: Mode, settings: &Settings) -> Result<Found, String> {
    if ep.maybe.is_some() && mode == Mode::Must {
        return Err(format!("{} may not exist", ep.resource));
    }
    let mut total = Found::empty();
    let mut first_block = None;
    for subnet in &ep.subnets {
        for fam in [Family::V4, Family::V6] {
            match path(m, ep, subnet, fam, mode, settings) {
                Ok(f) if !f.flows.is_empty() => {
                    if total.witness.is_empty() {
                        total.witness = f.witness;
                    }
                    total.flows.extend(f.flows);
                    total.assumed.extend(f.assumed);
                    total.partial |= f.partial;
                }
                Ok(f) => {
                    if let Some(b) = f.blocked {
                        first_block.get_or_insert(b);
                    }
                }
                Err(b) => {
                    // IPv6 blocks are only interesting when IPv4 did not get further
                    if first_block.is_none() || fam == Family::V4 {
                        first_block.get_or_insert(b);
                    }
                }
            }
        }
    }
    if total.flows.is_empty() {
        if let Some(b) = first_block {
            return Err(b);
        }
    }
    Ok(total)
}

fn assume(mode: Mode, u: &Unk, assumed: &mut Vec<Unk>, blocked: &str) -> Result<(), String> {
    if mode == Mode::May {
        assumed.push(u.clone());
        Ok(())
    } else {
        Err(format!("{blocked}: {}", u.reason))
    }
}

/// One subnet, one family.
fn path(
    m: &NetModel,
    ep: &Endpoint,
    subnet: &(K<Id>, Cite),
    fam: Family,
    mode: Mode,
    settings: &Settings,
) -> Result<Found, String> {
    let mut assumed = Vec::new();
    let mut wit = Vec::new();
    let name = &ep.resource;

    // 1. a public address
    let (public, pcite) = match fam {
        Family::V4 => {
            let subnet_map = match (&subnet.0, ep.kind, &ep.public_v4_cite) {
                (K::Known(s), EndpointKind::AutoScalingGroup, None) => {
                    let sn = &m.subnets[*s];
                    Some((
                        sn.map_public_ip.clone(),
                        cite(
                            sn.map_public_ip_span,
                            format!("{} assigns public IPv4 addresses at launch", sn.address),
                        ),
                    ))
                }
                _ => None,
            };
            match subnet_map {
                Some((k, c)) => (k, Some(c)),
                None => (ep.public_v4.clone(), ep.public_v4_cite.clone()),
            }
        }
        Family::V6 => (ep.ipv6.clone(), ep.ipv6_cite.clone()),
    };
    let what = if fam == Family::V4 {
        "public IPv4 address"
    } else {
        "IPv6 address"
    };
    match &public {
        K::Known(true) => wit.extend(pcite),
        K::Known(false) => return Err(format!("{name} has no {what}")),
        K::Unknown(u) => assume(
            mode,
            u,
            &mut assumed,
            &format!("whether {name} has a {what} is unknown"),
        )?,
    }

    // 2. subnet and VPC
    let located = match &subnet.0 {
        K::Known(s) => match &m.subnets[*s].vpc {
            K::Known(v) => Some((*s, *v)),
            K::Unknown(u) => {
                assume(mode, u, &mut assumed, "the subnet's VPC is unknown")?;
                None
            }
        },
        K::Unknown(u) => {
            assume(
                mode,
                u,
                &mut assumed,
                &format!("the subnet of {name} is unknown"),
            )?;
            None
        }
    };
    let Some((s, v)) = located else {
        // nothing is known about the network path: only the security groups decide
        return Ok(atoms(m, ep, None, fam, mode, settings, wit, assumed, None));
    };
    let subnet_obj = &m.subnets[s];
    let vpc = &m.vpcs[v];

    // 3. an internet gateway attached to the VPC
    let igw = m
        .igw_candidates(v)
        .into_iter()
        .find(|&g| igw_attached(m, g, v, mode, &mut assumed));
    let Some(g) = igw else {
        return Err(format!(
            "no internet gateway is attached to {}",
            vpc.address
        ));
    };
    if let Some((_, c)) = m.igws[g]
        .attachments
        .iter()
        .find(|(x, _)| *x == K::Known(v))
        .or(m.igws[g].attachments.first())
    {
        wit.push(c.clone());
    }

    // 4. Block Public Access and edge appliances
    for b in &m.bpa {
        let excluded = b.exclusions.iter().any(|(t, is_subnet, mode, _)| {
            mode == "allow-bidirectional" && *t == K::Known(if *is_subnet { s } else { v })
        });
        if excluded {
            continue;
        }
        match &b.mode {
            K::Known(mm) if mm == "block-bidirectional" || mm == "block-ingress" => {
                return Err(format!(
                    "VPC Block Public Access ({mm}) drops inbound internet traffic: {}",
                    b.cite.message
                ));
            }
            K::Known(_) => {}
            K::Unknown(u) => assume(
                mode,
                u,
                &mut assumed,
                "VPC Block Public Access mode is unknown",
            )?,
        }
    }
    if let Some(c) = m.edge_assoc[v].first() {
        let u = Unk {
            reason: c.message.clone(),
            span: c.span,
        };
        assume(
            mode,
            &u,
            &mut assumed,
            "inbound traffic passes an appliance",
        )?;
    }

    // 5. the route table and the addresses it routes back through the IGW
    let (rt, rt_cite) = super::route::table_of(m, s, v);
    let inet = internet(fam);
    let routed = match &rt {
        K::Known(t) => {
            let (r, by_route) = igw_routed(m, *t, v, fam, mode, &mut assumed);
            let r = r.and(&inet);
            if r.is_empty() {
                let rt_name = &m.route_tables[*t].address;
                return Err(format!(
                    "{rt_name} (used by {}) has no {} route to an attached internet gateway",
                    subnet_obj.address,
                    fam_name(fam)
                ));
            }
            Some((r, by_route))
        }
        K::Unknown(u) => {
            assume(mode, u, &mut assumed, "the subnet's route table is unknown")?;
            None
        }
    };

    // 6. the subnet's network ACL
    let nacls = &m.subnet_nacls[s];
    let (nacl, nacl_cite): (Option<&Nacl>, Option<Cite>) = match nacls.len() {
        0 => {
            let n = &m.nacls[vpc.default_nacl];
            let c = if n.implicit {
                cite(
                    subnet_obj.span,
                    format!(
                        "{} uses the default network ACL of {} (implicit: allows all traffic)",
                        subnet_obj.address, vpc.address
                    ),
                )
            } else {
                cite(
                    n.span,
                    format!(
                        "{} uses the default network ACL {}",
                        subnet_obj.address, n.address
                    ),
                )
            };
            (Some(n), Some(c))
        }
        1 => (Some(&m.nacls[nacls[0].0]), Some(nacls[0].1.clone())),
        _ => {
            let u = Unk {
                reason: format!(
                    "{} has more than one network ACL association",
                    subnet_obj.address
                ),
                span: nacls[1].1.span,
            };
            assume(
                mode,
                &u,
                &mut assumed,
                "the subnet's network ACL is unknown",
            )?;
            (None, None)
        }
    };

    let route_part = routed.map(|(r, by_route)| (r, by_route, rt_cite));
    let net = Net {
        vpc: v,
        route: route_part.as_ref(),
        nacl,
        nacl_cite,
    };
    Ok(atoms(
        m,
        ep,
        Some(net),
        fam,
        mode,
        settings,
        wit,
        assumed,
        Some(v),
    ))
}

fn fam_name(f: Family) -> &'static str {
    match f {
        Family::V4 => "IPv4",
        Family::V6 => "IPv6",
    }
}

type RoutePart<'m> = (Addrs, Vec<(&'m crate::model::Route, Addrs)>, Cite);

/// The known network path of a subnet.
struct Net<'a, 'm> {
    vpc: Id,
    route: Option<&'a RoutePart<'m>>,
    nacl: Option<&'m Nacl>,
    nacl_cite: Option<Cite>,
}

/// Security groups in force on the endpoint, with the attachment cite.
fn groups<'m>(
    m: &'m NetModel,
    ep: &Endpoint,
    vpc: Option<Id>,
    mode: Mode,
    assumed: &mut Vec<Unk>,
) -> (Vec<(&'m Sg, Cite)>, bool) {
    if ep.no_sg_filter {
        return (Vec::new(), true);
    }
    let mut out = Vec::new();
    let mut open = false;
    if ep.sgs.is_empty() {
        if let Some(v) = vpc {
            let sg = &m.sgs[m.vpcs[v].default_sg];
            let c = cite(
                ep.span,
                format!(
                    "{} names no security group, so it gets the default security group of {}",
                    ep.resource, m.vpcs[v].address
                ),
            );
            out.push((sg, c));
        }
    }
    for (k, c) in &ep.sgs {
        match k {
            K::Known(i) => out.push((&m.sgs[*i], c.clone())),
            K::Unknown(u) => {
                if mode == Mode::May {
                    assumed.push(u.clone());
                    open = true;
                }
            }
        }
    }
    (out, open)
}

/// Ports a security group set admits from address `a` for `proto`, and the rule for each.
fn sg_admits<'m>(
    groups: &[(&'m Sg, Cite)],
    proto: Proto,
    fam: Family,
    a: u128,
    mode: Mode,
    trusted: &[ipnet::IpNet],
    assumed: &mut Vec<Unk>,
) -> Vec<(Ports, &'m crate::model::SgRule, Cite)> {
    let mut out = Vec::new();
    for (sg, attach) in groups {
        for r in sg.rules.iter().filter(|r| !r.egress) {
            if let Some(u) = &r.maybe {
                if mode == Mode::Must {
                    continue;
                }
                assumed.push(u.clone());
            }
            let proto_ok = match &r.proto {
                K::Known(p) => p.matches(proto),
                K::Unknown(u) => {
                    if mode == Mode::Must {
                        continue;
                    }
                    assumed.push(u.clone());
                    true
                }
            };
            if !proto_ok {
                continue;
            }
            // only sources that open to the internet count: a /32 admin address or a
            // partner's /24 is a deliberate, narrow opening
            let hit = |n: &ipnet::IpNet| {
                family_of(n) == fam && admits_internet(n, trusted) && Addrs::from_net(n).contains(a)
            };
            let addr_ok = match &r.peer {
                Peer::Cidr(n) => hit(n),
                Peer::Group(_) => false,
                Peer::PrefixList(K::Known(nets)) => nets.iter().any(hit),
                Peer::PrefixList(K::Unknown(u)) | Peer::Unknown(u, _) => {
                    let cands = match &r.peer {
                        Peer::Unknown(_, c) => c.as_slice(),
                        _ => &[],
                    };
                    let may = mode == Mode::May && (cands.is_empty() || cands.iter().any(hit));
                    if may {
                        assumed.push(u.clone());
                    }
                    may
                }
            };
            if addr_ok {
                let ports = if matches!(
                    r.proto,
                    K::Known(Proto::All) | K::Known(Proto::Other(_)) | K::Unknown(_)
                ) {
                    all_ports()
                } else {
                    r.ports.clone()
                };
                out.push((ports, r, attach.clone()));
            }
        }
    }
    out
}

fn rule_cite(sg: &str, r: &crate::model::SgRule, proto: Proto) -> Vec<Cite> {
    let peer = match &r.peer {
        Peer::Cidr(n) => n.to_string(),
        Peer::Unknown(u, _) => format!("an unknown source ({})", u.reason),
        _ => "a prefix list".to_string(),
    };
    let ports = match &r.proto {
        K::Known(p) => format!("{p}/{}", crate::net::sets::show_ports(*p, &r.ports)),
        K::Unknown(_) => format!("{proto} (protocol unknown)"),
    };
    let mut out = vec![cite(r.span, format!("{sg} allows {ports} from {peer}"))];
    out.extend(
        r.origins
            .iter()
            .map(|o| cite(o.span, o.message.to_string())),
    );
    out
}

#[allow(clippy::too_many_arguments)]
fn atoms(
    m: &NetModel,
    ep: &Endpoint,
    net: Option<Net>,
    fam: Family,
    mode: Mode,
    settings: &Settings,
    wit: Vec<Cite>,
    mut assumed: Vec<Unk>,
    vpc: Option<Id>,
) -> Found {
    let vpc = net.as_ref().map(|n| n.vpc).or(vpc);
    let (groups, open) = groups(m, ep, vpc, mode, &mut assumed);
    let inet = internet(fam);
    let mut bounds = Vec::new();
    inet.boundaries(&mut bounds);
    if let Some(Net {
        route: Some((r, _, _)),
        ..
    }) = &net
    {
        r.boundaries(&mut bounds);
    }
    if let Some(n) = net.as_ref().and_then(|n| n.nacl) {
        for e in &n.entries {
            if let K::Known(c) = &e.cidr {
                Addrs::from_net(c).boundaries(&mut bounds);
            }
        }
    }
    for (sg, _) in &groups {
        for r in &sg.rules {
            let nets: Vec<ipnet::IpNet> = match &r.peer {
                Peer::Cidr(n) => vec![*n],
                Peer::PrefixList(K::Known(ns)) => ns.clone(),
                Peer::Unknown(_, c) => c.clone(),
                _ => Vec::new(),
            };
            for n in nets {
                Addrs::from_net(&n).boundaries(&mut bounds);
            }
        }
    }
    let max: u128 = match fam {
        Family::V4 => u128::from(u32::MAX),
        Family::V6 => u128::MAX,
    };
    bounds.push(0);
    bounds.retain(|b| *b <= max);
    bounds.sort_unstable();
    bounds.dedup();

    let mut protos = vec![
        Proto::Tcp,
        Proto::Udp,
        if fam == Family::V4 {
            Proto::Icmp
        } else {
            Proto::Icmpv6
        },
    ];
    for (sg, _) in &groups {
        for r in &sg.rules {
            if let K::Known(Proto::Other(n)) = r.proto {
                if !protos.contains(&Proto::Other(n)) {
                    protos.push(Proto::Other(n));
                }
            }
        }
    }
    let client = Ports::from_iter([settings.ephemeral_ports.0..=settings.ephemeral_ports.1]);
    let mut found = Found::empty();
    let mut blocked_nacl: Option<String> = None;
    let mut sg_admitted = false;
    for (i, &lo) in bounds.iter().enumerate() {
        let hi = bounds.get(i + 1).map_or(max, |b| b - 1);
        if !inet.contains(lo) {
            continue;
        }
        let route = net.as_ref().and_then(|n| n.route);
        if let Some((r, _, _)) = route {
            if !r.contains(lo) {
                continue;
            }
        }
        for &proto in &protos {
            let mut local = Vec::new();
            let admits = if open {
                vec![(all_ports(), None, None)]
            } else {
                sg_admits(
                    &groups,
                    proto,
                    fam,
                    lo,
                    mode,
                    &settings.trusted_cidrs,
                    &mut local,
                )
                .into_iter()
                .map(|(p, r, c)| (p, Some(r), Some(c)))
                .collect()
            };
            let mut sg_ports = Ports::new();
            for (p, _, _) in &admits {
                sg_ports = &sg_ports | p;
            }
            if proto.is_icmp() {
                // an unsolicited echo request is what reaches a host; replies and errors do not
                let echo: u16 = if proto == Proto::Icmp { 8 } else { 128 };
                sg_ports = &sg_ports & &Ports::from_iter([echo << 8..=(echo << 8) + 255]);
            }
            if let Some(listen) = &ep.listen {
                let mut l = Ports::new();
                for (p, ports, _) in listen.iter().filter(|(p, _, _)| *p == proto) {
                    let _ = p;
                    l = &l | ports;
                }
                sg_ports = &sg_ports & &l;
            }
            if sg_ports.is_empty() {
                continue;
            }
            sg_admitted = true;
            let nacl = net.as_ref().and_then(|n| n.nacl);
            let (allowed, nin, nout, partial) = match nacl {
                None => (sg_ports.clone(), None, None, false),
                Some(n) => {
                    let nin = sweep(n, false, proto, fam, lo, &sg_ports, mode);
                    local.extend(nin.assumed.iter().cloned());
                    if nin.allowed.is_empty() {
                        if blocked_nacl.is_none() {
                            let port = sg_ports.first().unwrap_or(0);
                            blocked_nacl = Some(match nin.decider(port) {
                                Some(e) => format!("inbound {proto} is denied by {}", e.cite.message),
                                None => format!("no inbound entry of {} matches {proto}, so its implicit * rule denies it", n.address),
                            });
                        }
                        continue;
                    }
                    let (ret_ok, nout, partial) = match proto {
                        Proto::Tcp | Proto::Udp => {
                            let out = sweep(n, true, proto, fam, lo, &client, mode);
                            let e = &out.allowed & &client;
                            (!e.is_empty(), Some(out), e != client)
                        }
                        Proto::Icmp | Proto::Icmpv6 => {
                            // echo replies (type 0 / 129) must leave; other ICMP is one-way
                            let reply: u16 = if proto == Proto::Icmp { 0 } else { 129 << 8 };
                            let out = sweep(
                                n,
                                true,
                                proto,
                                fam,
                                lo,
                                &Ports::from_iter([reply..=reply]),
                                mode,
                            );
                            (!out.allowed.is_empty(), Some(out), false)
                        }
                        _ => {
                            let out = sweep(n, true, proto, fam, lo, &all_ports(), mode);
                            (!out.allowed.is_empty(), Some(out), false)
                        }
                    };
                    if !ret_ok {
                        blocked_nacl.get_or_insert_with(|| {
                            format!(
                                "{} lets {proto} in but no outbound entry allows the return traffic to client ports {}-{} (NACLs are stateless)",
                                n.address, settings.ephemeral_ports.0, settings.ephemeral_ports.1
                            )
                        });
                        continue;
                    }
                    if let Some(o) = &nout {
                        local.extend(o.assumed.iter().cloned());
                    }
                    (nin.allowed.clone(), Some(nin), nout, partial)
                }
            };
            found.partial |= partial;
            found.assumed.extend(local);
            found.flows.push(Flow {
                fam,
                proto,
                ports: allowed.clone(),
                srcs: Addrs::range(fam, lo, hi),
            });
            if found.witness.is_empty() {
                let port = allowed.first().unwrap_or(0);
                let mut w = wit.clone();
                if let Some(n) = &net {
                    if let Some((_, by_route, rt_cite)) = n.route {
                        if let Some((r, _)) = by_route.iter().find(|(_, a)| a.contains(lo)) {
                            w.push(r.cite.clone());
                        }
                        w.push(rt_cite.clone());
                    }
                    if let Some(e) = nin.as_ref().and_then(|s| s.decider(port)) {
                        w.push(e.cite.clone());
                    }
                    if let Some(c) = &n.nacl_cite {
                        w.push(c.clone());
                    }
                    if let Some(o) = &nout {
                        if let Some((e, _)) = o.decided.iter().find(|(e, _)| e.allow) {
                            let mut c = e.cite.clone();
                            c.message = format!("{} (return traffic)", c.message);
                            w.push(c);
                        }
                    }
                }
                if let Some((_, Some(rule), Some(attach))) =
                    admits.iter().find(|(p, _, _)| p.contains(port))
                {
                    let sg = groups
                        .iter()
                        .find(|(g, _)| g.rules.iter().any(|x| std::ptr::eq(x, *rule)))
                        .map_or("security group", |(g, _)| g.address.as_str());
                    w.extend(rule_cite(sg, rule, proto));
                    w.push(attach.clone());
                }
                found.witness = w.iter().map(|c| c.anchored(ep.span)).collect();
            }
        }
    }
    // what the path itself assumed comes first, then what the atoms assumed
    assumed.append(&mut found.assumed);
    found.assumed = assumed;
    if found.flows.is_empty() {
        found.blocked = Some(match blocked_nacl {
            Some(b) => b,
            None if !sg_admitted => format!(
                "no security group rule of {} admits {} internet traffic",
                ep.resource,
                fam_name(fam)
            ),
            None => format!(
                "nothing admitted by the security groups reaches {}",
                ep.resource
            ),
        });
    }
    found
}
