//! Address and port sets, "the internet", and protocol normalisation (SEMANTICS.md §1.2, §2).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use range_set_blaze::RangeSetBlaze;

/// Destination ports (TCP/UDP), or ICMP `type * 256 + code`.
pub type Ports = RangeSetBlaze<u16>;

/// IP family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    V4,
    V6,
}

/// A set of addresses of one family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Addrs {
    V4(RangeSetBlaze<u32>),
    V6(RangeSetBlaze<u128>),
}

impl Addrs {
    /// The empty set of a family.
    pub fn empty(f: Family) -> Self {
        match f {
            Family::V4 => Addrs::V4(RangeSetBlaze::new()),
            Family::V6 => Addrs::V6(RangeSetBlaze::new()),
        }
    }

    /// Every address of a family.
    pub fn all(f: Family) -> Self {
        match f {
            Family::V4 => Addrs::V4(RangeSetBlaze::universe()),
            Family::V6 => Addrs::V6(RangeSetBlaze::universe()),
        }
    }

    /// The addresses of one network.
    pub fn from_net(net: &IpNet) -> Self {
        match net {
            IpNet::V4(n) => Addrs::V4(RangeSetBlaze::from_iter([
                u32::from(n.network())..=u32::from(n.broadcast())
            ])),
            IpNet::V6(n) => Addrs::V6(RangeSetBlaze::from_iter([
                u128::from(n.network())..=u128::from(n.broadcast())
            ])),
        }
    }

    /// The family of this set.
    pub fn family(&self) -> Family {
        match self {
            Addrs::V4(_) => Family::V4,
            Addrs::V6(_) => Family::V6,
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Addrs::V4(s) => s.is_empty(),
            Addrs::V6(s) => s.is_empty(),
        }
    }

    /// Intersection (sets of different families are disjoint).
    pub fn and(&self, o: &Addrs) -> Addrs {
        match (self, o) {
            (Addrs::V4(a), Addrs::V4(b)) => Addrs::V4(a & b),
            (Addrs::V6(a), Addrs::V6(b)) => Addrs::V6(a & b),
            _ => Addrs::empty(self.family()),
        }
    }

    /// Union (of the same family; `o` of another family is ignored).
    pub fn or(&self, o: &Addrs) -> Addrs {
        match (self, o) {
            (Addrs::V4(a), Addrs::V4(b)) => Addrs::V4(a | b),
            (Addrs::V6(a), Addrs::V6(b)) => Addrs::V6(a | b),
            _ => self.clone(),
        }
    }

    /// Difference.
    pub fn minus(&self, o: &Addrs) -> Addrs {
        match (self, o) {
            (Addrs::V4(a), Addrs::V4(b)) => Addrs::V4(a - b),
            (Addrs::V6(a), Addrs::V6(b)) => Addrs::V6(a - b),
            _ => self.clone(),
        }
    }

    /// True when every address of `self` is in `o`.
    pub fn is_subset(&self, o: &Addrs) -> bool {
        self.minus(o).is_empty()
    }

    /// Base-2 logarithm of the number of addresses, rounded down (None when empty).
    pub fn log2_len(&self) -> Option<u32> {
        match self {
            Addrs::V4(s) => {
                let n: u64 = s.ranges().map(|r| u64::from(r.end() - r.start()) + 1).sum();
                (n > 0).then(|| 63 - n.leading_zeros())
            }
            Addrs::V6(s) => {
                let mut n: u128 = 0;
                for r in s.ranges() {
                    n = n.saturating_add((r.end() - r.start()).saturating_add(1));
                }
                (n > 0).then(|| 127 - n.leading_zeros())
            }
        }
    }

    /// The set as minimal CIDR blocks.
    pub fn to_cidrs(&self) -> Vec<IpNet> {
        match self {
            Addrs::V4(s) => s
                .ranges()
                .flat_map(|r| {
                    Ipv4Net::aggregate(&ipv4_range_nets(*r.start(), *r.end()))
                        .into_iter()
                        .map(IpNet::V4)
                })
                .collect(),
            Addrs::V6(s) => s
                .ranges()
                .flat_map(|r| {
                    Ipv6Net::aggregate(&ipv6_range_nets(*r.start(), *r.end()))
                        .into_iter()
                        .map(IpNet::V6)
                })
                .collect(),
        }
    }

    /// Interval starts where membership may change (for partitioning).
    pub fn boundaries(&self, out: &mut Vec<u128>) {
        match self {
            Addrs::V4(s) => {
                for r in s.ranges() {
                    out.push(u128::from(*r.start()));
                    out.push(u128::from(*r.end()) + 1);
                }
            }
            Addrs::V6(s) => {
                for r in s.ranges() {
                    out.push(*r.start());
                    out.push(r.end().saturating_add(1));
                }
            }
        }
    }

    /// Membership of one address given as u128 (v4 addresses in the low 32 bits).
    pub fn contains(&self, a: u128) -> bool {
        match self {
            Addrs::V4(s) => u32::try_from(a).is_ok_and(|a| s.contains(a)),
            Addrs::V6(s) => s.contains(a),
        }
    }

    /// The addresses `lo..=hi` of a family (u128 bounds; v4 clamped to 32 bits).
    pub fn range(f: Family, lo: u128, hi: u128) -> Addrs {
        match f {
            Family::V4 => {
                let lo = lo.min(u128::from(u32::MAX)) as u32;
                let hi = hi.min(u128::from(u32::MAX)) as u32;
                Addrs::V4(RangeSetBlaze::from_iter([lo..=hi]))
            }
            Family::V6 => Addrs::V6(RangeSetBlaze::from_iter([lo..=hi])),
        }
    }
}

fn ipv4_range_nets(lo: u32, hi: u32) -> Vec<Ipv4Net> {
    let mut out = Vec::new();
    let mut cur = u64::from(lo);
    let end = u64::from(hi);
    while cur <= end {
        let mut size = if cur == 0 {
            32
        } else {
            cur.trailing_zeros().min(32)
        };
        while size > 0 && cur + (1u64 << size) - 1 > end {
            size -= 1;
        }
        if let Ok(n) = Ipv4Net::new(Ipv4Addr::from(cur as u32), (32 - size) as u8) {
            out.push(n);
        }
        cur += 1u64 << size;
    }
    out
}

fn ipv6_range_nets(lo: u128, hi: u128) -> Vec<Ipv6Net> {
    let mut out = Vec::new();
    let mut cur = lo;
    loop {
        let mut size = if cur == 0 {
            128
        } else {
            cur.trailing_zeros().min(128)
        };
        while size > 0 && (size == 128 || cur + ((1u128 << size) - 1) > hi) {
            if size == 128 && cur == 0 && hi == u128::MAX {
                break;
            }
            size -= 1;
        }
        if let Ok(n) = Ipv6Net::new(Ipv6Addr::from(cur), (128 - size) as u8) {
            out.push(n);
        }
        if size == 128 {
            break;
        }
        let step = 1u128 << size;
        match cur.checked_add(step) {
            Some(next) if next <= hi && next != 0 => cur = next,
            _ => break,
        }
    }
    out
}

/// IPv4 ranges that are never reachable from the internet (SEMANTICS.md notation).
const NON_ROUTABLE_V4: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "224.0.0.0/4",
    "240.0.0.0/4",
];

/// Internet source addresses of a family: IPv4 minus non-routable ranges; IPv6 `2000::/3`.
pub fn internet(f: Family) -> Addrs {
    internet_ref(f).clone()
}

/// [`internet`], computed once per process and borrowed.
pub fn internet_ref(f: Family) -> &'static Addrs {
    static V4: OnceLock<Addrs> = OnceLock::new();
    static V6: OnceLock<Addrs> = OnceLock::new();
    match f {
        Family::V4 => V4.get_or_init(|| {
            let mut s = Addrs::all(Family::V4);
            for c in NON_ROUTABLE_V4 {
                if let Ok(n) = c.parse::<IpNet>() {
                    s = s.minus(&Addrs::from_net(&n));
                }
            }
            s
        }),
        Family::V6 => V6.get_or_init(|| {
            "2000::/3"
                .parse::<IpNet>()
                .map(|n| Addrs::from_net(&n))
                .unwrap_or(Addrs::empty(Family::V6))
        }),
    }
}

/// True when a source set counts as "the internet": its public part is as wide as a /8 (IPv4)
/// or a /16 (IPv6). `0.0.0.0/1` is; a /32 admin address or a partner /24 is not.
pub fn is_internet_wide(a: &Addrs) -> bool {
    let public = a.and(internet_ref(a.family()));
    match (a.family(), public.log2_len()) {
        (Family::V4, Some(bits)) => bits >= 24,
        (Family::V6, Some(bits)) => bits >= 112,
        _ => false,
    }
}

/// Whether a rule source opens to the internet: internet-wide and not a trusted range.
pub fn admits_internet(n: &IpNet, trusted: &[IpNet]) -> bool {
    !trusted.iter().any(|t| t.contains(n)) && is_internet_wide(&Addrs::from_net(n))
}

/// Parses a CIDR as AWS accepts it (`1.2.3.4/32`, also a bare address as /32 or /128);
/// host bits are cleared.
pub fn parse_cidr(s: &str) -> Option<IpNet> {
    let s = s.trim();
    if let Ok(n) = s.parse::<IpNet>() {
        return Some(n.trunc());
    }
    s.parse::<std::net::IpAddr>().ok().map(IpNet::from)
}

/// Family of a network.
pub fn family_of(n: &IpNet) -> Family {
    match n {
        IpNet::V4(_) => Family::V4,
        IpNet::V6(_) => Family::V6,
    }
}

/// An IP protocol as security groups and NACLs see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Proto {
    /// `-1` / `all`: every protocol, ports ignored.
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    /// Any other IANA number: all of its traffic, ports ignored.
    Other(u8),
}

impl Proto {
    /// Normalises a protocol as written (`-1`, `all`, `tcp`, `6`, `ICMP`, `58`, `gre`, `47`).
    pub fn parse(s: &str) -> Option<Proto> {
        let s = s.trim().to_ascii_lowercase();
        Some(match s.as_str() {
            "-1" | "all" => Proto::All,
            "tcp" | "6" => Proto::Tcp,
            "udp" | "17" => Proto::Udp,
            "icmp" | "1" => Proto::Icmp,
            "icmpv6" | "icmp6" | "58" => Proto::Icmpv6,
            other => match other.parse::<u8>() {
                Ok(n) => Proto::Other(n),
                Err(_) => Proto::Other(iana_number(other)?),
            },
        })
    }

    /// True for protocols whose rules carry a port range.
    pub fn has_ports(self) -> bool {
        matches!(self, Proto::Tcp | Proto::Udp)
    }

    /// True for ICMP/ICMPv6, whose "ports" are type/code.
    pub fn is_icmp(self) -> bool {
        matches!(self, Proto::Icmp | Proto::Icmpv6)
    }

    /// Whether a rule of protocol `self` matches traffic of protocol `flow` (never `All`).
    pub fn matches(self, flow: Proto) -> bool {
        self == Proto::All || self == flow
    }
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Proto::All => write!(f, "all protocols"),
            Proto::Tcp => write!(f, "tcp"),
            Proto::Udp => write!(f, "udp"),
            Proto::Icmp => write!(f, "icmp"),
            Proto::Icmpv6 => write!(f, "icmpv6"),
            Proto::Other(n) => write!(f, "protocol {n}"),
        }
    }
}

/// IANA numbers of protocol names the AWS provider accepts beyond tcp/udp/icmp.
fn iana_number(name: &str) -> Option<u8> {
    Some(match name {
        "igmp" => 2,
        "ipv4" | "ipencap" => 4,
        "egp" => 8,
        "igp" => 9,
        "ipv6" => 41,
        "rsvp" => 46,
        "gre" => 47,
        "esp" => 50,
        "ah" => 51,
        "ipv6-icmp" => 58,
        "eigrp" => 88,
        "ospf" => 89,
        "pim" => 103,
        "vrrp" => 112,
        "l2tp" => 115,
        "sctp" => 132,
        _ => return None,
    })
}

/// All ports.
pub fn all_ports() -> Ports {
    Ports::universe()
}

/// The port set of a rule: `from..=to` for TCP/UDP (`from > to` or negative ⇒ all, as AWS
/// treats `-1`), ICMP type/code pairs for ICMP, everything for other protocols.
pub fn rule_ports(proto: Proto, from: Option<i64>, to: Option<i64>) -> Ports {
    match proto {
        Proto::Tcp | Proto::Udp => match (from, to) {
            (Some(f), Some(t))
                if (0..=65535).contains(&f) && (0..=65535).contains(&t) && f <= t =>
            {
                Ports::from_iter([f as u16..=t as u16])
            }
            (Some(f), None) if (0..=65535).contains(&f) => Ports::from_iter([f as u16..=f as u16]),
            _ => all_ports(),
        },
        Proto::Icmp | Proto::Icmpv6 => icmp_ports(from, to),
        Proto::All | Proto::Other(_) => all_ports(),
    }
}

/// ICMP type/code as a port set: type `-1` (or absent) = every type, code `-1` = every code.
pub fn icmp_ports(icmp_type: Option<i64>, code: Option<i64>) -> Ports {
    match icmp_type {
        Some(t) if (0..=255).contains(&t) => {
            let base = (t as u16) << 8;
            match code {
                Some(c) if (0..=255).contains(&c) => {
                    Ports::from_iter([base + c as u16..=base + c as u16])
                }
                _ => Ports::from_iter([base..=base + 255]),
            }
        }
        _ => all_ports(),
    }
}

/// Human form of a port set for protocol `p`: `22`, `1024-65535`, `all ports`, `echo-request`.
pub fn show_ports(p: Proto, ports: &Ports) -> String {
    if ports.is_universal() || !(p.has_ports() || p.is_icmp()) {
        return match p {
            Proto::Tcp | Proto::Udp => "0-65535".to_string(),
            Proto::Icmp | Proto::Icmpv6 => "all types".to_string(),
            _ => "all ports".to_string(),
        };
    }
    let parts: Vec<String> = ports
        .ranges()
        .map(|r| {
            let (a, b) = (*r.start(), *r.end());
            if p.is_icmp() {
                let (t, c) = (a >> 8, a & 0xff);
                if b - a == 255 && c == 0 {
                    format!("type {t}")
                } else if a == b {
                    format!("type {t} code {c}")
                } else {
                    format!("types {t}-{}", b >> 8)
                }
            } else if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(s: &str) -> Addrs {
        Addrs::from_net(&parse_cidr(s).unwrap())
    }

    #[test]
    fn internet_width() {
        assert!(is_internet_wide(&addrs("0.0.0.0/0")));
        assert!(is_internet_wide(&addrs("0.0.0.0/1")));
        assert!(is_internet_wide(&addrs("128.0.0.0/1")));
        assert!(is_internet_wide(&addrs("::/0")));
        assert!(is_internet_wide(&addrs("2000::/3")));
        assert!(!is_internet_wide(&addrs("203.0.113.0/24")));
        assert!(!is_internet_wide(&addrs("198.51.100.7/32")));
        assert!(!is_internet_wide(&addrs("10.0.0.0/8")));
        assert!(!is_internet_wide(&addrs("172.16.0.0/12")));
        assert!(!is_internet_wide(&addrs("fd00::/8")));
        assert!(is_internet_wide(&addrs("52.0.0.0/8")));
        assert!(!is_internet_wide(&addrs("52.0.0.0/9")));
    }

    #[test]
    fn protocols_normalise() {
        assert_eq!(Proto::parse("-1"), Some(Proto::All));
        assert_eq!(Proto::parse("ALL"), Some(Proto::All));
        assert_eq!(Proto::parse("6"), Some(Proto::Tcp));
        assert_eq!(Proto::parse("Udp"), Some(Proto::Udp));
        assert_eq!(Proto::parse("1"), Some(Proto::Icmp));
        assert_eq!(Proto::parse("58"), Some(Proto::Icmpv6));
        assert_eq!(Proto::parse("gre"), Some(Proto::Other(47)));
        assert_eq!(Proto::parse("50"), Some(Proto::Other(50)));
        assert_eq!(Proto::parse("bogus"), None);
    }

    #[test]
    fn port_ranges() {
        let p = rule_ports(Proto::Tcp, Some(0), Some(0));
        assert!(p.contains(0) && !p.contains(22));
        assert!(rule_ports(Proto::Tcp, Some(0), Some(65535)).is_universal());
        assert!(rule_ports(Proto::Tcp, Some(-1), Some(-1)).is_universal());
        assert!(rule_ports(Proto::All, Some(22), Some(22)).is_universal());
        assert!(rule_ports(Proto::Other(47), Some(22), Some(22)).is_universal());
        // icmp echo request: type 8 code 0; echo reply 0/0 is not "all"
        let echo = rule_ports(Proto::Icmp, Some(8), Some(0));
        assert!(echo.contains(8 << 8) && !echo.contains(0));
        let reply = rule_ports(Proto::Icmp, Some(0), Some(0));
        assert!(reply.contains(0) && !reply.contains(8 << 8));
        assert!(rule_ports(Proto::Icmp, Some(-1), Some(-1)).is_universal());
        assert_eq!(
            show_ports(Proto::Tcp, &rule_ports(Proto::Tcp, Some(22), Some(22))),
            "22"
        );
        assert_eq!(show_ports(Proto::Icmp, &echo), "type 8 code 0");
    }

    #[test]
    fn cidr_round_trip() {
        let s = internet(Family::V4);
        let c = s.to_cidrs();
        assert!(c.iter().any(|n| n.to_string() == "1.0.0.0/8"));
        assert_eq!(addrs("0.0.0.0/0").to_cidrs()[0].to_string(), "0.0.0.0/0");
        assert_eq!(addrs("::/0").to_cidrs()[0].to_string(), "::/0");
        assert_eq!(
            parse_cidr("10.0.1.5/16").unwrap().to_string(),
            "10.0.0.0/16"
        );
    }
}
