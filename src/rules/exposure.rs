//! What SG rules share: which permissions are open to the internet, how their ports are
//! classed and named, and what the reachability analysis says about the groups' members.

use super::{At, Ctx, Rule};
use crate::finding::Confidence;
use crate::model::{Id, NetModel, Peer, Sg, SgKind, SgRule, Unk, K};
use crate::net::sets::{admits_internet, show_ports, Ports, Proto};
use crate::settings::Settings;
use foldhash::HashMap;

/// A security group permission whose peer is (or may be) the internet.
pub struct OpenRule<'m> {
    pub sg_id: Id,
    pub sg: &'m Sg,
    pub rule: &'m SgRule,
    /// The source as written (`0.0.0.0/0`), or a description of the unknown.
    pub source: String,
    /// Set when the peer is unknown and only may be the internet.
    pub unknown: Option<&'m Unk>,
}

/// Whether a peer is the internet for these settings: `Some(unknown?)` when it is or may be.
fn open_peer<'m>(peer: &'m Peer, settings: &Settings) -> Option<(String, Option<&'m Unk>)> {
    let wide = |n: &ipnet::IpNet| admits_internet(n, &settings.trusted_cidrs);
    match peer {
        Peer::Cidr(n) => wide(n).then(|| (n.to_string(), None)),
        Peer::PrefixList(K::Known(nets)) => nets
            .iter()
            .find(|n| wide(n))
            .map(|n| (format!("{n} (prefix list entry)"), None)),
        Peer::Unknown(u, cands) if cands.is_empty() || cands.iter().any(wide) => {
            Some((format!("an unknown source ({})", u.reason), Some(u)))
        }
        _ => None,
    }
}

/// Permissions in direction `egress` open to the internet, in model order.
pub fn open_rules<'m>(m: &'m NetModel, settings: &Settings, egress: bool) -> Vec<OpenRule<'m>> {
    let mut out = Vec::new();
    for (sg_id, sg) in m.sgs.iter().enumerate() {
        for rule in sg
            .rules
            .iter()
            // AWS's allow-all egress on a CloudFormation group that declares none is reported
            // at the group; the implicit rules of VPC default groups are not declarations
            .filter(|r| {
                r.egress == egress && (!r.implicit || (egress && sg.kind == SgKind::Declared))
            })
        {
            if let Some((mut source, unknown)) = open_peer(&rule.peer, settings) {
                if rule.implicit {
                    // AWS's default egress is one rule per family; report it once per group
                    if out
                        .iter()
                        .any(|o: &OpenRule| o.sg_id == sg_id && o.rule.implicit)
                    {
                        continue;
                    }
                    source = "0.0.0.0/0 and ::/0".into();
                }
                out.push(OpenRule {
                    sg_id,
                    sg,
                    rule,
                    source,
                    unknown,
                });
            }
        }
    }
    out
}

/// The protocol of a rule, treating an unknown protocol as all protocols.
pub fn proto_of(r: &SgRule) -> Proto {
    match r.proto {
        K::Known(p) => p,
        K::Unknown(_) => Proto::All,
    }
}

/// True when a rule opens every protocol, or the whole TCP or UDP port range.
pub fn all_ports(r: &SgRule) -> bool {
    let p = proto_of(r);
    p == Proto::All || (p.has_ports() && r.ports.is_universal())
}

/// The rule's ports that fall in `class` (TCP and UDP only).
pub fn ports_in(r: &SgRule, class: &[(u16, u16)]) -> Ports {
    if !proto_of(r).has_ports() {
        return Ports::new();
    }
    let c = Ports::from_iter(class.iter().map(|(a, b)| *a..=*b));
    &r.ports & &c
}

/// Well-known service names for a port.
fn service(port: u16) -> Option<&'static str> {
    Some(match port {
        20 | 21 => "FTP",
        22 => "SSH",
        23 => "Telnet",
        135..=139 => "NetBIOS/RPC",
        161 => "SNMP",
        445 => "SMB",
        1433 => "SQL Server",
        1521 => "Oracle",
        2181 => "ZooKeeper",
        2375 | 2376 => "Docker API",
        3306 => "MySQL",
        3389 => "RDP",
        5432 => "PostgreSQL",
        5601 => "Kibana",
        5900 => "VNC",
        5984 => "CouchDB",
        5985 | 5986 => "WinRM",
        6379 => "Redis",
        7000 | 7001 => "Cassandra",
        8020 | 50070 => "HDFS",
        9042 => "Cassandra",
        9092 => "Kafka",
        9200 | 9300 => "Elasticsearch",
        11211 => "Memcached",
        27017 => "MongoDB",
        _ => return None,
    })
}

/// "SSH (tcp/22)", "tcp/8000-8080", "all protocols and ports".
pub fn describe(proto: Proto, ports: &Ports) -> String {
    if proto == Proto::All {
        return "all protocols and ports".to_string();
    }
    let text = format!("{proto}/{}", show_ports(proto, ports));
    let single = ports.first().filter(|f| ports.last() == Some(*f));
    match single.and_then(|p| proto.has_ports().then(|| service(p)).flatten()) {
        Some(name) => format!("{name} ({text})"),
        None => text,
    }
}

/// Security group → endpoints that use it (the default SG for endpoints naming none).
pub fn members(m: &NetModel) -> HashMap<Id, Vec<Id>> {
    let mut out: HashMap<Id, Vec<Id>> = HashMap::default();
    for (i, ep) in m.endpoints.iter().enumerate() {
        for (sg, _) in &ep.sgs {
            if let K::Known(s) = sg {
                out.entry(*s).or_default().push(i);
            }
        }
    }
    out
}

/// Reports one finding for an open permission, with provenance and what the path analysis
/// says about the group's members.
pub fn report_open(
    cx: &mut Ctx,
    rule: &'static Rule,
    o: &OpenRule,
    what: String,
    members: &HashMap<Id, Vec<Id>>,
    m: &NetModel,
) {
    let dir = if o.rule.egress { "to" } else { "from" };
    let message = match o.unknown {
        None if o.rule.implicit => format!(
            "security group '{}' declares no egress rule, so AWS allows {what} {dir} {}",
            o.sg.name, o.source
        ),
        None => format!(
            "security group '{}' allows {what} {dir} {}",
            o.sg.name, o.source
        ),
        Some(_) => format!(
            "security group '{}' may allow {what} {dir} the internet: its source is unknown",
            o.sg.name
        ),
    };
    let label = if o.unknown.is_some() {
        "unknown source"
    } else {
        "open to the internet"
    };
    let mut notes = Vec::new();
    if !o.rule.egress {
        for &e in members.get(&o.sg_id).into_iter().flatten() {
            let ep = &m.endpoints[e];
            let out = &cx.reach[e];
            notes.push(match (out.definite, &out.blocker) {
                (Some(_), _) => format!(
                    "{} is reachable from the internet through this group (see NET003)",
                    ep.resource
                ),
                (None, Some(b)) => {
                    format!("{} is not reachable from the internet: {b}", ep.resource)
                }
                (None, None) => format!("{} is not reachable from the internet", ep.resource),
            });
        }
    }
    let unknown = o.unknown.cloned();
    let f = cx.report(
        rule,
        At {
            span: o.rule.span,
            label: label.to_string(),
            resource: o.sg.address.clone(),
            resource_span: o.rule.resource_span,
        },
        message,
    );
    if let Some(u) = unknown {
        f.confidence = Confidence::Possible;
        f.related.push(crate::finding::Related {
            span: u.span,
            message: format!("unknown: {}", u.reason),
        });
    }
    for origin in &o.rule.origins {
        f.related.push(crate::finding::Related {
            span: origin.span,
            message: origin.message.to_string(),
        });
    }
    if o.rule.rule_span != o.rule.span {
        f.related.push(crate::finding::Related {
            span: o.rule.rule_span,
            message: format!(
                "this {} rule",
                if o.rule.egress { "egress" } else { "ingress" }
            ),
        });
    }
    if let Some(u) = &o.rule.maybe {
        // the rule itself may not exist: say why
        f.confidence = Confidence::Possible;
        f.related.push(crate::finding::Related {
            span: u.span,
            message: u.reason.clone(),
        });
    }
    f.notes = notes;
}
