//! Numeric, collection, set, encoding and conversion functions: documented examples, errors.

use super::*;

#[test]
fn numeric() {
    check(vec![
        ("abs", vec![n(23.0)], "23"),
        ("abs", vec![n(0.0)], "0"),
        ("abs", vec![n(-12.4)], "12.4"),
        ("ceil", vec![n(5.0)], "5"),
        ("ceil", vec![n(5.1)], "6"),
        ("floor", vec![n(4.9)], "4"),
        ("floor", vec![s("5")], "5"),
        ("log", vec![n(50.0), n(10.0)], "1.6989700043360185"),
        ("log", vec![n(16.0), n(2.0)], "4"),
        ("log", vec![n(1.0), n(10.0)], "0"),
        ("max", vec![n(12.0), n(54.0), n(3.0)], "54"),
        ("min", vec![n(12.0), n(54.0), n(3.0)], "3"),
        ("parseint", vec![s("100"), n(10.0)], "100"),
        ("parseint", vec![s("FF"), n(16.0)], "255"),
        ("parseint", vec![s("-10"), n(16.0)], "-16"),
        ("parseint", vec![s("1011111011101111"), n(2.0)], "48879"),
        ("parseint", vec![s("aA"), n(62.0)], "656"),
        ("pow", vec![n(3.0), n(2.0)], "9"),
        ("pow", vec![n(4.0), n(0.0)], "1"),
        ("signum", vec![n(-13.0)], "-1"),
        ("signum", vec![n(0.0)], "0"),
        ("signum", vec![n(344.0)], "1"),
        (
            "sum",
            vec![l(vec![n(10.0), n(13.0), n(6.0), n(4.5)])],
            "33.5",
        ),
    ]);
    check_errors(vec![
        ("parseint", vec![s("12"), n(2.0)], "cannot parse"),
        ("parseint", vec![s("1"), n(63.0)], "between 2 and 62"),
        ("sum", vec![l(vec![])], "empty list"),
        ("abs", vec![s("x")], "cannot convert"),
        ("max", vec![], "at least 1"),
        ("abs", vec![b(true)], "number required"),
    ]);
}

#[test]
fn collections() {
    check(vec![
        ("alltrue", vec![l(vec![s("true"), b(true)])], "true"),
        ("alltrue", vec![l(vec![b(true), b(false)])], "false"),
        ("alltrue", vec![l(vec![])], "true"),
        ("anytrue", vec![l(vec![s("true")])], "true"),
        ("anytrue", vec![l(vec![b(false), b(true)])], "true"),
        ("anytrue", vec![l(vec![])], "false"),
        (
            "chunklist",
            vec![strs(&["a", "b", "c", "d", "e"]), n(2.0)],
            r#"[["a","b"],["c","d"],["e"]]"#,
        ),
        (
            "chunklist",
            vec![strs(&["a", "b"]), n(0.0)],
            r#"[["a","b"]]"#,
        ),
        ("coalesce", vec![s("a"), s("b")], r#""a""#),
        ("coalesce", vec![s(""), s("b")], r#""b""#),
        ("coalesce", vec![null(), n(1.0), n(2.0)], "1"),
        (
            "coalescelist",
            vec![strs(&["a", "b"]), strs(&["c", "d"])],
            r#"["a","b"]"#,
        ),
        (
            "coalescelist",
            vec![strs(&[]), strs(&["c", "d"])],
            r#"["c","d"]"#,
        ),
        (
            "compact",
            vec![l(vec![s("a"), s(""), s("b"), null(), s("c")])],
            r#"["a","b","c"]"#,
        ),
        (
            "concat",
            vec![strs(&["a", ""]), strs(&["b", "c"])],
            r#"["a","","b","c"]"#,
        ),
        ("contains", vec![strs(&["a", "b", "c"]), s("a")], "true"),
        ("contains", vec![strs(&["a", "b", "c"]), s("d")], "false"),
        ("contains", vec![l(vec![n(22.0)]), s("22")], "true"),
        (
            "distinct",
            vec![strs(&["a", "b", "a", "c", "d", "b"])],
            r#"["a","b","c","d"]"#,
        ),
        ("element", vec![strs(&["a", "b", "c"]), n(1.0)], r#""b""#),
        ("element", vec![strs(&["a", "b", "c"]), n(3.0)], r#""a""#),
        (
            "flatten",
            vec![l(vec![strs(&["a", "b"]), strs(&[]), strs(&["c"])])],
            r#"["a","b","c"]"#,
        ),
        (
            "flatten",
            vec![l(vec![l(vec![strs(&["a", "b"]), strs(&[])]), strs(&["c"])])],
            r#"["a","b","c"]"#,
        ),
        ("index", vec![strs(&["a", "b", "c"]), s("b")], "1"),
        (
            "keys",
            vec![m(vec![("a", n(1.0)), ("c", n(2.0)), ("d", n(3.0))])],
            r#"["a","c","d"]"#,
        ),
        ("length", vec![l(vec![])], "0"),
        ("length", vec![strs(&["a", "b"])], "2"),
        ("length", vec![m(vec![("a", s("b"))])], "1"),
        ("length", vec![s("hello")], "5"),
        ("list", vec![s("a"), s("b")], r#"["a","b"]"#),
        (
            "lookup",
            vec![m(vec![("a", s("ay")), ("b", s("bee"))]), s("a"), s("what?")],
            r#""ay""#,
        ),
        (
            "lookup",
            vec![m(vec![("a", s("ay")), ("b", s("bee"))]), s("c"), s("what?")],
            r#""what?""#,
        ),
        ("map", vec![s("b"), n(1.0), s("a"), n(2.0)], "{a=2,b=1}"),
        (
            "matchkeys",
            vec![
                strs(&["i-123", "i-abc", "i-def"]),
                strs(&["us-west", "us-east", "us-east"]),
                strs(&["us-east"]),
            ],
            r#"["i-abc","i-def"]"#,
        ),
        (
            "merge",
            vec![
                m(vec![("a", s("b")), ("c", s("d"))]),
                null(),
                m(vec![("e", s("f")), ("c", s("z"))]),
            ],
            r#"{a="b",c="z",e="f"}"#,
        ),
        ("one", vec![l(vec![])], "null"),
        ("one", vec![strs(&["hello"])], r#""hello""#),
        ("range", vec![n(3.0)], "[0,1,2]"),
        ("range", vec![n(1.0), n(4.0)], "[1,2,3]"),
        ("range", vec![n(1.0), n(8.0), n(2.0)], "[1,3,5,7]"),
        ("range", vec![n(1.0), n(4.0), n(0.5)], "[1,1.5,2,2.5,3,3.5]"),
        ("range", vec![n(4.0), n(1.0)], "[4,3,2]"),
        ("range", vec![n(10.0), n(5.0), n(-2.0)], "[10,8,6]"),
        ("range", vec![n(0.0)], "[]"),
        ("reverse", vec![l(vec![n(1.0), n(2.0), n(3.0)])], "[3,2,1]"),
        (
            "slice",
            vec![strs(&["a", "b", "c", "d"]), n(1.0), n(3.0)],
            r#"["b","c"]"#,
        ),
        (
            "sort",
            vec![strs(&["e", "d", "a", "x"])],
            r#"["a","d","e","x"]"#,
        ),
        ("sort", vec![l(vec![n(10.0), n(9.0)])], r#"["10","9"]"#),
        (
            "transpose",
            vec![m(vec![("a", strs(&["1", "2"])), ("b", strs(&["2", "3"]))])],
            r#"{1=["a"],2=["a","b"],3=["b"]}"#,
        ),
        (
            "values",
            vec![m(vec![("a", n(3.0)), ("c", n(2.0)), ("d", n(1.0))])],
            "[3,2,1]",
        ),
        (
            "zipmap",
            vec![strs(&["a", "b"]), l(vec![n(1.0), n(2.0)])],
            "{a=1,b=2}",
        ),
    ]);
    check_errors(vec![
        ("chunklist", vec![strs(&["a"]), n(-1.0)], "must be positive"),
        ("coalesce", vec![null(), s("")], "no non-null"),
        ("coalescelist", vec![strs(&[])], "no non-null"),
        ("element", vec![strs(&["a"]), n(-1.0)], "negative index"),
        ("element", vec![strs(&[]), n(0.0)], "empty list"),
        ("index", vec![strs(&["a"]), s("z")], "item not found"),
        ("lookup", vec![m(vec![]), s("k")], "failed to find key"),
        ("map", vec![s("a")], "even number"),
        (
            "matchkeys",
            vec![strs(&["a"]), strs(&[]), strs(&[])],
            "should be equal",
        ),
        ("merge", vec![strs(&["a"])], "map required"),
        ("one", vec![strs(&["a", "b"])], "zero or one"),
        ("range", vec![n(2000.0)], "more than 1024"),
        ("range", vec![n(1.0), n(4.0), n(-1.0)], "positive"),
        ("range", vec![n(1.0), n(4.0), n(0.0)], "must not be zero"),
        ("slice", vec![strs(&["a"]), n(0.0), n(2.0)], "end index"),
        ("slice", vec![strs(&["a"]), n(1.0), n(0.0)], "start index"),
        ("zipmap", vec![strs(&["a"]), strs(&[])], "does not match"),
        ("length", vec![n(1.0)], "list, map, or string"),
        ("concat", vec![s("a")], "list required"),
        ("concat", vec![], "at least 1"),
    ]);
}

#[test]
fn sets() {
    check(vec![
        (
            "setintersection",
            vec![strs(&["a", "b"]), strs(&["b", "c"]), strs(&["b", "d"])],
            r#"["b"]"#,
        ),
        (
            "setproduct",
            vec![
                strs(&["development", "staging", "production"]),
                strs(&["app1", "app2"]),
            ],
            r#"[["development","app1"],["development","app2"],["staging","app1"],["staging","app2"],["production","app1"],["production","app2"]]"#,
        ),
        ("setproduct", vec![strs(&[]), strs(&["a"])], "[]"),
        (
            "setsubtract",
            vec![strs(&["a", "b", "c"]), strs(&["a", "c"])],
            r#"["b"]"#,
        ),
        (
            "setunion",
            vec![strs(&["a", "b"]), strs(&["b", "c"]), strs(&["d"])],
            r#"["a","b","c","d"]"#,
        ),
        ("toset", vec![strs(&["c", "b", "b"])], r#"["b","c"]"#),
        (
            "toset",
            vec![l(vec![n(3.0), n(1.0), n(2.0), n(1.0)])],
            "[1,2,3]",
        ),
        ("toset", vec![l(vec![s("b"), n(1.0)])], r#"["1","b"]"#),
        ("toset", vec![l(vec![b(true), b(false)])], "[false,true]"),
    ]);
    let big = l((0..200).map(|i| n(f64::from(i))).collect());
    check_errors(vec![(
        "setproduct",
        vec![big.clone(), big.clone(), big],
        "more than 10000",
    )]);
}

#[test]
fn encoding() {
    check(vec![
        (
            "base64encode",
            vec![s("Hello World")],
            r#""SGVsbG8gV29ybGQ=""#,
        ),
        (
            "base64decode",
            vec![s("SGVsbG8gV29ybGQ=")],
            r#""Hello World""#,
        ),
        (
            "csvdecode",
            vec![s("a,b,c\n1,2,3\n4,5,6")],
            r#"[{a="1",b="2",c="3"},{a="4",b="5",c="6"}]"#,
        ),
        (
            "csvdecode",
            vec![s(
                "name,cidr\r\n\"web, public\",\"0.0.0.0/0\"\r\n\n\"say \"\"hi\"\"\",x\n",
            )],
            r#"[{cidr="0.0.0.0/0",name="web, public"},{cidr="x",name="say \"hi\""}]"#,
        ),
        (
            "jsondecode",
            vec![s(r#"{"hello": "world"}"#)],
            r#"{hello="world"}"#,
        ),
        ("jsondecode", vec![s("true")], "true"),
        ("jsondecode", vec![s(r#"[1, 2.5, null]"#)], "[1,2.5,null]"),
        (
            "jsonencode",
            vec![m(vec![("hello", s("world"))])],
            r#""{\"hello\":\"world\"}""#,
        ),
        (
            "jsonencode",
            vec![l(vec![n(1.5), null(), s("<&>\n")])],
            r#""[1.5,null,\"\\u003c\\u0026\\u003e\\n\"]""#,
        ),
        ("urlencode", vec![s("Hello World!")], r#""Hello+World%21""#),
        ("urlencode", vec![s("☃")], r#""%E2%98%83""#),
        (
            "urlencode",
            vec![s("foo:bar@localhost?foo=bar&bar=baz")],
            r#""foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz""#,
        ),
    ]);
    check_errors(vec![
        ("base64decode", vec![s("!!")], "failed to decode"),
        ("base64decode", vec![s("/w==")], "not valid UTF-8"),
        ("jsondecode", vec![s("{")], "invalid JSON"),
        ("csvdecode", vec![s("a,b\n1")], "fields"),
        ("csvdecode", vec![s("a\n\"x")], "quoted-field"),
        ("csvdecode", vec![s("")], "missing header"),
    ]);
}

#[test]
fn conversions() {
    check(vec![
        ("tobool", vec![b(true)], "true"),
        ("tobool", vec![s("false")], "false"),
        ("tobool", vec![null()], "null"),
        ("tolist", vec![strs(&["a", "b"])], r#"["a","b"]"#),
        ("tomap", vec![m(vec![("a", n(1.0))])], "{a=1}"),
        ("tonumber", vec![n(1.0)], "1"),
        ("tonumber", vec![s("1")], "1"),
        ("tonumber", vec![s("-1.5e2")], "-150"),
        ("tonumber", vec![null()], "null"),
        ("tostring", vec![s("hello")], r#""hello""#),
        ("tostring", vec![n(1.0)], r#""1""#),
        ("tostring", vec![b(true)], r#""true""#),
        ("tostring", vec![null()], "null"),
        ("sensitive", vec![s("x")], r#""x""#),
        ("nonsensitive", vec![n(2.0)], "2"),
    ]);
    check_errors(vec![
        ("tobool", vec![s("no")], "cannot convert"),
        ("tobool", vec![n(1.0)], "cannot convert number to bool"),
        ("tolist", vec![m(vec![])], "cannot convert map to list"),
        ("tomap", vec![strs(&[])], "cannot convert list to map"),
        ("tonumber", vec![s("no")], "cannot convert"),
        ("tonumber", vec![s("inf")], "cannot convert"),
        ("tostring", vec![l(vec![])], "cannot convert list to string"),
    ]);
    let t = call("type", &[s("x")], call_span()).unwrap();
    assert!(unknown_reason(&t).contains("console"));
}
