//! Reading IR values as model facts: attribute lookup across both frontends' spellings, and
//! resolution of references to model objects.

use foldhash::HashMap;
use ipnet::IpNet;

use super::{Id, Unk, K};
use crate::ir::{Resource, Val, Value};
use crate::net::sets::{parse_cidr, Proto};

/// A model object a reference can point to.
#[derive(Clone, Debug, PartialEq)]
pub enum Obj {
    Vpc(Id),
    Subnet(Id),
    Igw(Id),
    RouteTable(Id),
    Nacl(Id),
    Sg(Id),
    Nat,
    EgressOnly,
    /// Any other declared resource, by index into the resource slice.
    Resource(usize),
}

/// First attribute present under any of `names` (Terraform and CloudFormation spellings).
pub fn attr<'a>(m: &'a Val, names: &[&str]) -> Option<&'a Val> {
    names.iter().find_map(|n| m.get(n)).filter(|v| !v.is_null())
}

/// First attribute of a resource present under any of `names`.
pub fn rattr<'a>(r: &'a Resource, names: &[&str]) -> Option<&'a Val> {
    names
        .iter()
        .find_map(|n| r.attrs.get(*n))
        .filter(|v| !v.is_null())
}

/// The elements of a list value, or the value itself when it is a scalar.
pub fn elems(v: &Val) -> Vec<&Val> {
    match &v.value {
        Value::List(l) => l.iter().filter(|e| !e.is_null()).collect(),
        Value::Null => Vec::new(),
        _ => vec![v],
    }
}

/// The maps of a block list (Terraform nested blocks, CloudFormation lists of objects).
pub fn blocks(v: Option<&Val>) -> Vec<&Val> {
    v.map(elems)
        .unwrap_or_default()
        .into_iter()
        .filter(|e| matches!(e.value, Value::Map(_)))
        .collect()
}

/// Why a value is not a usable literal, as an [`Unk`].
pub fn unk_of(v: &Val, what: &str) -> Unk {
    let reason = match &v.value {
        Value::Unknown(u) => u.reason.clone(),
        Value::Ref(r) => format!(
            "{what} is computed from {}",
            r.key.split_once("::").map_or(r.key.as_str(), |(_, a)| a)
        ),
        _ => format!("{what} is not a literal"),
    };
    Unk {
        reason,
        span: v.span,
    }
}

/// A boolean fact.
pub fn kbool(v: &Val, what: &str) -> K<bool> {
    match v.as_bool() {
        Some(b) => K::Known(b),
        None => K::Unknown(unk_of(v, what)),
    }
}

/// A protocol fact; an omitted protocol means all protocols.
pub fn kproto(v: Option<&Val>) -> K<Proto> {
    match v {
        Some(v) => match v.as_str().and_then(|s| Proto::parse(&s)) {
            Some(p) => K::Known(p),
            None => K::Unknown(unk_of(v, "protocol")),
        },
        None => K::Known(Proto::All),
    }
}

/// A CIDR fact (with enumerable candidates when unknown).
pub fn kcidr(v: &Val, what: &str) -> (K<IpNet>, Vec<IpNet>) {
    match v.as_str().and_then(|s| parse_cidr(&s)) {
        Some(n) => (K::Known(n), Vec::new()),
        None => {
            let candidates = v
                .as_unknown()
                .map(|u| {
                    u.candidates
                        .iter()
                        .filter_map(|c| c.as_str().and_then(|s| parse_cidr(&s)))
                        .collect()
                })
                .unwrap_or_default();
            (K::Unknown(unk_of(v, what)), candidates)
        }
    }
}

/// Resolves references to model objects.
pub struct Resolver<'a> {
    pub resources: &'a [Resource],
    pub by_key: HashMap<&'a str, usize>,
    pub objs: HashMap<String, Obj>,
    /// Resources by (scope, given name).
    by_name: HashMap<(String, String), Vec<usize>>,
}

/// Attributes that give a resource its AWS name.
const NAME_ATTRS: &[&str] = &[
    "name",
    "DBSubnetGroupName",
    "LaunchTemplateName",
    "LaunchConfigurationName",
    "GroupName",
];

impl<'a> Resolver<'a> {
    /// Indexes resources by key.
    pub fn new(resources: &'a [Resource]) -> Self {
        let by_key = resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.key.as_str(), i))
            .collect();
        let mut by_name: HashMap<(String, String), Vec<usize>> = HashMap::default();
        for (i, r) in resources.iter().enumerate() {
            if let Some(n) = rattr(r, NAME_ATTRS).and_then(|v| v.as_str()) {
                by_name
                    .entry((scope_of(&r.key).to_string(), n.into_owned()))
                    .or_default()
                    .push(i);
            }
        }
        Resolver {
            resources,
            by_key,
            objs: HashMap::default(),
            by_name,
        }
    }

    /// Resolves a value that names a resource (a reference, or a literal id not in source).
    pub fn obj(&self, v: &Val, what: &str) -> K<Obj> {
        match &v.value {
            Value::Ref(r) => {
                let attr = r.attr.as_str();
                let lookup = |suffix: &str| self.objs.get(&format!("{}#{suffix}", r.key)).cloned();
                let special = match attr {
                    "default_security_group_id" | "DefaultSecurityGroup" => lookup("default_sg"),
                    "default_network_acl_id" | "DefaultNetworkAcl" => lookup("default_nacl"),
                    "main_route_table_id" | "default_route_table_id" => lookup("main_rt"),
                    _ => None,
                };
                if let Some(o) = special.or_else(|| self.objs.get(&r.key).cloned()) {
                    return K::Known(o);
                }
                match self.by_key.get(r.key.as_str()) {
                    Some(&i) => K::Known(Obj::Resource(i)),
                    None => K::Unknown(Unk {
                        reason: format!(
                            "{what} refers to {}, which is not in the scanned source",
                            r.key
                        ),
                        span: v.span,
                    }),
                }
            }
            Value::String(s) => K::Unknown(Unk {
                reason: format!("{what} '{s}' is not defined in the scanned source"),
                span: v.span,
            }),
            _ => K::Unknown(unk_of(v, what)),
        }
    }

    /// Resolves to a security group id.
    pub fn sg(&self, v: &Val) -> K<Id> {
        self.pick(v, "security group", |o| match o {
            Obj::Sg(i) => Some(*i),
            _ => None,
        })
    }

    /// Resolves to a subnet id.
    pub fn subnet(&self, v: &Val) -> K<Id> {
        self.pick(v, "subnet", |o| match o {
            Obj::Subnet(i) => Some(*i),
            _ => None,
        })
    }

    /// Resolves to a VPC id.
    pub fn vpc(&self, v: &Val) -> K<Id> {
        self.pick(v, "VPC", |o| match o {
            Obj::Vpc(i) => Some(*i),
            _ => None,
        })
    }

    /// Resolves to a route table id.
    pub fn rt(&self, v: &Val) -> K<Id> {
        self.pick(v, "route table", |o| match o {
            Obj::RouteTable(i) => Some(*i),
            _ => None,
        })
    }

    /// Resolves to a NACL id.
    pub fn nacl(&self, v: &Val) -> K<Id> {
        self.pick(v, "network ACL", |o| match o {
            Obj::Nacl(i) => Some(*i),
            _ => None,
        })
    }

    /// Resolves to a declared resource of one of `kinds`: by reference, or by the name it is
    /// given in the same scope (AWS resolves `db_subnet_group_name`, launch template names … so).
    pub fn resource(&self, v: &Val, kinds: &[&str], scope: &str) -> Option<&'a Resource> {
        match self.obj(v, "resource") {
            K::Known(Obj::Resource(i)) => {
                let r = &self.resources[i];
                kinds.contains(&r.kind.as_str()).then_some(r)
            }
            _ => {
                let name = v.as_str()?;
                let hits = self.by_name.get(&(scope.to_string(), name.into_owned()))?;
                let mut of_kind = hits
                    .iter()
                    .map(|&i| &self.resources[i])
                    .filter(|r| kinds.contains(&r.kind.as_str()));
                let first = of_kind.next()?;
                of_kind.next().is_none().then_some(first)
            }
        }
    }

    fn pick(&self, v: &Val, what: &str, f: impl Fn(&Obj) -> Option<Id>) -> K<Id> {
        match self.obj(v, what) {
            K::Known(o) => match f(&o) {
                Some(i) => K::Known(i),
                None => K::Unknown(Unk {
                    reason: format!("{what} reference does not name a {what}"),
                    span: v.span,
                }),
            },
            K::Unknown(u) => K::Unknown(u),
        }
    }
}

/// The scope of a resource key: its root module directory or template.
pub fn scope_of(key: &str) -> &str {
    key.split_once("::").map_or(key, |(s, _)| s)
}
