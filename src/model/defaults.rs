//! Implicit AWS objects: a VPC's main route table, default NACL and default SG, and the
//! default VPC of a scope with its IGW, public default subnet and 0.0.0.0/0 route.

use ipnet::IpNet;

use super::{
    Cite, Id, Igw, Nacl, NaclEntry, NetModel, Peer, Route, RouteTable, Sg, SgKind, SgRule, Subnet,
    Target, Vpc, K,
};
use crate::net::sets::{all_ports, Proto};
use crate::source::Span;

fn cite(span: Span, message: impl Into<String>) -> Cite {
    Cite {
        span,
        message: message.into(),
        implicit: true,
    }
}

fn any4() -> IpNet {
    "0.0.0.0/0".parse().unwrap_or_default()
}

fn any6() -> IpNet {
    "::/0".parse().unwrap_or(IpNet::V6(Default::default()))
}

/// Adds a VPC with its implicit main route table, default NACL and default SG.
pub fn add_vpc(m: &mut NetModel, mut vpc: Vpc) -> Id {
    let id = m.vpcs.len();
    let anchor = vpc.span;
    let name = vpc.address.clone();
    vpc.main_rt = m.route_tables.len();
    m.route_tables.push(RouteTable {
        key: format!("{}#main_rt", vpc.key),
        address: format!("main route table of {name}"),
        span: anchor,
        vpc: K::Known(id),
        implicit: true,
        routes: Vec::new(),
        unknown_routes: None,
    });
    vpc.default_nacl = m.nacls.len();
    let mut entries = Vec::new();
    for (egress, dir) in [(false, "inbound"), (true, "outbound")] {
        entries.push(allow_all_entry(egress, 100, any4(), anchor, &name, dir));
        entries.push(allow_all_entry(egress, 101, any6(), anchor, &name, dir));
    }
    m.nacls.push(Nacl {
        key: format!("{}#default_nacl", vpc.key),
        address: format!("default network ACL of {name}"),
        span: anchor,
        vpc: K::Known(id),
        implicit: true,
        is_default: true,
        entries,
    });
    vpc.default_sg = m.sgs.len();
    let sg_id = m.sgs.len();
    let mut rules = vec![SgRule {
        egress: false,
        proto: K::Known(Proto::All),
        ports: all_ports(),
        peer: Peer::Group(K::Known(sg_id)),
        span: anchor,
        origins: Vec::new(),
        rule_span: anchor,
        resource: format!("default security group of {name}"),
        resource_span: anchor,
        has_description: true,
        implicit: true,
        maybe: None,
    }];
    for net in [any4(), any6()] {
        rules.push(SgRule {
            egress: true,
            peer: Peer::Cidr(net),
            ..rules[0].clone()
        });
    }
    m.sgs.push(Sg {
        key: format!("{}#default_sg", vpc.key),
        address: format!("default security group of {name}"),
        span: anchor,
        vpc: K::Known(id),
        kind: SgKind::VpcDefault,
        implicit: true,
        name: "default".into(),
        has_description: true,
        rules,
        in_default_vpc: vpc.is_default,
    });
    m.vpcs.push(vpc);
    m.main_rt_assoc.push(Vec::new());
    m.edge_assoc.push(Vec::new());
    id
}

fn allow_all_entry(
    egress: bool,
    rule_no: i64,
    net: IpNet,
    anchor: Span,
    vpc: &str,
    dir: &str,
) -> NaclEntry {
    NaclEntry {
        egress,
        rule_no,
        allow: true,
        proto: K::Known(Proto::All),
        ports: all_ports(),
        cidr: K::Known(net),
        cite: cite(
            anchor,
            format!(
                "default network ACL of {vpc}: rule {rule_no} allows all {dir} {net} (implicit)"
            ),
        ),
        resource: format!("default network ACL of {vpc}"),
        resource_span: anchor,
        implicit: true,
        maybe: None,
    }
}

/// Adds the default VPC of a scope: 172.31.0.0/16, an attached IGW, a main route table with
/// 0.0.0.0/0 → IGW, and one default subnet that maps public IPv4 addresses.
pub fn add_default_vpc(m: &mut NetModel, scope: &str, anchor: Span) -> Id {
    let vpc = add_vpc(
        m,
        Vpc {
            key: format!("{scope}::<default VPC>"),
            address: "the default VPC".into(),
            span: anchor,
            is_default: true,
            implicit: true,
            cidrs: vec!["172.31.0.0/16".parse().unwrap_or_default()],
            has_ipv6: K::Known(false),
            main_rt: 0,
            default_nacl: 0,
            default_sg: 0,
            default_subnet: None,
        },
    );
    let igw = m.igws.len();
    m.igws.push(Igw {
        key: format!("{scope}::<default VPC IGW>"),
        address: "internet gateway of the default VPC".into(),
        span: anchor,
        implicit: true,
        attachments: vec![(
            K::Known(vpc),
            cite(
                anchor,
                "the default VPC has an attached internet gateway (implicit)",
            ),
        )],
    });
    let rt = m.vpcs[vpc].main_rt;
    m.route_tables[rt].routes.push(Route {
        dest: K::Known(any4()),
        target: Target::Igw(igw),
        cite: cite(
            anchor,
            "the default VPC's main route table sends 0.0.0.0/0 to its internet gateway (implicit)",
        ),
        maybe: None,
    });
    let subnet = add_subnet(m, default_subnet(scope, vpc, anchor));
    m.vpcs[vpc].default_subnet = Some(subnet);
    vpc
}

/// The implicit default subnet of the default VPC.
pub fn default_subnet(scope: &str, vpc: Id, anchor: Span) -> Subnet {
    Subnet {
        key: format!("{scope}::<default subnet>"),
        address: "a default subnet of the default VPC".into(),
        span: anchor,
        vpc: K::Known(vpc),
        implicit: true,
        map_public_ip: K::Known(true),
        map_public_ip_span: anchor,
        has_ipv6: K::Known(false),
        assign_ipv6: K::Known(false),
    }
}

/// Adds a subnet with empty association lists.
pub fn add_subnet(m: &mut NetModel, s: Subnet) -> Id {
    m.subnets.push(s);
    m.subnet_rts.push(Vec::new());
    m.subnet_nacls.push(Vec::new());
    m.subnets.len() - 1
}
