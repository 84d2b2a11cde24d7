//! IP network functions on IPv4 and IPv6: documented examples and go-cidr errors.

use super::*;

#[test]
fn network() {
    check(vec![
        (
            "cidrhost",
            vec![s("10.12.112.0/20"), n(16.0)],
            r#""10.12.112.16""#,
        ),
        (
            "cidrhost",
            vec![s("10.12.112.0/20"), n(268.0)],
            r#""10.12.113.12""#,
        ),
        (
            "cidrhost",
            vec![s("fd00:fd12:3456:7890:00a2::/72"), n(34.0)],
            r#""fd00:fd12:3456:7890::22""#,
        ),
        (
            "cidrhost",
            vec![s("10.0.0.0/24"), n(-1.0)],
            r#""10.0.0.255""#,
        ),
        (
            "cidrhost",
            vec![s("10.0.0.0/24"), n(-256.0)],
            r#""10.0.0.0""#,
        ),
        ("cidrhost", vec![s("10.0.0.7/32"), n(0.0)], r#""10.0.0.7""#),
        ("cidrnetmask", vec![s("172.16.0.0/12")], r#""255.240.0.0""#),
        ("cidrnetmask", vec![s("0.0.0.0/0")], r#""0.0.0.0""#),
        (
            "cidrsubnet",
            vec![s("172.16.0.0/12"), n(4.0), n(2.0)],
            r#""172.18.0.0/16""#,
        ),
        (
            "cidrsubnet",
            vec![s("10.1.2.0/24"), n(4.0), n(15.0)],
            r#""10.1.2.240/28""#,
        ),
        (
            "cidrsubnet",
            vec![s("10.0.0.0/16"), n(8.0), n(2.0)],
            r#""10.0.2.0/24""#,
        ),
        (
            "cidrsubnet",
            vec![s("10.0.0.0/16"), n(0.0), n(0.0)],
            r#""10.0.0.0/16""#,
        ),
        ("cidrsubnet", vec![s("::/0"), n(0.0), n(0.0)], r#""::/0""#),
        (
            "cidrsubnet",
            vec![s("fd00:fd12:3456:7890::/56"), n(16.0), n(162.0)],
            r#""fd00:fd12:3456:7800:a200::/72""#,
        ),
        (
            "cidrsubnet",
            vec![s("2001:db8::/56"), n(8.0), n(1.0)],
            r#""2001:db8:0:1::/64""#,
        ),
        (
            "cidrsubnets",
            vec![s("10.1.0.0/16"), n(4.0), n(4.0), n(8.0), n(4.0)],
            r#"["10.1.0.0/20","10.1.16.0/20","10.1.32.0/24","10.1.48.0/20"]"#,
        ),
        (
            "cidrsubnets",
            vec![
                s("fd00:fd12:3456:7890::/56"),
                n(16.0),
                n(16.0),
                n(16.0),
                n(32.0),
            ],
            r#"["fd00:fd12:3456:7800::/72","fd00:fd12:3456:7800:100::/72","fd00:fd12:3456:7800:200::/72","fd00:fd12:3456:7800:300::/88"]"#,
        ),
        ("cidrsubnets", vec![s("10.1.0.0/16")], "[]"),
        (
            "cidrsubnet",
            vec![s("::/0"), n(64.0), n(1.0)],
            r#""0:0:0:1::/64""#,
        ),
        (
            "cidrhost",
            vec![s("010.000.0.0/8"), n(1.0)],
            r#""10.0.0.1""#,
        ),
        (
            "cidrhost",
            vec![s("::/0"), n(-1.0)],
            r#""ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff""#,
        ),
    ]);
    check_errors(vec![
        (
            "cidrhost",
            vec![s("10.0.0.0/24"), n(256.0)],
            "does not accommodate a host numbered 256",
        ),
        (
            "cidrhost",
            vec![s("10.0.0.0/24"), n(-257.0)],
            "does not accommodate",
        ),
        ("cidrnetmask", vec![s("fd00::/8")], "IPv6"),
        (
            "cidrsubnet",
            vec![s("10.0.0.0/16"), n(8.0), n(256.0)],
            "does not accommodate a subnet numbered 256",
        ),
        (
            "cidrsubnet",
            vec![s("10.0.0.0/30"), n(4.0), n(0.0)],
            "insufficient address space",
        ),
        (
            "cidrsubnet",
            vec![s("10.0.0.0/8"), n(25.0), n(0.0)],
            "insufficient address space to extend prefix of 8 by 25",
        ),
        ("cidrsubnets", vec![s("::/0"), n(33.0)], "more than 32 bits"),
        ("cidrhost", vec![s("1.2.3.256/8"), n(1.0)], "invalid CIDR"),
        ("cidrhost", vec![s("1.2.3/8"), n(1.0)], "invalid CIDR"),
        (
            "cidrsubnet",
            vec![s("10.0.0.0/16"), n(-1.0), n(0.0)],
            "negative",
        ),
        (
            "cidrsubnet",
            vec![s("10.0.0/16"), n(8.0), n(0.0)],
            "invalid CIDR",
        ),
        (
            "cidrsubnet",
            vec![s("10.0.0.0/33"), n(1.0), n(0.0)],
            "invalid CIDR",
        ),
        (
            "cidrsubnet",
            vec![s("10.0.0.0"), n(1.0), n(0.0)],
            "invalid CIDR",
        ),
        (
            "cidrsubnets",
            vec![s("10.0.0.0/24"), n(1.0), n(1.0), n(1.0)],
            "not enough remaining",
        ),
        (
            "cidrsubnets",
            vec![s("10.0.0.0/24"), n(0.0)],
            "at least one bit",
        ),
        (
            "cidrsubnets",
            vec![s("10.0.0.0/24"), n(9.0)],
            "too long for an IPv4",
        ),
    ]);
}
