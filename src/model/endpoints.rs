//! Endpoints: instances, network interfaces, autoscaling groups (through launch templates and
//! configurations), load balancers and databases, with their subnets, security groups and
//! public addressing (SEMANTICS.md §4).

use super::build::{cite, maybe_of, Builder};
use super::resolve::{attr, blocks, elems, kbool, rattr, scope_of, Obj};
use super::{Cite, Endpoint, EndpointKind, Id, Unk, K};
use crate::ir::{Resource, Val};
use crate::net::sets::{Ports, Proto};
use crate::source::Span;
use foldhash::HashMap;

/// How an instance, launch template or launch configuration sets up the first interface.
#[derive(Default, Clone)]
struct LaunchSpec<'a> {
    subnet: Option<&'a Val>,
    sgs: Vec<&'a Val>,
    public: Option<&'a Val>,
    ipv6_count: Option<&'a Val>,
    /// A pre-existing interface used as eth0.
    eni: Option<&'a Val>,
    nics: usize,
}

impl<'a> LaunchSpec<'a> {
    /// Fields of `self` override those of `base` (an instance over its launch template).
    fn over(self, base: LaunchSpec<'a>) -> LaunchSpec<'a> {
        LaunchSpec {
            subnet: self.subnet.or(base.subnet),
            sgs: if self.sgs.is_empty() {
                base.sgs
            } else {
                self.sgs
            },
            public: self.public.or(base.public),
            ipv6_count: self.ipv6_count.or(base.ipv6_count),
            eni: self.eni.or(base.eni),
            nics: self.nics.max(base.nics),
        }
    }
}

const SG_LISTS: &[&str] = &[
    "vpc_security_group_ids",
    "security_groups",
    "security_group_names",
    "SecurityGroupIds",
    "SecurityGroups",
    "GroupSet",
    "Groups",
];

/// Reads a launch spec through an attribute lookup (instance attrs, LT data, LC attrs).
fn launch_spec<'a>(get: impl Fn(&str) -> Option<&'a Val>) -> LaunchSpec<'a> {
    let first = |names: &[&str]| names.iter().find_map(|n| get(n)).filter(|v| !v.is_null());
    let mut s = LaunchSpec {
        subnet: first(&["subnet_id", "SubnetId"]),
        sgs: SG_LISTS
            .iter()
            .filter_map(|n| get(n))
            .flat_map(elems)
            .collect(),
        public: first(&["associate_public_ip_address", "AssociatePublicIpAddress"]),
        ipv6_count: first(&[
            "ipv6_address_count",
            "Ipv6AddressCount",
            "ipv6_addresses",
            "Ipv6Addresses",
        ]),
        ..Default::default()
    };
    let nics: Vec<&Val> = [
        "network_interfaces",
        "NetworkInterfaces",
        "network_interface",
        "primary_network_interface",
    ]
    .iter()
    .flat_map(|n| blocks(get(n)))
    .collect();
    s.nics = nics.len();
    let eth0 = nics.iter().find(|n| {
        attr(n, &["device_index", "DeviceIndex"])
            .and_then(Val::as_i64)
            .unwrap_or(0)
            == 0
    });
    if let Some(n) = eth0 {
        s = spec_of_nic(n).over(s);
    }
    s
}

/// A launch spec from a map value (launch template data).
fn spec_of(m: &Val) -> LaunchSpec<'_> {
    launch_spec(|k| m.get(k))
}

fn spec_of_nic(n: &Val) -> LaunchSpec<'_> {
    LaunchSpec {
        subnet: attr(n, &["subnet_id", "SubnetId"]),
        sgs: ["security_groups", "GroupSet", "Groups"]
            .iter()
            .filter_map(|k| n.get(k))
            .flat_map(elems)
            .collect(),
        public: attr(
            n,
            &["associate_public_ip_address", "AssociatePublicIpAddress"],
        ),
        ipv6_count: attr(
            n,
            &[
                "ipv6_address_count",
                "Ipv6AddressCount",
                "ipv6_addresses",
                "Ipv6Addresses",
            ],
        ),
        eni: attr(n, &["network_interface_id", "NetworkInterfaceId"]),
        nics: 0,
    }
}

const LT: &[&str] = &["aws_launch_template", "AWS::EC2::LaunchTemplate"];
const LC: &[&str] = &[
    "aws_launch_configuration",
    "AWS::AutoScaling::LaunchConfiguration",
];

/// Builds every endpoint.
pub(super) fn build(b: &mut Builder) {
    let rs = b.m.resources;
    let eips = elastic_ips(b);
    let extra_sgs = eni_sg_attachments(b);
    let listeners = listeners(b);
    for r in rs {
        match r.kind.as_str() {
            "aws_instance" | "AWS::EC2::Instance" => {
                let mut spec = spec_of_res(r);
                if let Some(lt) = template_of(b, r) {
                    spec = spec.over(lt);
                }
                let ep = launch_endpoint(b, r, EndpointKind::Instance, spec, eips.get(&r.key));
                b.m.endpoints.push(ep);
            }
            "aws_network_interface" | "AWS::EC2::NetworkInterface" => {
                let mut spec = spec_of_res(r);
                spec.nics = 1;
                let mut ep =
                    launch_endpoint(b, r, EndpointKind::NetworkInterface, spec, eips.get(&r.key));
                if !eips.contains_key(&r.key) {
                    // an interface created on its own gets no launch-time public IP
                    (ep.public_v4, ep.public_v4_cite) =
                        match rattr(r, &["associate_public_ip_address"]) {
                            Some(v) => (
                                kbool(v, "associate_public_ip_address"),
                                Some(cite(
                                    v.span,
                                    "associate_public_ip_address is set on the interface",
                                )),
                            ),
                            None => eni_public(b, &ep.subnets[0].0, r.span),
                        };
                }
                for (sg, c) in extra_sgs.get(&r.key).into_iter().flatten() {
                    ep.sgs.push((sg.clone(), c.clone()));
                }
                b.m.endpoints.push(ep);
            }
            "aws_autoscaling_group" | "AWS::AutoScaling::AutoScalingGroup" => {
                let spec = template_of(b, r).unwrap_or_default();
                let zones: Vec<&Val> = rattr(r, &["vpc_zone_identifier", "VPCZoneIdentifier"])
                    .map(elems)
                    .unwrap_or_default();
                let mut ep = launch_endpoint(
                    b,
                    r,
                    EndpointKind::AutoScalingGroup,
                    LaunchSpec {
                        subnet: None,
                        ..spec.clone()
                    },
                    None,
                );
                if !zones.is_empty() {
                    ep.default_vpc_cite = None;
                    ep.subnets = zones
                        .iter()
                        .map(|z| {
                            (
                                b.rs.subnet(z),
                                cite(
                                    z.span,
                                    format!("{} launches instances in this subnet", r.address),
                                ),
                            )
                        })
                        .collect();
                    // public addressing is decided per subnet at analysis: keep the launch flag
                    ep.public_v4 = public_flag(&spec, None, r);
                    ep.public_v4_cite = spec.public.map(|v| {
                        cite(
                            v.span,
                            "the launch template sets associate_public_ip_address",
                        )
                    });
                } else if let Some(s) = spec.subnet {
                    ep.default_vpc_cite = None;
                    ep.subnets = vec![(b.rs.subnet(s), cite(s.span, "launch template subnet"))];
                }
                b.m.endpoints.push(ep);
            }
            "aws_lb"
            | "aws_alb"
            | "AWS::ElasticLoadBalancingV2::LoadBalancer"
            | "aws_elb"
            | "AWS::ElasticLoadBalancing::LoadBalancer" => {
                let ep = load_balancer(b, r, listeners.get(&r.key).cloned().unwrap_or_default());
                b.m.endpoints.push(ep);
            }
            "aws_db_instance" | "AWS::RDS::DBInstance" => {
                let ep = database(b, r);
                b.m.endpoints.push(ep);
            }
            _ => {}
        }
    }
}

/// A launch spec from a resource's attributes.
fn spec_of_res(r: &Resource) -> LaunchSpec<'_> {
    launch_spec(|k| r.attrs.get(k))
}

/// The launch template or configuration an instance or ASG uses.
fn template_of<'a>(b: &Builder<'a>, r: &'a Resource) -> Option<LaunchSpec<'a>> {
    let lt_ref = rattr(r, &["launch_template", "LaunchTemplate"])
        .map(|v| blocks(Some(v)).into_iter().next().unwrap_or(v))
        .or_else(|| {
            rattr(r, &["mixed_instances_policy", "MixedInstancesPolicy"]).and_then(|m| {
                let m = blocks(Some(m)).into_iter().next()?;
                let lt = blocks(attr(m, &["launch_template", "LaunchTemplate"]))
                    .into_iter()
                    .next()?;
                blocks(attr(
                    lt,
                    &[
                        "launch_template_specification",
                        "LaunchTemplateSpecification",
                    ],
                ))
                .into_iter()
                .next()
            })
        });
    if let Some(spec) = lt_ref {
        let id = attr(
            spec,
            &["id", "name", "LaunchTemplateId", "LaunchTemplateName"],
        )?;
        let lt = b.rs.resource(id, LT, scope_of(&r.key))?;
        let data = rattr(lt, &["LaunchTemplateData"]);
        return Some(match data {
            Some(d) => spec_of(d),
            None => spec_of_res(lt),
        });
    }
    let lc = rattr(r, &["launch_configuration", "LaunchConfigurationName"])?;
    b.rs.resource(lc, LC, scope_of(&r.key)).map(spec_of_res)
}

/// Effective auto-assigned public IPv4 for a launch in `subnet` (§4.2).
fn public_flag(spec: &LaunchSpec, subnet: Option<(&K<Id>, &Builder)>, _r: &Resource) -> K<bool> {
    if spec.nics > 1 {
        return K::Known(false);
    }
    if let Some(v) = spec.public {
        if spec.eni.is_none() {
            return kbool(v, "associate_public_ip_address");
        }
    }
    let Some((s, b)) = subnet else {
        return K::Known(false);
    };
    let map = match s {
        K::Known(s) => b.m.subnets[*s].map_public_ip.clone(),
        K::Unknown(u) => K::Unknown(u.clone()),
    };
    if spec.eni.is_some() {
        // a pre-existing interface as eth0: the launch flag cannot apply; a mapping subnet leaves it open
        return match map {
            K::Known(false) => K::Known(false),
            K::Known(true) => K::Unknown(Unk {
                reason: "a pre-existing network interface in a subnet that maps public IPs may or may not have one".into(),
                span: spec.eni.map_or(Span::default(), |v| v.span),
            }),
            u => u,
        };
    }
    map
}

/// Public IPv4 of a pre-existing interface: unknown when its subnet maps public addresses.
fn eni_public(b: &Builder, subnet: &K<Id>, span: Span) -> (K<bool>, Option<Cite>) {
    match subnet {
        K::Known(s) if b.m.subnets[*s].map_public_ip == K::Known(false) => (K::Known(false), None),
        K::Known(s) => (
            K::Unknown(Unk {
                reason: format!(
                    "whether AWS maps a public IPv4 address from {} to a network interface created on its own is not modelled",
                    b.m.subnets[*s].address
                ),
                span,
            }),
            None,
        ),
        K::Unknown(u) => (K::Unknown(u.clone()), None),
    }
}

fn launch_endpoint(
    b: &mut Builder,
    r: &Resource,
    kind: EndpointKind,
    spec: LaunchSpec,
    eip: Option<&Cite>,
) -> Endpoint {
    let mut default_vpc_cite = None;
    let subnet = match (spec.subnet, spec.eni) {
        (Some(s), _) => (
            b.rs.subnet(s),
            cite(s.span, format!("{} is placed in this subnet", r.address)),
        ),
        (None, Some(e)) => match b
            .rs
            .resource(
                e,
                &["aws_network_interface", "AWS::EC2::NetworkInterface"],
                scope_of(&r.key),
            )
            .and_then(|eni| rattr(eni, &["subnet_id", "SubnetId"]))
        {
            Some(s) => (
                b.rs.subnet(s),
                cite(e.span, format!("{} uses this network interface", r.address)),
            ),
            None => (
                K::Unknown(Unk {
                    reason: "the network interface's subnet is unknown".into(),
                    span: e.span,
                }),
                cite(e.span, "network interface"),
            ),
        },
        (None, None) => {
            let (s, c) = default_placement(b, r, "subnet");
            default_vpc_cite = Some(c.clone());
            (s, c)
        }
    };
    let eni_sgs: Vec<&Val> = match (spec.sgs.is_empty(), spec.eni) {
        (true, Some(e)) => {
            b.rs.resource(
                e,
                &["aws_network_interface", "AWS::EC2::NetworkInterface"],
                scope_of(&r.key),
            )
            .and_then(|eni| rattr(eni, &["security_groups", "GroupSet"]))
            .map(elems)
            .unwrap_or_default()
        }
        _ => Vec::new(),
    };
    let sgs: Vec<(K<Id>, Cite)> = spec
        .sgs
        .iter()
        .chain(eni_sgs.iter())
        .map(|v| {
            (
                b.rs.sg(v),
                cite(v.span, format!("{} is in this security group", r.address)),
            )
        })
        .collect();
    let (public_v4, public_v4_cite) = match eip {
        Some(c) => (K::Known(true), Some(c.clone())),
        None => {
            let p = public_flag(&spec, Some((&subnet.0, b)), r);
            let c = match (&p, spec.public, &subnet.0) {
                (_, Some(v), _) if spec.eni.is_none() && spec.nics <= 1 => {
                    Some(cite(v.span, "associate_public_ip_address is set at launch"))
                }
                (K::Known(true), _, K::Known(s)) => {
                    let sub = &b.m.subnets[*s];
                    let mut c = cite(
                        sub.map_public_ip_span,
                        if sub.implicit {
                            "the default subnet assigns a public IPv4 address at launch (implicit)"
                                .to_string()
                        } else {
                            format!("{} assigns public IPv4 addresses at launch (map_public_ip_on_launch)", sub.address)
                        },
                    );
                    c.implicit = sub.implicit;
                    Some(c)
                }
                _ => None,
            };
            (p, c)
        }
    };
    let (ipv6, ipv6_cite) = ipv6_of(b, &spec, &subnet.0);
    Endpoint {
        kind,
        resource: r.address.clone(),
        key: r.key.clone(),
        span: r.span,
        subnets: vec![subnet],
        sgs,
        no_sg_filter: false,
        public_v4,
        public_v4_cite,
        ipv6,
        ipv6_cite,
        listen: None,
        default_vpc_cite,
        maybe: maybe_of(r),
    }
}

fn ipv6_of(b: &Builder, spec: &LaunchSpec, subnet: &K<Id>) -> (K<bool>, Option<Cite>) {
    let K::Known(s) = subnet else {
        return (K::Known(false), None);
    };
    let sub = &b.m.subnets[*s];
    if sub.has_ipv6 != K::Known(true) {
        return (K::Known(false), None);
    }
    match spec.ipv6_count {
        Some(v) => {
            let has = match (&v.value, v.as_i64()) {
                (_, Some(n)) => K::Known(n > 0),
                (crate::ir::Value::List(l), _) => K::Known(!l.is_empty()),
                _ => K::Unknown(super::resolve::unk_of(v, "IPv6 address count")),
            };
            (
                has,
                Some(cite(v.span, "the interface gets a global IPv6 address")),
            )
        }
        None => (
            sub.assign_ipv6.clone(),
            Some(cite(
                sub.span,
                format!("{} assigns IPv6 addresses on creation", sub.address),
            )),
        ),
    }
}

/// Elastic IPs by the key of the instance or interface they are bound to.
fn elastic_ips(b: &Builder) -> HashMap<String, Cite> {
    let mut out = HashMap::default();
    for r in b.m.resources {
        let names: &[&str] = match r.kind.as_str() {
            "aws_eip" => &["instance", "network_interface"],
            "aws_eip_association" | "AWS::EC2::EIPAssociation" => &[
                "instance_id",
                "network_interface_id",
                "InstanceId",
                "NetworkInterfaceId",
            ],
            "AWS::EC2::EIP" => &["InstanceId"],
            _ => continue,
        };
        for n in names {
            if let Some(v) = r.attrs.get(*n) {
                if let K::Known(Obj::Resource(i)) = b.rs.obj(v, "EIP target") {
                    let c = cite(
                        r.span,
                        format!("{} gives it a public IPv4 address (Elastic IP)", r.address),
                    );
                    out.insert(b.m.resources[i].key.clone(), c);
                }
            }
        }
    }
    out
}

/// Extra security groups attached to standalone interfaces.
fn eni_sg_attachments(b: &Builder) -> HashMap<String, Vec<(K<Id>, Cite)>> {
    let mut out: HashMap<String, Vec<(K<Id>, Cite)>> = HashMap::default();
    for r in b.m.resources {
        if r.kind != "aws_network_interface_sg_attachment" {
            continue;
        }
        if let (Some(e), Some(sg)) = (
            rattr(r, &["network_interface_id"]),
            rattr(r, &["security_group_id"]),
        ) {
            if let K::Known(Obj::Resource(i)) = b.rs.obj(e, "network interface") {
                let c = cite(
                    r.span,
                    format!("{} attaches this security group", r.address),
                );
                out.entry(b.m.resources[i].key.clone())
                    .or_default()
                    .push((b.rs.sg(sg), c));
            }
        }
    }
    out
}

/// Listener ports of load balancers, by load balancer key.
fn listeners(b: &Builder) -> HashMap<String, Vec<(Proto, Ports, Cite)>> {
    let mut out: HashMap<String, Vec<(Proto, Ports, Cite)>> = HashMap::default();
    for r in b.m.resources {
        if !matches!(
            r.kind.as_str(),
            "aws_lb_listener" | "aws_alb_listener" | "AWS::ElasticLoadBalancingV2::Listener"
        ) {
            continue;
        }
        let (Some(lb), Some(port)) = (
            rattr(r, &["load_balancer_arn", "LoadBalancerArn"]),
            rattr(r, &["port", "Port"]),
        ) else {
            continue;
        };
        let K::Known(Obj::Resource(i)) = b.rs.obj(lb, "load balancer") else {
            continue;
        };
        let proto = rattr(r, &["protocol", "Protocol"])
            .and_then(|v| v.as_str().map(|s| s.to_ascii_uppercase()));
        let c = cite(port.span, format!("{} listens here", r.address));
        for (p, ports) in listener_ports(proto.as_deref(), port.as_i64()) {
            out.entry(b.m.resources[i].key.clone())
                .or_default()
                .push((p, ports, c.clone()));
        }
    }
    out
}

fn listener_ports(proto: Option<&str>, port: Option<i64>) -> Vec<(Proto, Ports)> {
    let ports = match port {
        Some(p) if (0..=65535).contains(&p) => Ports::from_iter([p as u16..=p as u16]),
        _ => Ports::universe(),
    };
    match proto {
        Some("UDP") => vec![(Proto::Udp, ports)],
        Some("TCP_UDP") => vec![(Proto::Tcp, ports.clone()), (Proto::Udp, ports)],
        _ => vec![(Proto::Tcp, ports)],
    }
}

fn load_balancer(b: &mut Builder, r: &Resource, mut listen: Vec<(Proto, Ports, Cite)>) -> Endpoint {
    let classic = matches!(
        r.kind.as_str(),
        "aws_elb" | "AWS::ElasticLoadBalancing::LoadBalancer"
    );
    let (public_v4, public_cite) = match (rattr(r, &["internal"]), rattr(r, &["Scheme", "scheme"]))
    {
        (Some(v), _) => match v.as_bool() {
            Some(i) => (
                K::Known(!i),
                Some(cite(
                    v.span,
                    if i {
                        "internal = true"
                    } else {
                        "internal = false: internet-facing"
                    },
                )),
            ),
            None => (K::Unknown(super::resolve::unk_of(v, "internal")), None),
        },
        (None, Some(v)) => match v.as_str() {
            Some(s) => (
                K::Known(s != "internal"),
                Some(cite(v.span, format!("Scheme {s}"))),
            ),
            None => (K::Unknown(super::resolve::unk_of(v, "Scheme")), None),
        },
        (None, None) => (
            K::Known(true),
            Some(cite(
                r.span,
                "no scheme given: load balancers are internet-facing by default",
            )),
        ),
    };
    let mut subnets: Vec<(K<Id>, Cite)> = rattr(r, &["subnets", "Subnets"])
        .map(elems)
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            (
                b.rs.subnet(s),
                cite(s.span, format!("{} has a node in this subnet", r.address)),
            )
        })
        .collect();
    for m in blocks(rattr(r, &["subnet_mapping", "SubnetMappings"])) {
        if let Some(s) = attr(m, &["subnet_id", "SubnetId"]) {
            subnets.push((
                b.rs.subnet(s),
                cite(s.span, format!("{} has a node in this subnet", r.address)),
            ));
        }
    }
    let mut default_vpc_cite = None;
    if subnets.is_empty() {
        let (s, c) = default_placement(b, r, "subnet");
        default_vpc_cite = Some(c.clone());
        subnets.push((s, c));
    }
    let sgs = attached_groups(b, r, &["security_groups", "SecurityGroups"]);
    let network = rattr(r, &["load_balancer_type", "Type"])
        .and_then(|v| v.as_str().map(|s| s.into_owned()))
        .is_some_and(|t| t == "network" || t == "gateway");
    if classic {
        for l in blocks(rattr(r, &["listener", "Listeners"])) {
            let port = attr(l, &["lb_port", "LoadBalancerPort"]);
            let proto = attr(l, &["lb_protocol", "Protocol"])
                .and_then(|v| v.as_str().map(|s| s.to_ascii_uppercase()));
            let c = cite(
                port.map_or(l.span, |p| p.span),
                format!("{} listens here", r.address),
            );
            for (p, ports) in listener_ports(proto.as_deref(), port.and_then(Val::as_i64)) {
                listen.push((p, ports, c.clone()));
            }
        }
    }
    Endpoint {
        kind: EndpointKind::LoadBalancer,
        resource: r.address.clone(),
        key: r.key.clone(),
        span: r.span,
        subnets,
        no_sg_filter: sgs.is_empty() && network,
        sgs,
        public_v4,
        public_v4_cite: public_cite,
        ipv6: K::Known(false),
        ipv6_cite: None,
        listen: Some(listen),
        default_vpc_cite,
        maybe: maybe_of(r),
    }
}

/// A resource that names no `what` lands in a default subnet of the default VPC.
fn default_placement(b: &mut Builder, r: &Resource, what: &str) -> (K<Id>, Cite) {
    let v = b.default_vpc(r, r.span);
    let s = b.m.vpcs[v].default_subnet.unwrap_or(0);
    let c = cite(
        r.span,
        format!(
            "{} names no {what}, so it lands in a default subnet of the default VPC (implicit)",
            r.address
        ),
    );
    (K::Known(s), c)
}

/// Security groups a load balancer or database lists under one of `names`.
fn attached_groups(b: &Builder, r: &Resource, names: &[&str]) -> Vec<(K<Id>, Cite)> {
    rattr(r, names)
        .map(elems)
        .unwrap_or_default()
        .into_iter()
        .map(|v| {
            (
                b.rs.sg(v),
                cite(v.span, format!("{} uses this security group", r.address)),
            )
        })
        .collect()
}

/// Default port of a database engine.
pub fn engine_port(engine: &str) -> Option<u16> {
    let e = engine.to_ascii_lowercase();
    Some(if e.contains("postgres") {
        5432
    } else if e.contains("mysql") || e.contains("mariadb") {
        3306
    } else if e.starts_with("sqlserver") {
        1433
    } else if e.starts_with("oracle") {
        1521
    } else if e.starts_with("db2") {
        50000
    } else {
        return None;
    })
}

fn database(b: &mut Builder, r: &Resource) -> Endpoint {
    let cfn = r.kind.starts_with("AWS::");
    let (public_v4, public_cite) = match rattr(r, &["publicly_accessible", "PubliclyAccessible"]) {
        Some(v) => (
            kbool(v, "publicly_accessible"),
            Some(cite(v.span, "publicly accessible")),
        ),
        None if cfn => (
            K::Unknown(Unk {
                reason: format!(
                    "{} omits PubliclyAccessible, whose AWS default depends on the subnet group",
                    r.address
                ),
                span: r.span,
            }),
            None,
        ),
        None => (K::Known(false), None),
    };
    let group = rattr(r, &["db_subnet_group_name", "DBSubnetGroupName"]);
    let mut default_vpc_cite = None;
    let subnets: Vec<(K<Id>, Cite)> = match group {
        Some(g) => match b.rs.resource(
            g,
            &["aws_db_subnet_group", "AWS::RDS::DBSubnetGroup"],
            scope_of(&r.key),
        ) {
            Some(sg) => rattr(sg, &["subnet_ids", "SubnetIds"])
                .map(elems)
                .unwrap_or_default()
                .into_iter()
                .map(|s| {
                    (
                        b.rs.subnet(s),
                        cite(s.span, format!("{} is in this subnet", sg.address)),
                    )
                })
                .collect(),
            None => vec![(
                K::Unknown(super::resolve::unk_of(g, "DB subnet group")),
                cite(g.span, "DB subnet group"),
            )],
        },
        None => {
            let (s, c) = default_placement(b, r, "DB subnet group");
            default_vpc_cite = Some(c.clone());
            vec![(s, c)]
        }
    };
    let sgs = attached_groups(b, r, &["vpc_security_group_ids", "VPCSecurityGroups"]);
    let port = rattr(r, &["port", "Port"]);
    let engine = rattr(r, &["engine", "Engine"]).and_then(|v| v.as_str().map(|s| s.into_owned()));
    let ports = match (
        port.and_then(Val::as_i64),
        engine.as_deref().and_then(engine_port),
    ) {
        (Some(p), _) if (0..=65535).contains(&p) => Ports::from_iter([p as u16..=p as u16]),
        (_, Some(p)) => Ports::from_iter([p..=p]),
        _ => Ports::universe(),
    };
    let pc = cite(
        port.map_or(r.span, |p| p.span),
        format!("{} listens on this port", r.address),
    );
    Endpoint {
        kind: EndpointKind::Database,
        resource: r.address.clone(),
        key: r.key.clone(),
        span: r.span,
        subnets,
        sgs,
        no_sg_filter: false,
        public_v4,
        public_v4_cite: public_cite,
        ipv6: K::Known(false),
        ipv6_cite: None,
        listen: Some(vec![(Proto::Tcp, ports, pc)]),
        default_vpc_cite,
        maybe: maybe_of(r),
    }
}
