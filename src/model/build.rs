//! Builds the [`NetModel`] from IR resources of both frontends. Each concept reads the
//! Terraform and CloudFormation spellings of its attributes through one name list, so both
//! frontends share one implementation.

use super::defaults::{add_default_vpc, add_subnet, add_vpc};
use super::endpoints;
use super::resolve::{attr, blocks, elems, kbool, kcidr, kproto, rattr, scope_of, Obj, Resolver};
use super::{
    BlockPublicAccess, Cite, Id, Igw, Nacl, NaclEntry, NetModel, Peer, Route, RouteTable, Sg,
    SgKind, SgRule, Subnet, Target, Unk, Vpc, K,
};
use crate::ir::{Existence, Resource, Val, Value};
use crate::net::sets::{all_ports, icmp_ports, parse_cidr, rule_ports, Proto};
use crate::settings::Settings;
use crate::source::{SourceMap, Span};
use foldhash::HashMap;

/// Builds the model from lowered resources.
pub fn build<'a>(
    resources: &'a [Resource],
    sources: &'a SourceMap,
    _settings: &Settings,
) -> NetModel<'a> {
    let mut b = Builder {
        m: NetModel {
            resources,
            sources: Some(sources),
            ..NetModel::default()
        },
        rs: Resolver::new(resources),
        default_vpcs: HashMap::default(),
    };
    b.objects();
    b.links();
    b.security_groups();
    b.nacls();
    b.routes();
    endpoints::build(&mut b);
    b.m
}

pub(super) struct Builder<'a> {
    pub m: NetModel<'a>,
    pub rs: Resolver<'a>,
    default_vpcs: HashMap<String, Id>,
}

/// Whether `inner` lies inside `outer` (same file).
fn within(inner: Span, outer: Span) -> bool {
    inner.file == outer.file && inner.start >= outer.start && inner.end <= outer.end
}

pub(super) fn cite(span: Span, message: impl Into<String>) -> Cite {
    Cite {
        span,
        message: message.into(),
        implicit: false,
    }
}

pub(super) fn maybe_of(r: &Resource) -> Option<Unk> {
    match &r.exists {
        Existence::Yes => None,
        Existence::Maybe(v) => Some(Unk {
            reason: format!(
                "{} exists only if {}",
                r.address,
                v.as_unknown()
                    .map_or("an unknown condition holds", |u| u.reason.as_str())
            ),
            span: v.span,
        }),
    }
}

/// Attributes of a resource as a map value (for rule resources read like inline blocks).
pub(super) fn as_map(r: &Resource) -> Val {
    Val::new(Value::Map(r.attrs.clone()), r.span)
}

const VPC: &[&str] = &["aws_vpc", "AWS::EC2::VPC"];
const SUBNET: &[&str] = &["aws_subnet", "AWS::EC2::Subnet"];
const IGW: &[&str] = &["aws_internet_gateway", "AWS::EC2::InternetGateway"];
const RT: &[&str] = &["aws_route_table", "AWS::EC2::RouteTable"];
const NACL: &[&str] = &["aws_network_acl", "AWS::EC2::NetworkAcl"];
const SG: &[&str] = &["aws_security_group", "AWS::EC2::SecurityGroup"];
const VPC_ID: &[&str] = &["vpc_id", "VpcId"];

impl<'a> Builder<'a> {
    /// The default VPC of the scope of `r`, created on first use and anchored at `anchor`.
    pub fn default_vpc(&mut self, r: &Resource, anchor: Span) -> Id {
        let scope = scope_of(&r.key).to_string();
        if let Some(&v) = self.default_vpcs.get(&scope) {
            return v;
        }
        let v = add_default_vpc(&mut self.m, &scope, anchor);
        self.register_vpc_parts(&format!("{scope}::<default VPC>"), v);
        self.default_vpcs.insert(scope, v);
        v
    }

    fn register_vpc_parts(&mut self, key: &str, v: Id) {
        let vpc = &self.m.vpcs[v];
        let objs = &mut self.rs.objs;
        objs.insert(key.to_string(), Obj::Vpc(v));
        objs.insert(format!("{key}#default_sg"), Obj::Sg(vpc.default_sg));
        objs.insert(format!("{key}#default_nacl"), Obj::Nacl(vpc.default_nacl));
        objs.insert(format!("{key}#main_rt"), Obj::RouteTable(vpc.main_rt));
    }

    /// First pass: objects that others refer to.
    fn objects(&mut self) {
        let rs = self.m.resources;
        for r in rs {
            let kind = r.kind.as_str();
            if VPC.contains(&kind) {
                let cidrs = rattr(r, &["cidr_block", "CidrBlock"])
                    .and_then(|v| v.as_str().and_then(|s| parse_cidr(&s)))
                    .into_iter()
                    .collect();
                let ipv6 = match rattr(r, &["assign_generated_ipv6_cidr_block", "ipv6_cidr_block"])
                {
                    Some(v) if v.as_str().is_some_and(|s| s.contains(':')) => K::Known(true),
                    Some(v) => kbool(v, "IPv6 block"),
                    None => K::Known(false),
                };
                let v = add_vpc(
                    &mut self.m,
                    Vpc {
                        key: r.key.clone(),
                        address: r.address.clone(),
                        span: r.span,
                        is_default: false,
                        implicit: false,
                        cidrs,
                        has_ipv6: ipv6,
                        main_rt: 0,
                        default_nacl: 0,
                        default_sg: 0,
                        default_subnet: None,
                    },
                );
                self.register_vpc_parts(&r.key, v);
            } else if kind == "aws_default_vpc"
                || (kind == "data.aws_vpc"
                    && rattr(r, &["default"]).and_then(Val::as_bool) == Some(true))
            {
                let v = self.default_vpc(r, r.span);
                self.register_vpc_parts(&r.key, v);
            } else if IGW.contains(&kind) {
                self.m.igws.push(Igw {
                    key: r.key.clone(),
                    address: r.address.clone(),
                    span: r.span,
                    implicit: false,
                    attachments: Vec::new(),
                });
                self.rs
                    .objs
                    .insert(r.key.clone(), Obj::Igw(self.m.igws.len() - 1));
            } else if RT.contains(&kind) {
                self.m.route_tables.push(RouteTable {
                    key: r.key.clone(),
                    address: r.address.clone(),
                    span: r.span,
                    vpc: K::Known(0),
                    implicit: false,
                    routes: Vec::new(),
                    unknown_routes: None,
                });
                self.rs.objs.insert(
                    r.key.clone(),
                    Obj::RouteTable(self.m.route_tables.len() - 1),
                );
            } else if NACL.contains(&kind) {
                self.m.nacls.push(Nacl {
                    key: r.key.clone(),
                    address: r.address.clone(),
                    span: r.span,
                    vpc: K::Known(0),
                    implicit: false,
                    is_default: false,
                    entries: Vec::new(),
                });
                self.rs
                    .objs
                    .insert(r.key.clone(), Obj::Nacl(self.m.nacls.len() - 1));
            } else if SG.contains(&kind) {
                let name = rattr(r, &["name", "GroupName"])
                    .and_then(|v| v.as_str().map(|s| s.into_owned()))
                    .unwrap_or_else(|| r.address.clone());
                self.m.sgs.push(Sg {
                    key: r.key.clone(),
                    address: r.address.clone(),
                    span: r.span,
                    vpc: K::Known(0),
                    kind: SgKind::Declared,
                    implicit: false,
                    name,
                    has_description: rattr(r, &["description", "GroupDescription"]).is_some(),
                    rules: Vec::new(),
                    in_default_vpc: false,
                });
                self.rs
                    .objs
                    .insert(r.key.clone(), Obj::Sg(self.m.sgs.len() - 1));
            } else if matches!(kind, "aws_nat_gateway" | "AWS::EC2::NatGateway") {
                self.rs.objs.insert(r.key.clone(), Obj::Nat);
            } else if matches!(
                kind,
                "aws_egress_only_internet_gateway" | "AWS::EC2::EgressOnlyInternetGateway"
            ) {
                self.rs.objs.insert(r.key.clone(), Obj::EgressOnly);
            }
        }
        // subnets need their VPC
        for r in rs {
            let kind = r.kind.as_str();
            if SUBNET.contains(&kind) || kind == "aws_default_subnet" {
                let is_default = kind == "aws_default_subnet";
                let vpc = if is_default {
                    K::Known(self.default_vpc(r, r.span))
                } else {
                    match rattr(r, VPC_ID) {
                        Some(v) => self.rs.vpc(v),
                        None => K::Known(self.default_vpc(r, r.span)),
                    }
                };
                let mp = rattr(r, &["map_public_ip_on_launch", "MapPublicIpOnLaunch"]);
                let has_ipv6 = match rattr(r, &["ipv6_cidr_block", "Ipv6CidrBlock", "Ipv6Native"]) {
                    Some(_) => K::Known(true),
                    None => K::Known(false),
                };
                let s = add_subnet(
                    &mut self.m,
                    Subnet {
                        key: r.key.clone(),
                        address: r.address.clone(),
                        span: r.span,
                        vpc,
                        implicit: false,
                        map_public_ip: mp.map_or(K::Known(is_default), |v| {
                            kbool(v, "map_public_ip_on_launch")
                        }),
                        map_public_ip_span: mp.map_or(r.span, |v| v.span),
                        has_ipv6,
                        assign_ipv6: rattr(
                            r,
                            &[
                                "assign_ipv6_address_on_creation",
                                "AssignIpv6AddressOnCreation",
                            ],
                        )
                        .map_or(K::Known(false), |v| {
                            kbool(v, "assign_ipv6_address_on_creation")
                        }),
                    },
                );
                self.rs.objs.insert(r.key.clone(), Obj::Subnet(s));
            }
        }
    }

    /// VPC links of IGWs, route tables, NACLs and SGs; IPv6 blocks; BPA.
    fn links(&mut self) {
        let rs = self.m.resources;
        for r in rs {
            let kind = r.kind.as_str();
            match kind {
                "aws_internet_gateway" => {
                    if let (Some(v), K::Known(Obj::Igw(g))) = (rattr(r, VPC_ID), self.self_obj(r)) {
                        let vpc = self.rs.vpc(v);
                        self.m.igws[g].attachments.push((
                            vpc,
                            cite(v.span, format!("{} is attached to the VPC", r.address)),
                        ));
                    }
                }
                "aws_internet_gateway_attachment" | "AWS::EC2::VPCGatewayAttachment" => {
                    let (Some(g), Some(v)) = (
                        rattr(r, &["internet_gateway_id", "InternetGatewayId"]),
                        rattr(r, VPC_ID),
                    ) else {
                        continue;
                    };
                    if let K::Known(Obj::Igw(g)) = self.rs.obj(g, "internet gateway") {
                        let vpc = self.rs.vpc(v);
                        let c = cite(
                            r.span,
                            format!("{} attaches the internet gateway to the VPC", r.address),
                        );
                        self.m.igws[g].attachments.push((vpc, c));
                    }
                }
                "aws_vpc_ipv6_cidr_block_association" | "AWS::EC2::VPCCidrBlock" => {
                    let ipv6 = rattr(
                        r,
                        &[
                            "ipv6_cidr_block",
                            "Ipv6CidrBlock",
                            "AmazonProvidedIpv6CidrBlock",
                            "ipv6_ipam_pool_id",
                            "Ipv6Pool",
                        ],
                    );
                    if let (Some(v), Some(_)) = (rattr(r, VPC_ID), ipv6) {
                        if let K::Known(v) = self.rs.vpc(v) {
                            self.m.vpcs[v].has_ipv6 = K::Known(true);
                        }
                    }
                }
                "aws_vpc_block_public_access_options" | "AWS::EC2::VPCBlockPublicAccessOptions" => {
                    if let Some(mode) = rattr(
                        r,
                        &["internet_gateway_block_mode", "InternetGatewayBlockMode"],
                    ) {
                        let mode_k = match mode.as_str() {
                            Some(s) => K::Known(s.into_owned()),
                            None => K::Unknown(super::resolve::unk_of(mode, "block mode")),
                        };
                        self.m.bpa.push(BlockPublicAccess {
                            mode: mode_k,
                            cite: cite(
                                mode.span,
                                format!("{} blocks internet gateway traffic", r.address),
                            ),
                            exclusions: Vec::new(),
                        });
                    }
                }
                _ => {}
            }
            let vpc_of = |b: &Self| rattr(r, VPC_ID).map(|v| b.rs.vpc(v));
            if RT.contains(&kind) {
                if let (K::Known(Obj::RouteTable(t)), Some(v)) = (self.self_obj(r), vpc_of(self)) {
                    self.m.route_tables[t].vpc = v;
                }
            } else if NACL.contains(&kind) {
                if let (K::Known(Obj::Nacl(n)), Some(v)) = (self.self_obj(r), vpc_of(self)) {
                    self.m.nacls[n].vpc = v;
                }
            } else if SG.contains(&kind) {
                if let K::Known(Obj::Sg(s)) = self.self_obj(r) {
                    match vpc_of(self) {
                        Some(v) => self.m.sgs[s].vpc = v,
                        None => {
                            let d = self.default_vpc(r, r.span);
                            self.m.sgs[s].vpc = K::Known(d);
                            self.m.sgs[s].in_default_vpc = true;
                        }
                    }
                }
            }
        }
        for r in rs {
            if matches!(
                r.kind.as_str(),
                "aws_vpc_block_public_access_exclusion" | "AWS::EC2::VPCBlockPublicAccessExclusion"
            ) {
                let mode = rattr(
                    r,
                    &[
                        "internet_gateway_exclusion_mode",
                        "InternetGatewayExclusionMode",
                    ],
                )
                .and_then(|v| v.as_str().map(|s| s.into_owned()))
                .unwrap_or_default();
                let (target, is_subnet) =
                    match (rattr(r, &["subnet_id", "SubnetId"]), rattr(r, VPC_ID)) {
                        (Some(s), _) => (self.rs.subnet(s), true),
                        (None, Some(v)) => (self.rs.vpc(v), false),
                        _ => continue,
                    };
                let c = cite(
                    r.span,
                    format!(
                        "{} excludes it from Block Public Access ({mode})",
                        r.address
                    ),
                );
                for b in &mut self.m.bpa {
                    b.exclusions
                        .push((target.clone(), is_subnet, mode.clone(), c.clone()));
                }
            }
        }
    }

    fn self_obj(&self, r: &Resource) -> K<Obj> {
        match self.rs.objs.get(&r.key) {
            Some(o) => K::Known(o.clone()),
            None => K::Unknown(Unk {
                reason: "not modelled".into(),
                span: r.span,
            }),
        }
    }

    /// Security group rules from inline blocks, rule resources and default-SG adoption: the
    /// groups first (adopting a default group wipes its rules), then the rule resources.
    fn security_groups(&mut self) {
        let rs = self.m.resources;
        // Terraform groups that manage their rules inline, and the first rule resource that
        // adds to each group
        let mut inline: HashMap<Id, &Resource> = HashMap::default();
        let mut added: HashMap<Id, &Resource> = HashMap::default();
        for r in rs {
            let kind = r.kind.as_str();
            let target = match kind {
                "aws_security_group" | "AWS::EC2::SecurityGroup" => {
                    self.self_obj(r).known().and_then(|o| match o {
                        Obj::Sg(s) => Some(*s),
                        _ => None,
                    })
                }
                "aws_default_security_group" => {
                    let vpc = match rattr(r, VPC_ID) {
                        Some(v) => self.rs.vpc(v),
                        None => K::Known(self.default_vpc(r, r.span)),
                    };
                    let K::Known(v) = vpc else { continue };
                    let sg = self.m.vpcs[v].default_sg;
                    // adoption wipes the AWS rules: exactly the declared ones remain
                    let s = &mut self.m.sgs[sg];
                    s.rules.clear();
                    s.implicit = false;
                    s.address = r.address.clone();
                    s.span = r.span;
                    self.rs.objs.insert(r.key.clone(), Obj::Sg(sg));
                    Some(sg)
                }
                _ => None,
            };
            if let Some(sg) = target {
                if !kind.starts_with("AWS::")
                    && (r.attrs.contains_key("ingress") || r.attrs.contains_key("egress"))
                {
                    inline.insert(sg, r);
                }
                let mut rules = Vec::new();
                for (name, egress) in [
                    ("ingress", false),
                    ("egress", true),
                    ("SecurityGroupIngress", false),
                    ("SecurityGroupEgress", true),
                ] {
                    for b in blocks(r.attrs.get(name)) {
                        rules.extend(self.sg_rules(b, egress, sg, r));
                    }
                }
                let declares_egress = r.attrs.contains_key("SecurityGroupEgress");
                let s = &mut self.m.sgs[sg];
                s.rules.extend(rules);
                if kind == "AWS::EC2::SecurityGroup" && !declares_egress {
                    // CloudFormation adds allow-all egress when none is declared
                    for net in ["0.0.0.0/0", "::/0"] {
                        s.rules.push(SgRule {
                            egress: true,
                            proto: K::Known(Proto::All),
                            ports: all_ports(),
                            peer: Peer::Cidr(net.parse().unwrap_or_default()),
                            span: r.span,
                            origins: Vec::new(),
                            rule_span: r.span,
                            resource: r.address.clone(),
                            resource_span: r.span,
                            has_description: true,
                            implicit: true,
                            maybe: None,
                        });
                    }
                }
            }
        }
        for r in rs {
            let kind = r.kind.as_str();
            let egress = match kind {
                "aws_security_group_rule" => {
                    match rattr(r, &["type"]).and_then(|v| v.as_str().map(|s| s.into_owned())) {
                        Some(t) => t == "egress",
                        None => continue,
                    }
                }
                "aws_vpc_security_group_ingress_rule" | "AWS::EC2::SecurityGroupIngress" => false,
                "aws_vpc_security_group_egress_rule" | "AWS::EC2::SecurityGroupEgress" => true,
                _ => continue,
            };
            let Some(gv) = rattr(r, &["security_group_id", "GroupId", "GroupName"]) else {
                continue;
            };
            let sg = match self.rs.sg(gv) {
                K::Known(s) => s,
                K::Unknown(_) => continue,
            };
            let rules = self.sg_rules(&as_map(r), egress, sg, r);
            self.m.sgs[sg].rules.extend(rules);
            if !kind.starts_with("AWS::") {
                added.entry(sg).or_insert(r);
            }
        }
        for (sg, group) in inline {
            if let Some(rule) = added.get(&sg) {
                self.mixed_rules(sg, group, rule);
            }
        }
    }

    /// A Terraform group with inline rules that rule resources also add to: the provider
    /// lets the two overwrite each other, so every rule of the group may be absent.
    fn mixed_rules(&mut self, sg: Id, group: &Resource, rule: &Resource) {
        let reason = format!(
            "{} manages its rules inline and {} adds rules to it: the AWS provider lets the \
             two overwrite each other, so this rule may be absent",
            group.address, rule.address
        );
        for r in &mut self.m.sgs[sg].rules {
            if r.maybe.is_some() {
                continue;
            }
            // each side is told where the other is declared
            let span = if r.resource == group.address {
                rule.span
            } else {
                group.span
            };
            r.maybe = Some(Unk {
                reason: reason.clone(),
                span,
            });
        }
    }

    /// One [`SgRule`] per peer of a rule map (inline block, rule resource, CFN rule object).
    fn sg_rules(&self, b: &Val, egress: bool, own: Id, r: &Resource) -> Vec<SgRule> {
        let proto = kproto(attr(b, &["protocol", "ip_protocol", "IpProtocol"]));
        let from = attr(b, &["from_port", "FromPort"]).and_then(Val::as_i64);
        let to = attr(b, &["to_port", "ToPort"]).and_then(Val::as_i64);
        let ports = match &proto {
            K::Known(p) => rule_ports(*p, from, to),
            K::Unknown(_) => all_ports(),
        };
        let base = SgRule {
            egress,
            proto,
            ports,
            peer: Peer::Group(K::Known(own)),
            span: b.span,
            origins: Vec::new(),
            rule_span: b.span,
            resource: r.address.clone(),
            resource_span: r.span,
            has_description: attr(b, &["description", "Description"]).is_some(),
            implicit: false,
            maybe: maybe_of(r),
        };
        let mut out = Vec::new();
        let mut push = |peer: Peer, v: &Val, attr: &Val| {
            // an element written elsewhere (a list variable's default) is cited there; the
            // finding points at the use site
            let (span, origins) = if within(v.span, attr.span) {
                (v.span, v.origins.clone())
            } else {
                let mut o = attr.origins.clone();
                for x in &v.origins {
                    if !o.iter().any(|y| y.span == x.span) {
                        o.push(x.clone());
                    }
                }
                if !o.iter().any(|x| x.span == v.span) {
                    o.push(crate::ir::Origin {
                        span: v.span,
                        message: "the value is written here".into(),
                    });
                }
                (attr.span, o)
            };
            out.push(SgRule {
                peer,
                span,
                origins,
                ..base.clone()
            });
        };
        for name in [
            "cidr_blocks",
            "cidr_ipv4",
            "CidrIp",
            "ipv6_cidr_blocks",
            "cidr_ipv6",
            "CidrIpv6",
        ] {
            let Some(a) = b.get(name) else { continue };
            for v in elems(a) {
                match kcidr(v, "CIDR") {
                    (K::Known(n), _) => push(Peer::Cidr(n), v, a),
                    (K::Unknown(u), cands) => push(Peer::Unknown(u, cands), v, a),
                }
            }
        }
        for name in [
            "prefix_list_ids",
            "prefix_list_id",
            "SourcePrefixListId",
            "DestinationPrefixListId",
        ] {
            let Some(a) = b.get(name) else { continue };
            for v in elems(a) {
                push(Peer::PrefixList(self.prefix_list(v, r)), v, a);
            }
        }
        for name in [
            "security_groups",
            "source_security_group_id",
            "referenced_security_group_id",
            "SourceSecurityGroupId",
            "SourceSecurityGroupName",
            "DestinationSecurityGroupId",
        ] {
            let Some(a) = b.get(name) else { continue };
            for v in elems(a) {
                push(Peer::Group(self.rs.sg(v)), v, a);
            }
        }
        if let Some(v) = b.get("self") {
            if v.as_bool() == Some(true) {
                push(Peer::Group(K::Known(own)), v, v);
            }
        }
        out
    }

    fn prefix_list(&self, v: &Val, r: &Resource) -> K<Vec<ipnet::IpNet>> {
        let kinds = ["aws_ec2_managed_prefix_list", "AWS::EC2::PrefixList"];
        match self.rs.resource(v, &kinds, scope_of(&r.key)) {
            Some(pl) => {
                let mut nets = Vec::new();
                for e in blocks(rattr(pl, &["entry", "Entries"])) {
                    match attr(e, &["cidr", "Cidr"])
                        .and_then(|c| c.as_str().and_then(|s| parse_cidr(&s)))
                    {
                        Some(n) => nets.push(n),
                        None => return K::Unknown(super::resolve::unk_of(e, "prefix list entry")),
                    }
                }
                K::Known(nets)
            }
            None => K::Unknown(Unk {
                reason: match v.as_str() {
                    Some(s) => format!("prefix list '{s}' is managed outside the scanned source"),
                    None => "prefix list is not defined in the scanned source".into(),
                },
                span: v.span,
            }),
        }
    }

    /// NACL entries (inline, standalone, default-NACL adoption) and subnet associations.
    fn nacls(&mut self) {
        let rs = self.m.resources;
        for r in rs {
            let kind = r.kind.as_str();
            let target = match kind {
                "aws_network_acl" | "AWS::EC2::NetworkAcl" => match self.self_obj(r) {
                    K::Known(Obj::Nacl(n)) => Some(n),
                    _ => None,
                },
                "aws_default_network_acl" => {
                    let Some(v) = rattr(r, &["default_network_acl_id"]) else {
                        continue;
                    };
                    let K::Known(n) = self.rs.nacl(v) else {
                        continue;
                    };
                    let nacl = &mut self.m.nacls[n];
                    // adoption: exactly the declared entries remain
                    nacl.entries.clear();
                    nacl.implicit = false;
                    nacl.address = r.address.clone();
                    nacl.span = r.span;
                    self.rs.objs.insert(r.key.clone(), Obj::Nacl(n));
                    Some(n)
                }
                "aws_network_acl_rule" | "AWS::EC2::NetworkAclEntry" => {
                    let Some(v) = rattr(r, &["network_acl_id", "NetworkAclId"]) else {
                        continue;
                    };
                    if let K::Known(n) = self.rs.nacl(v) {
                        let egress = rattr(r, &["egress", "Egress"])
                            .and_then(Val::as_bool)
                            .unwrap_or(false);
                        let e = self.nacl_entry(&as_map(r), egress, r);
                        self.m.nacls[n].entries.push(e);
                    }
                    None
                }
                "aws_network_acl_association" | "AWS::EC2::SubnetNetworkAclAssociation" => {
                    if let (Some(s), Some(n)) = (
                        rattr(r, &["subnet_id", "SubnetId"]),
                        rattr(r, &["network_acl_id", "NetworkAclId"]),
                    ) {
                        if let (K::Known(s), K::Known(n)) = (self.rs.subnet(s), self.rs.nacl(n)) {
                            self.m.subnet_nacls[s].push((
                                n,
                                cite(
                                    r.span,
                                    format!(
                                        "{} associates the network ACL with the subnet",
                                        r.address
                                    ),
                                ),
                            ));
                        }
                    }
                    None
                }
                _ => None,
            };
            let Some(n) = target else { continue };
            let mut entries = Vec::new();
            for (name, egress) in [("ingress", false), ("egress", true)] {
                for b in blocks(r.attrs.get(name)) {
                    entries.push(self.nacl_entry(b, egress, r));
                }
            }
            self.m.nacls[n].entries.extend(entries);
            for sv in rattr(r, &["subnet_ids"]).map(elems).unwrap_or_default() {
                if let K::Known(s) = self.rs.subnet(sv) {
                    let c = cite(
                        sv.span,
                        format!("{} is associated with the subnet", r.address),
                    );
                    self.m.subnet_nacls[s].push((n, c));
                }
            }
        }
        for n in &mut self.m.nacls {
            n.entries.sort_by_key(|e| (e.egress, e.rule_no));
        }
    }

    fn nacl_entry(&self, b: &Val, egress: bool, r: &Resource) -> NaclEntry {
        let proto = kproto(attr(b, &["protocol", "Protocol"]));
        let port_range = b.get("PortRange");
        let from = attr(b, &["from_port"])
            .or_else(|| port_range.and_then(|p| p.get("From")))
            .and_then(Val::as_i64);
        let to = attr(b, &["to_port"])
            .or_else(|| port_range.and_then(|p| p.get("To")))
            .and_then(Val::as_i64);
        let icmp = b.get("Icmp");
        let itype = attr(b, &["icmp_type"])
            .or_else(|| icmp.and_then(|p| p.get("Type")))
            .and_then(Val::as_i64);
        let icode = attr(b, &["icmp_code"])
            .or_else(|| icmp.and_then(|p| p.get("Code")))
            .and_then(Val::as_i64);
        let cidr_v = attr(
            b,
            &[
                "cidr_block",
                "CidrBlock",
                "ipv6_cidr_block",
                "Ipv6CidrBlock",
            ],
        );
        let cidr = match cidr_v {
            Some(v) => kcidr(v, "CIDR").0,
            None => K::Unknown(Unk {
                reason: "entry has no CIDR".into(),
                span: b.span,
            }),
        };
        let ports = match &proto {
            K::Known(p) if p.is_icmp() => {
                // ICMPv6 with an IPv4 CIDR matches all types
                if *p == Proto::Icmpv6 && matches!(cidr, K::Known(ipnet::IpNet::V4(_))) {
                    all_ports()
                } else {
                    icmp_ports(itype, icode)
                }
            }
            K::Known(p) => rule_ports(*p, from, to),
            K::Unknown(_) => all_ports(),
        };
        let rule_no = attr(b, &["rule_no", "rule_number", "RuleNumber"])
            .and_then(Val::as_i64)
            .unwrap_or(32767);
        let allow = attr(b, &["action", "rule_action", "RuleAction"])
            .and_then(|v| v.as_str().map(|s| s.eq_ignore_ascii_case("allow")))
            .unwrap_or(false);
        let dir = if egress { "outbound" } else { "inbound" };
        let verb = if allow { "allows" } else { "denies" };
        let net = cidr
            .known()
            .map_or("an unknown range".to_string(), |n| n.to_string());
        NaclEntry {
            egress,
            rule_no,
            allow,
            proto,
            ports,
            cite: cite(
                cidr_v.map_or(b.span, |v| v.span),
                format!("{}: {dir} rule {rule_no} {verb} {net}", r.address),
            ),
            cidr,
            resource: r.address.clone(),
            resource_span: r.span,
            implicit: false,
            maybe: maybe_of(r),
        }
    }

    /// Routes, route table associations and main route table replacements.
    fn routes(&mut self) {
        let rs = self.m.resources;
        for r in rs {
            let kind = r.kind.as_str();
            match kind {
                "aws_route_table" | "aws_default_route_table" => {
                    let t = if kind == "aws_route_table" {
                        match self.self_obj(r) {
                            K::Known(Obj::RouteTable(t)) => t,
                            _ => continue,
                        }
                    } else {
                        let Some(v) = rattr(r, &["default_route_table_id"]) else {
                            continue;
                        };
                        let K::Known(t) = self.rs.rt(v) else { continue };
                        let rt = &mut self.m.route_tables[t];
                        rt.routes.clear();
                        rt.implicit = false;
                        rt.address = r.address.clone();
                        rt.span = r.span;
                        if !r.attrs.contains_key("route") {
                            rt.unknown_routes = Some(Unk {
                                reason: format!("{} omits `route`, so the table's existing routes are kept and not known", r.address),
                                span: r.span,
                            });
                        }
                        self.rs.objs.insert(r.key.clone(), Obj::RouteTable(t));
                        t
                    };
                    for b in blocks(r.attrs.get("route")) {
                        let route = self.route(b, r);
                        self.m.route_tables[t].routes.push(route);
                    }
                }
                "aws_route" | "AWS::EC2::Route" => {
                    let Some(v) = rattr(r, &["route_table_id", "RouteTableId"]) else {
                        continue;
                    };
                    if let K::Known(t) = self.rs.rt(v) {
                        let route = self.route(&as_map(r), r);
                        self.m.route_tables[t].routes.push(route);
                    }
                }
                "aws_route_table_association"
                | "AWS::EC2::SubnetRouteTableAssociation"
                | "AWS::EC2::GatewayRouteTableAssociation" => {
                    let Some(t) = rattr(r, &["route_table_id", "RouteTableId"]) else {
                        continue;
                    };
                    let t = self.rs.rt(t);
                    if let Some(s) = rattr(r, &["subnet_id", "SubnetId"]) {
                        if let K::Known(s) = self.rs.subnet(s) {
                            let c = cite(
                                r.span,
                                format!("{} associates the route table with the subnet", r.address),
                            );
                            self.m.subnet_rts[s].push((t, c));
                        }
                    } else if rattr(r, &["gateway_id", "GatewayId"]).is_some() {
                        if let K::Known(t) = t {
                            if let K::Known(v) = self.m.route_tables[t].vpc {
                                self.m.edge_assoc[v].push(cite(
                                    r.span,
                                    format!(
                                        "{} routes inbound gateway traffic through an appliance",
                                        r.address
                                    ),
                                ));
                            }
                        }
                    }
                }
                "aws_main_route_table_association" => {
                    if let (Some(v), Some(t)) = (rattr(r, VPC_ID), rattr(r, &["route_table_id"])) {
                        if let (K::Known(v), K::Known(t)) = (self.rs.vpc(v), self.rs.rt(t)) {
                            let c = cite(
                                r.span,
                                format!("{} makes it the VPC's main route table", r.address),
                            );
                            self.m.main_rt_assoc[v].push((t, c));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn route(&self, b: &Val, r: &Resource) -> Route {
        let dest_v = attr(
            b,
            &[
                "cidr_block",
                "destination_cidr_block",
                "DestinationCidrBlock",
                "ipv6_cidr_block",
                "destination_ipv6_cidr_block",
                "DestinationIpv6CidrBlock",
            ],
        );
        let dest = match dest_v {
            Some(v) => kcidr(v, "route destination").0,
            None => K::Unknown(Unk {
                reason: "route destination is a prefix list or not given".into(),
                span: b.span,
            }),
        };
        let targets = [
            "gateway_id",
            "GatewayId",
            "nat_gateway_id",
            "NatGatewayId",
            "egress_only_gateway_id",
            "EgressOnlyInternetGatewayId",
            "transit_gateway_id",
            "TransitGatewayId",
            "vpc_peering_connection_id",
            "VpcPeeringConnectionId",
            "vpc_endpoint_id",
            "VpcEndpointId",
            "network_interface_id",
            "NetworkInterfaceId",
            "instance_id",
            "InstanceId",
            "local_gateway_id",
            "LocalGatewayId",
            "carrier_gateway_id",
            "CarrierGatewayId",
            "core_network_arn",
        ];
        let (target, tspan) = match targets.iter().find_map(|n| attr(b, &[n]).map(|v| (*n, v))) {
            None => (
                Target::Unknown(Unk {
                    reason: "route has no target".into(),
                    span: b.span,
                }),
                b.span,
            ),
            Some((name, v)) => {
                // classify by the referenced resource, not the attribute name
                let t = match self.rs.obj(v, "route target") {
                    K::Known(Obj::Igw(g)) => Target::Igw(g),
                    K::Known(Obj::Nat) => Target::Nat,
                    K::Known(Obj::EgressOnly) => Target::EgressOnly,
                    K::Known(_) => Target::Other(name.to_string()),
                    K::Unknown(u) => match v.as_str() {
                        Some(s) if s == "local" => Target::Local,
                        Some(s)
                            if s.starts_with("igw-")
                                && matches!(name, "gateway_id" | "GatewayId") =>
                        {
                            Target::Unknown(u)
                        }
                        Some(s) if s.starts_with("nat-") => Target::Nat,
                        Some(s) if s.starts_with("eigw-") => Target::EgressOnly,
                        Some(_) if !matches!(name, "gateway_id" | "GatewayId") => {
                            Target::Other(name.to_string())
                        }
                        _ => Target::Unknown(u),
                    },
                };
                (t, v.span)
            }
        };
        let net = dest
            .known()
            .map_or("an unknown range".into(), |n| n.to_string());
        let span = dest_v.map_or(tspan, |d| d.span.cover(tspan));
        Route {
            dest,
            target,
            cite: cite(span, format!("{}: route {net}", r.address)),
            maybe: maybe_of(r),
        }
    }
}
