//! The typed network model: resources of both frontends mapped onto one graph, indexed by
//! id (no scans over all resources per lookup). Implicit AWS defaults (default VPC, default
//! SG/NACL, main route table) are explicit objects marked `implicit`, anchored at the
//! resource that triggers them, so a witness path can cite them.

mod build;
pub mod compute;
mod defaults;
mod endpoints;
pub mod resolve;

use foldhash::HashMap;
use ipnet::IpNet;

use crate::ir::{Origin, Resource};
use crate::net::sets::{Ports, Proto};
use crate::source::{SourceMap, Span};

pub use build::build;

/// Index of an object in its [`NetModel`] vector.
pub type Id = usize;

/// A fact that may be unknown before deploy.
#[derive(Clone, Debug, PartialEq)]
pub enum K<T> {
    Known(T),
    Unknown(Unk),
}

impl<T> K<T> {
    /// The known value.
    pub fn known(&self) -> Option<&T> {
        match self {
            K::Known(v) => Some(v),
            K::Unknown(_) => None,
        }
    }

    /// The unknown, if any.
    pub fn unknown(&self) -> Option<&Unk> {
        match self {
            K::Known(_) => None,
            K::Unknown(u) => Some(u),
        }
    }
}

/// Why a fact is unknown, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct Unk {
    pub reason: String,
    pub span: Span,
}

/// A source location with its role, for witnesses and `related`.
#[derive(Clone, Debug, PartialEq)]
pub struct Cite {
    pub span: Span,
    pub message: String,
    /// An AWS default rather than a declaration: cited at the resource that relies on it.
    pub implicit: bool,
}

impl Cite {
    /// The cite as shown for a resource: an AWS default is anchored at the resource relying on it.
    pub fn anchored(&self, at: Span) -> Cite {
        Cite {
            span: if self.implicit { at } else { self.span },
            ..self.clone()
        }
    }
}

/// A VPC (declared, or the implicit default VPC of a scope).
#[derive(Clone, Debug)]
pub struct Vpc {
    pub key: String,
    pub address: String,
    pub span: Span,
    /// The account's default VPC (`aws_default_vpc`, `data.aws_vpc{default=true}`, or implied).
    pub is_default: bool,
    pub implicit: bool,
    pub cidrs: Vec<IpNet>,
    pub has_ipv6: K<bool>,
    pub main_rt: Id,
    pub default_nacl: Id,
    pub default_sg: Id,
    /// Subnet used when a resource lands in this (default) VPC without naming one.
    pub default_subnet: Option<Id>,
}

/// A subnet.
#[derive(Clone, Debug)]
pub struct Subnet {
    pub key: String,
    pub address: String,
    pub span: Span,
    pub vpc: K<Id>,
    pub implicit: bool,
    /// `map_public_ip_on_launch` / `MapPublicIpOnLaunch`, with where it is set.
    pub map_public_ip: K<bool>,
    pub map_public_ip_span: Span,
    pub has_ipv6: K<bool>,
    pub assign_ipv6: K<bool>,
}

/// An internet gateway and the VPCs it is attached to.
#[derive(Clone, Debug)]
pub struct Igw {
    pub key: String,
    pub address: String,
    pub span: Span,
    pub implicit: bool,
    pub attachments: Vec<(K<Id>, Cite)>,
}

/// Where a route sends traffic.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Igw(Id),
    Nat,
    EgressOnly,
    Local,
    /// Peering, transit gateway, endpoint, ENI …: not an internet path.
    Other(String),
    Unknown(Unk),
}

/// One route.
#[derive(Clone, Debug)]
pub struct Route {
    pub dest: K<IpNet>,
    pub target: Target,
    pub cite: Cite,
    /// Declared under an unknown condition.
    pub maybe: Option<Unk>,
}

/// A route table with its routes (local routes are added at analysis time).
#[derive(Clone, Debug)]
pub struct RouteTable {
    pub key: String,
    pub address: String,
    pub span: Span,
    pub vpc: K<Id>,
    pub implicit: bool,
    pub routes: Vec<Route>,
    /// Routes that exist but are not declared (adopted main table without `route`).
    pub unknown_routes: Option<Unk>,
}

/// A NACL entry.
#[derive(Clone, Debug)]
pub struct NaclEntry {
    pub egress: bool,
    pub rule_no: i64,
    pub allow: bool,
    pub proto: K<Proto>,
    pub ports: Ports,
    pub cidr: K<IpNet>,
    /// The entry (its CIDR value where known, else the entry block).
    pub cite: Cite,
    /// Address and span of the resource that declares the entry.
    pub resource: String,
    pub resource_span: Span,
    pub implicit: bool,
    pub maybe: Option<Unk>,
}

/// A network ACL.
#[derive(Clone, Debug)]
pub struct Nacl {
    pub key: String,
    pub address: String,
    pub span: Span,
    pub vpc: K<Id>,
    pub implicit: bool,
    pub is_default: bool,
    pub entries: Vec<NaclEntry>,
}

/// The other end of a security group rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Peer {
    Cidr(IpNet),
    /// Another security group (private addresses only: never the internet).
    Group(K<Id>),
    /// A prefix list with its entries when declared in source.
    PrefixList(K<Vec<IpNet>>),
    /// An unknown CIDR, with the values it may take when enumerable.
    Unknown(Unk, Vec<IpNet>),
}

/// One normalised security group permission (one peer).
#[derive(Clone, Debug)]
pub struct SgRule {
    pub egress: bool,
    pub proto: K<Proto>,
    pub ports: Ports,
    pub peer: Peer,
    /// The peer value (a CIDR list element, `self`, the SG reference).
    pub span: Span,
    /// Where the peer value came from when not written here (variable defaults …).
    pub origins: Vec<Origin>,
    /// The rule (inline block or rule resource).
    pub rule_span: Span,
    pub resource: String,
    pub resource_span: Span,
    pub has_description: bool,
    pub implicit: bool,
    pub maybe: Option<Unk>,
}

/// What a security group is.
#[derive(Clone, Debug, PartialEq)]
pub enum SgKind {
    Declared,
    /// A VPC's default group (implicit, or managed by `aws_default_security_group`).
    VpcDefault,
}

/// A security group.
#[derive(Clone, Debug)]
pub struct Sg {
    pub key: String,
    pub address: String,
    pub span: Span,
    pub vpc: K<Id>,
    pub kind: SgKind,
    pub implicit: bool,
    pub name: String,
    pub has_description: bool,
    pub rules: Vec<SgRule>,
    /// The VPC comes from no `vpc_id`/`VpcId`: the default VPC.
    pub in_default_vpc: bool,
}

/// What kind of thing receives traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EndpointKind {
    Instance,
    NetworkInterface,
    AutoScalingGroup,
    LoadBalancer,
    Database,
}

/// A network attachment point analysed for reachability (an instance's primary ENI, a
/// standalone ENI, an ASG's abstract ENI per subnet, a load balancer, a database).
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub kind: EndpointKind,
    pub resource: String,
    pub key: String,
    pub span: Span,
    /// Candidate subnets (one for an instance; several for ASG/LB/DB).
    pub subnets: Vec<(K<Id>, Cite)>,
    /// Attached security groups with the attachment element; empty ⇒ `default_sg`.
    pub sgs: Vec<(K<Id>, Cite)>,
    /// When no SG is attached: the VPC default SG applies (and LBs without SGs have no filter).
    pub no_sg_filter: bool,
    pub public_v4: K<bool>,
    /// Why the endpoint has (or lacks) a public IPv4 address.
    pub public_v4_cite: Option<Cite>,
    pub ipv6: K<bool>,
    pub ipv6_cite: Option<Cite>,
    /// Ports the endpoint listens on, when limited (LB listeners, DB port).
    pub listen: Option<Vec<(Proto, Ports, Cite)>>,
    /// Lands in the default VPC because no subnet is named.
    pub default_vpc_cite: Option<Cite>,
    pub maybe: Option<Unk>,
}

/// VPC Block Public Access in the configuration.
#[derive(Clone, Debug)]
pub struct BlockPublicAccess {
    pub mode: K<String>,
    pub cite: Cite,
    /// Subnets or VPCs excluded (allow-bidirectional / allow-egress).
    pub exclusions: Vec<(K<Id>, bool, String, Cite)>,
}

/// The whole model.
#[derive(Debug, Default)]
pub struct NetModel<'a> {
    pub resources: &'a [Resource],
    /// The files the resources come from (for rules that look inside string values).
    pub sources: Option<&'a SourceMap>,
    pub vpcs: Vec<Vpc>,
    pub subnets: Vec<Subnet>,
    pub igws: Vec<Igw>,
    pub route_tables: Vec<RouteTable>,
    pub nacls: Vec<Nacl>,
    pub sgs: Vec<Sg>,
    pub endpoints: Vec<Endpoint>,
    pub bpa: Vec<BlockPublicAccess>,
    /// Subnet → explicitly associated route tables.
    pub subnet_rts: Vec<Vec<(K<Id>, Cite)>>,
    /// Subnet → explicitly associated NACLs.
    pub subnet_nacls: Vec<Vec<(Id, Cite)>>,
    /// VPC → main route table replacements (`aws_main_route_table_association`).
    pub main_rt_assoc: Vec<Vec<(Id, Cite)>>,
    /// Edge associations (gateway route tables) per VPC: inbound detours.
    pub edge_assoc: Vec<Vec<Cite>>,
    /// Internet gateways by attached VPC, built on first use (see [`NetModel::igw_candidates`]).
    igw_index: std::sync::OnceLock<IgwIndex>,
}

/// Internet gateways attached to each known VPC, and those with an unknown attachment.
#[derive(Debug, Default)]
struct IgwIndex {
    by_vpc: HashMap<Id, Vec<Id>>,
    unknown: Vec<Id>,
}

impl NetModel<'_> {
    /// Internet gateways that may be attached to `vpc`, in index order: those attached to it
    /// and those with an unknown attachment. Every other gateway is certainly not attached.
    pub fn igw_candidates(&self, vpc: Id) -> Vec<Id> {
        let index = self.igw_index.get_or_init(|| {
            let mut index = IgwIndex::default();
            for (g, igw) in self.igws.iter().enumerate() {
                let mut vpcs: Vec<Id> = Vec::new();
                for (v, _) in &igw.attachments {
                    match v {
                        K::Known(v) if !vpcs.contains(v) => vpcs.push(*v),
                        K::Known(_) => {}
                        K::Unknown(_) => {
                            if index.unknown.last() != Some(&g) {
                                index.unknown.push(g);
                            }
                        }
                    }
                }
                for v in vpcs {
                    index.by_vpc.entry(v).or_default().push(g);
                }
            }
            index
        });
        let mut out: Vec<Id> = index.by_vpc.get(&vpc).cloned().unwrap_or_default();
        out.extend(&index.unknown);
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn igw(attachments: Vec<K<Id>>) -> Igw {
        Igw {
            key: String::new(),
            address: String::new(),
            span: Span::default(),
            implicit: false,
            attachments: attachments
                .into_iter()
                .map(|a| {
                    let cite = Cite {
                        span: Span::default(),
                        message: String::new(),
                        implicit: false,
                    };
                    (a, cite)
                })
                .collect(),
        }
    }

    #[test]
    fn igw_candidates_are_attached_or_unknown_in_index_order() {
        let unknown = || {
            K::Unknown(Unk {
                reason: "vpc_id is unknown".into(),
                span: Span::default(),
            })
        };
        let m = NetModel {
            igws: vec![
                igw(vec![K::Known(1)]),
                igw(vec![unknown(), unknown()]),
                igw(vec![K::Known(0), K::Known(0)]),
                igw(vec![]),
                igw(vec![K::Known(1), unknown()]),
            ],
            ..NetModel::default()
        };
        assert_eq!(m.igw_candidates(0), vec![1, 2, 4]);
        assert_eq!(m.igw_candidates(1), vec![0, 1, 4]);
        assert_eq!(m.igw_candidates(7), vec![1, 4]);
    }
}
