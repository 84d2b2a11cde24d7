//! IP network functions for IPv4 and IPv6: `cidrhost cidrnetmask cidrsubnet cidrsubnets`,
//! with Terraform's (go-cidr's) arithmetic and errors.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::args::{arg, integer, list_of, string, text};
use super::{Builtin, Fail, Res};
use crate::ir::Val;
use crate::source::Span;

pub(super) fn lookup(name: &str) -> Option<Builtin> {
    Some(match name {
        "cidrhost" => Builtin::fixed(2, cidrhost),
        "cidrnetmask" => Builtin::fixed(1, cidrnetmask),
        "cidrsubnet" => Builtin::fixed(3, cidrsubnet),
        "cidrsubnets" => Builtin::variadic(1, cidrsubnets),
        _ => return None,
    })
}

/// A prefix as an integer address in a `width`-bit space.
#[derive(Clone, Copy)]
struct Net {
    /// Network address (host bits cleared).
    addr: u128,
    len: u32,
    /// 32 for IPv4, 128 for IPv6.
    width: u32,
}

impl Net {
    fn parse(s: &str) -> Res<Net> {
        let invalid = || {
            Fail::Error(format!(
                "invalid CIDR expression: invalid CIDR address: {s}"
            ))
        };
        let (ip, len) = s.split_once('/').ok_or_else(invalid)?;
        let ip = ip
            .parse::<IpAddr>()
            .ok()
            .or_else(|| dotted_quad(ip).map(IpAddr::V4))
            .ok_or_else(invalid)?;
        let len: u32 = len
            .parse()
            .ok()
            .filter(|_| len.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(invalid)?;
        let (addr, width) = match ip {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
            IpAddr::V6(v6) => (u128::from(v6), 128),
        };
        if len > width {
            return Err(invalid());
        }
        Ok(Net::new(addr, len, width))
    }

    /// The `len`-bit prefix containing `addr`.
    fn new(addr: u128, len: u32, width: u32) -> Net {
        Net {
            addr: addr & mask(len, width),
            len,
            width,
        }
    }

    /// The last address of the prefix.
    fn last(self) -> u128 {
        self.addr | (ones(self.width) & !mask(self.len, self.width))
    }

    fn contains(self, addr: u128) -> bool {
        addr & mask(self.len, self.width) == self.addr
    }

    fn family(self) -> &'static str {
        if self.width == 32 {
            "IPv4"
        } else {
            "IPv6"
        }
    }
}

impl std::fmt::Display for Net {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", ip(self.addr, self.width), self.len)
    }
}

/// An IPv4 address whose octets have leading zeros (`010.0.0.1`), read as decimal as
/// Terraform does.
fn dotted_quad(s: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = s.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *octet = part
            .trim_start_matches('0')
            .parse::<u8>()
            .ok()
            .or_else(|| part.bytes().all(|b| b == b'0').then_some(0))?;
    }
    parts.next().is_none().then_some(Ipv4Addr::from(octets))
}

/// All `width` bits set.
fn ones(width: u32) -> u128 {
    u128::MAX.checked_shr(128 - width.min(128)).unwrap_or(0)
}

/// The netmask of a `len`-bit prefix in a `width`-bit space.
fn mask(len: u32, width: u32) -> u128 {
    let host_bits = width.saturating_sub(len);
    ones(width) & u128::MAX.checked_shl(host_bits).unwrap_or(0)
}

fn ip(addr: u128, width: u32) -> IpAddr {
    if width == 32 {
        IpAddr::V4(Ipv4Addr::from(u32::try_from(addr).unwrap_or(u32::MAX)))
    } else {
        IpAddr::V6(Ipv6Addr::from(addr))
    }
}

fn prefix(args: &[Val]) -> Res<Net> {
    Net::parse(&string(arg(args, 0)?)?)
}

fn cidrhost(args: &[Val], span: Span) -> Res {
    let net = prefix(args)?;
    let hostnum = integer(arg(args, 1)?)?;
    let max_host = ones(net.width - net.len);
    let too_big = || {
        Fail::Error(format!(
            "prefix of {} does not accommodate a host numbered {hostnum}",
            net.len
        ))
    };
    let host = if hostnum < 0 {
        let from_end = u128::from(hostnum.unsigned_abs()) - 1;
        max_host.checked_sub(from_end).ok_or_else(too_big)?
    } else {
        Some(u128::from(hostnum.unsigned_abs()))
            .filter(|h| *h <= max_host)
            .ok_or_else(too_big)?
    };
    Ok(text(ip(net.addr | host, net.width).to_string(), span))
}

fn cidrnetmask(args: &[Val], span: Span) -> Res {
    let net = prefix(args)?;
    if net.width != 32 {
        return Err(Fail::Error(format!(
            "IPv6 addresses cannot have a netmask: {net}"
        )));
    }
    Ok(text(ip(mask(net.len, 32), 32).to_string(), span))
}

/// Checks one `newbits` of `cidrsubnets`: at least one bit, at most 32.
fn extension(newbits: i64) -> Res<u32> {
    if newbits < 1 {
        return Err("must extend prefix by at least one bit".into());
    }
    if newbits > 32 {
        return Err("may not extend prefix by more than 32 bits".into());
    }
    Ok(newbits.unsigned_abs() as u32)
}

fn cidrsubnet(args: &[Val], span: Span) -> Res {
    let net = prefix(args)?;
    let newbits = integer(arg(args, 1)?)?;
    let netnum = integer(arg(args, 2)?)?;
    if newbits < 0 {
        return Err("newbits must not be negative".into());
    }
    let len = u32::try_from(newbits)
        .ok()
        .and_then(|n| n.checked_add(net.len))
        .filter(|len| *len <= net.width);
    let Some(len) = len else {
        return Err(Fail::Error(format!(
            "insufficient address space to extend prefix of {} by {newbits}",
            net.len
        )));
    };
    if netnum < 0 || u128::from(netnum.unsigned_abs()) > ones(len - net.len) {
        return Err(Fail::Error(format!(
            "prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"
        )));
    }
    let offset = u128::from(netnum.unsigned_abs())
        .checked_shl(net.width - len)
        .unwrap_or(0);
    let subnet = Net::new(net.addr | offset, len, net.width);
    Ok(text(subnet.to_string(), span))
}

/// Consecutive subnets as go-cidr's `PreviousSubnet`/`NextSubnet` allocate them.
fn cidrsubnets(args: &[Val], span: Span) -> Res {
    let net = prefix(args)?;
    let sizes = args.get(1..).unwrap_or_default();
    let Some(first) = sizes.first() else {
        return Ok(list_of(Vec::new(), span));
    };
    let first_len = (net.len + extension(integer(first)?)?).min(net.width);
    let mut current = Net::new(net.addr.wrapping_sub(1), first_len, net.width);
    let mut out = Vec::with_capacity(sizes.len());
    for size in sizes {
        let len = net.len + extension(integer(size)?)?;
        if len > net.width {
            return Err(Fail::Error(format!(
                "would extend prefix to {len} bits, which is too long for an {} address",
                net.family()
            )));
        }
        let last = Net::new(current.last(), len, net.width).last();
        let following = last.wrapping_add(1) & ones(net.width);
        let next = Net::new(following, len, net.width);
        if following == 0 || !net.contains(next.addr) {
            return Err(Fail::Error(format!(
                "not enough remaining address space for a subnet with a prefix of {len} bits after {current}"
            )));
        }
        current = next;
        out.push(text(current.to_string(), span));
    }
    Ok(list_of(out, span))
}
