//! Terraform's documented examples per function family, unknown propagation, span and
//! reference preservation, errors, and a no-panic sweep.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::call;
use crate::ir::{fmt_number, RefTo, Unknown, Val, Value};
use crate::source::{FileId, Span};

fn s(x: &str) -> Val {
    Val::new(Value::String(x.to_string()), Span::default())
}

fn n(x: f64) -> Val {
    Val::new(Value::Number(x), Span::default())
}

fn b(x: bool) -> Val {
    Val::new(Value::Bool(x), Span::default())
}

fn null() -> Val {
    Val::new(Value::Null, Span::default())
}

fn l(items: Vec<Val>) -> Val {
    Val::new(Value::List(items), Span::default())
}

fn strs(items: &[&str]) -> Val {
    l(items.iter().map(|x| s(x)).collect())
}

fn m(entries: Vec<(&str, Val)>) -> Val {
    let map: BTreeMap<String, Val> = entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    Val::new(Value::Map(map), Span::default())
}

fn unk(reason: &str) -> Val {
    Val::unknown(reason, Span::default())
}

fn unk_of(reason: &str, candidates: Vec<Val>) -> Val {
    Val::new(
        Value::Unknown(Arc::new(Unknown {
            reason: reason.to_string(),
            candidates,
        })),
        Span::default(),
    )
}

fn rf(address: &str, attr: &str) -> Val {
    Val::new(
        Value::Ref(Arc::new(RefTo {
            key: format!("infra::{address}"),
            attr: attr.to_string(),
        })),
        Span::default(),
    )
}

fn at(mut v: Val, start: usize, end: usize) -> Val {
    v.span = Span::new(FileId(1), start, end);
    v
}

fn call_span() -> Span {
    Span::new(FileId(1), 100, 200)
}

/// A compact rendering that ignores spans: `"s"`, `1.5`, `[..]`, `{k=v}`, `ref(a.attr)`, `?`.
fn show(v: &Val) -> String {
    match &v.value {
        Value::Null => "null".into(),
        Value::Bool(x) => x.to_string(),
        Value::Number(x) => fmt_number(*x),
        Value::String(x) => format!("{x:?}"),
        Value::List(items) => format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(",")),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{k}={}", show(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        Value::Ref(r) => format!("ref({}.{})", r.key, r.attr),
        Value::Unknown(_) => "?".into(),
    }
}

/// Runs a table of `(function, arguments, expected rendering)`.
fn check(table: Vec<(&str, Vec<Val>, &str)>) {
    for (name, args, expected) in table {
        match call(name, &args, call_span()) {
            Ok(v) => assert_eq!(show(&v), expected, "{name}({})", render_args(&args)),
            Err(e) => panic!("{name}({}) failed: {e}", render_args(&args)),
        }
    }
}

/// Runs a table of calls that must fail, with a fragment of the message.
fn check_errors(table: Vec<(&str, Vec<Val>, &str)>) {
    for (name, args, fragment) in table {
        match call(name, &args, call_span()) {
            Ok(v) => panic!("{name}({}) gave {}", render_args(&args), show(&v)),
            Err(e) => assert!(e.contains(fragment), "{name}: {e:?} lacks {fragment:?}"),
        }
    }
}

fn render_args(args: &[Val]) -> String {
    args.iter().map(show).collect::<Vec<_>>().join(", ")
}

fn unknown_reason(v: &Val) -> &str {
    v.as_unknown()
        .map(|u| u.reason.as_str())
        .unwrap_or("<known>")
}

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
fn strings() {
    check(vec![
        ("chomp", vec![s("hello\n")], r#""hello""#),
        ("chomp", vec![s("hello\r\n")], r#""hello""#),
        ("chomp", vec![s("hello\n\n")], r#""hello""#),
        ("endswith", vec![s("hello world"), s("world")], "true"),
        ("endswith", vec![s("hello world"), s("hello")], "false"),
        ("startswith", vec![s("hello world"), s("hello")], "true"),
        ("strcontains", vec![s("hello world"), s("wor")], "true"),
        ("strcontains", vec![s("hello world"), s("wod")], "false"),
        (
            "indent",
            vec![n(2.0), s("[\n  foo,\n  bar,\n]\n")],
            r#""[\n    foo,\n    bar,\n  ]\n  ""#,
        ),
        (
            "join",
            vec![s(", "), strs(&["foo", "bar", "baz"])],
            r#""foo, bar, baz""#,
        ),
        ("join", vec![s(", "), strs(&["foo"])], r#""foo""#),
        (
            "join",
            vec![s("-"), strs(&["a"]), l(vec![s("b"), n(3.0)])],
            r#""a-b-3""#,
        ),
        ("lower", vec![s("HELLO")], r#""hello""#),
        ("lower", vec![s("АЛЛО!")], r#""алло!""#),
        ("upper", vec![s("hello")], r#""HELLO""#),
        ("split", vec![s(","), s("foo")], r#"["foo"]"#),
        (
            "split",
            vec![s(","), s("foo,bar,baz")],
            r#"["foo","bar","baz"]"#,
        ),
        ("split", vec![s(","), s("")], r#"[""]"#),
        ("strrev", vec![s("hello")], r#""olleh""#),
        (
            "substr",
            vec![s("hello world"), n(1.0), n(4.0)],
            r#""ello""#,
        ),
        ("substr", vec![s("🤔🤷"), n(0.0), n(1.0)], r#""🤔""#),
        (
            "substr",
            vec![s("hello world"), n(-5.0), n(-1.0)],
            r#""world""#,
        ),
        (
            "substr",
            vec![s("hello world"), n(6.0), n(10.0)],
            r#""world""#,
        ),
        ("title", vec![s("hello world")], r#""Hello World""#),
        ("trim", vec![s("?!hello?!"), s("!?")], r#""hello""#),
        ("trim", vec![s("foobar"), s("far")], r#""oob""#),
        (
            "trim",
            vec![s("   hello! world.!  "), s("! ")],
            r#""hello! world.""#,
        ),
        (
            "trimprefix",
            vec![s("helloworld"), s("hello")],
            r#""world""#,
        ),
        (
            "trimprefix",
            vec![s("helloworld"), s("cat")],
            r#""helloworld""#,
        ),
        (
            "trimsuffix",
            vec![s("helloworld"), s("world")],
            r#""hello""#,
        ),
        ("trimspace", vec![s("  hello\n\n")], r#""hello""#),
        (
            "replace",
            vec![s("1 + 2 + 3"), s("+"), s("-")],
            r#""1 - 2 - 3""#,
        ),
        (
            "replace",
            vec![s("hello world"), s("/w.*d/"), s("everybody")],
            r#""hello everybody""#,
        ),
        (
            "replace",
            vec![s("10.0.1.0/24"), s("/^(\\d+)\\.(\\d+)/"), s("$2.$1")],
            r#""0.10.1.0/24""#,
        ),
        ("basename", vec![s("foo/bar/baz.txt")], r#""baz.txt""#),
        ("dirname", vec![s("foo/bar/baz.txt")], r#""foo/bar""#),
        ("dirname", vec![s("foo")], r#"".""#),
        ("abspath", vec![s("/a/b/../c/")], r#""/a/c""#),
        ("pathexpand", vec![s("/etc/hosts")], r#""/etc/hosts""#),
    ]);
    check_errors(vec![
        ("join", vec![s(","), l(vec![null()])], "null"),
        ("indent", vec![n(-1.0), s("x")], "spaces"),
        ("lower", vec![l(vec![])], "string required"),
        ("upper", vec![null()], "must not be null"),
        ("substr", vec![s("x"), n(0.5), n(1.0)], "whole number"),
    ]);
    let home = call("pathexpand", &[s("~/.ssh")], call_span()).unwrap();
    assert!(unknown_reason(&home).contains("home directory"));
}

#[test]
fn regexes() {
    check(vec![
        (
            "regex",
            vec![s("[a-z]+"), s("53453453.345345aaabbbccc23454")],
            r#""aaabbbccc""#,
        ),
        (
            "regex",
            vec![s(r"(\d\d\d\d)-(\d\d)-(\d\d)"), s("2019-02-01")],
            r#"["2019","02","01"]"#,
        ),
        (
            "regex",
            vec![
                s("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?"),
                s("https://terraform.io/docs/"),
            ],
            r#"{authority="terraform.io",scheme="https"}"#,
        ),
        ("regex", vec![s("(a)|(b)"), s("b")], r#"[null,"b"]"#),
        (
            "regexall",
            vec![s("[a-z]+"), s("1234abcd5678efgh9")],
            r#"["abcd","efgh"]"#,
        ),
        ("regexall", vec![s("[a-z]+"), s("123")], "[]"),
    ]);
    check_errors(vec![
        (
            "regex",
            vec![s("[a-z]+"), s("53453453.34534523454")],
            "did not match",
        ),
        ("regex", vec![s("(?P<a>x)(y)"), s("xy")], "cannot mix"),
        (
            "regexall",
            vec![s("("), s("x")],
            "invalid regular expression",
        ),
        (
            "replace",
            vec![s("x"), s("/(/"), s("y")],
            "invalid regular expression",
        ),
    ]);
}

#[test]
fn format_verbs() {
    check(vec![
        (
            "format",
            vec![s("Hello, %s!"), s("Ander")],
            r#""Hello, Ander!""#,
        ),
        (
            "format",
            vec![s("There are %d lights"), n(4.0)],
            r#""There are 4 lights""#,
        ),
        ("format", vec![s("%#v"), s("hello")], r#""\"hello\"""#),
        ("format", vec![s("%#v"), b(true)], r#""true""#),
        ("format", vec![s("%#v"), n(1.0)], r#""1""#),
        (
            "format",
            vec![s("%#v"), m(vec![("a", n(1.0))])],
            r#""{\"a\":1}""#,
        ),
        ("format", vec![s("%#v"), l(vec![b(true)])], r#""[true]""#),
        ("format", vec![s("%#v"), null()], r#""null""#),
        ("format", vec![s("%v"), n(1_000_000.0)], r#""1e+06""#),
        ("format", vec![s("%v"), n(123_456.0)], r#""123456""#),
        ("format", vec![s("%v|%v"), s("a"), n(-1.5)], r#""a|-1.5""#),
        ("format", vec![s("%5.2f|"), n(3.25159)], r#"" 3.25|""#),
        ("format", vec![s("%05.1f"), n(-2.25)], r#""-02.2""#),
        ("format", vec![s("%f"), n(2.0)], r#""2.000000""#),
        ("format", vec![s("%-5d|"), n(42.0)], r#""42   |""#),
        ("format", vec![s("%05d"), n(-42.0)], r#""-0042""#),
        ("format", vec![s("%+d % d"), n(5.0), n(5.0)], r#""+5  5""#),
        ("format", vec![s("%.3d"), n(7.0)], r#""007""#),
        (
            "format",
            vec![s("%x %X %#x"), n(255.0), n(255.0), n(255.0)],
            r#""ff FF 0xff""#,
        ),
        (
            "format",
            vec![s("%o %#o %b"), n(8.0), n(8.0), n(5.0)],
            r#""10 010 101""#,
        ),
        ("format", vec![s("%e"), n(1234.5678)], r#""1.234568e+03""#),
        ("format", vec![s("%.2E"), n(0.000123)], r#""1.23E-04""#),
        ("format", vec![s("%g"), n(0.00001234)], r#""1.234e-05""#),
        ("format", vec![s("%g"), n(100_000.0)], r#""100000""#),
        ("format", vec![s("%.3g"), n(1234.5678)], r#""1.23e+03""#),
        ("format", vec![s("%.3g"), n(100.0)], r#""100""#),
        (
            "format",
            vec![s("%q"), s("hi\"<")],
            r#""\"hi\\\"\\u003c\"""#,
        ),
        ("format", vec![s("%t"), s("true")], r#""true""#),
        ("format", vec![s("100%%")], r#""100%""#),
        ("format", vec![s("%[2]s %[1]s"), s("a"), s("b")], r#""b a""#),
        (
            "format",
            vec![s("%[2]s %s"), s("a"), s("b"), s("c")],
            r#""b c""#,
        ),
        (
            "format",
            vec![s("%.3s|%5s|%-4s|"), s("abcdef"), s("ab"), s("é")],
            r#""abc|   ab|é   |""#,
        ),
        ("format", vec![s("%s/%d"), n(1.5), s("24")], r#""1.5/24""#),
        (
            "formatlist",
            vec![
                s("Hello, %s!"),
                strs(&["Valentina", "Ander", "Olivia", "Sam"]),
            ],
            r#"["Hello, Valentina!","Hello, Ander!","Hello, Olivia!","Hello, Sam!"]"#,
        ),
        (
            "formatlist",
            vec![
                s("%s, %s!"),
                s("Salutations"),
                strs(&["Valentina", "Ander"]),
            ],
            r#"["Salutations, Valentina!","Salutations, Ander!"]"#,
        ),
        ("formatlist", vec![s("%s/32"), strs(&[])], "[]"),
        ("formatlist", vec![s("x")], r#"["x"]"#),
    ]);
    check_errors(vec![
        ("format", vec![s("%d"), n(1.5)], "integer is required"),
        ("format", vec![s("%s")], "not enough arguments"),
        (
            "format",
            vec![s("%s"), s("a"), s("b")],
            "too many arguments",
        ),
        ("format", vec![s("x"), s("a")], "no verbs"),
        ("format", vec![s("%z"), n(1.0)], "unsupported format verb"),
        ("format", vec![s("%s"), null()], "null value"),
        ("format", vec![s("%s"), l(vec![])], "string required"),
        ("format", vec![s("%"), n(1.0)], "invalid format string"),
        (
            "format",
            vec![s("%!"), n(1.0)],
            "unrecognized format character",
        ),
        ("format", vec![s("%999999d"), n(1.0)], "too large"),
        (
            "formatlist",
            vec![s("%s%s"), strs(&["a"]), strs(&["b", "c"])],
            "inconsistent",
        ),
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
            vec![s("::/0"), n(33.0), n(0.0)],
            "more than 32 bits",
        ),
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

#[test]
fn unknown_argument_makes_result_unknown_with_reason_and_origins() {
    let cidr = unk("variable 'vpc_cidr' has no value").with_origin(
        Span::new(FileId(2), 5, 9),
        "value comes from variable 'vpc_cidr'",
    );
    let v = call("cidrsubnet", &[cidr, n(8.0), n(1.0)], call_span()).unwrap();
    assert_eq!(
        unknown_reason(&v),
        "cidrsubnet(): variable 'vpc_cidr' has no value"
    );
    assert_eq!(v.span, call_span());
    assert_eq!(v.origins.len(), 1);
    assert_eq!(v.origins[0].span, Span::new(FileId(2), 5, 9));

    let joined = call(
        "join",
        &[s(","), l(vec![s("a"), rf("aws_security_group.a", "id")])],
        call_span(),
    )
    .unwrap();
    assert_eq!(
        unknown_reason(&joined),
        "join(): aws_security_group.a.id is known only after apply"
    );

    let nested = call("upper", &[joined], call_span()).unwrap();
    assert!(unknown_reason(&nested).starts_with("upper(): join(): "));

    for (name, args) in [
        ("length", vec![unk("u")]),
        ("format", vec![s("%v"), l(vec![unk("u")])]),
        ("jsonencode", vec![m(vec![("a", rf("aws_vpc.x", "id"))])]),
        ("contains", vec![l(vec![unk("u")]), s("a")]),
        ("sort", vec![l(vec![s("a"), unk("u")])]),
        ("alltrue", vec![l(vec![b(true), unk("u")])]),
        ("anytrue", vec![l(vec![b(false), unk("u")])]),
        ("merge", vec![m(vec![]), unk("u")]),
        ("tonumber", vec![rf("aws_vpc.x", "id")]),
        ("coalesce", vec![null(), unk("u"), s("x")]),
        ("element", vec![strs(&["a"]), unk("u")]),
        ("index", vec![l(vec![unk("u"), s("a")]), s("a")]),
        ("formatlist", vec![s("%s"), unk("u")]),
    ] {
        let v = call(name, &args, call_span()).unwrap();
        assert!(v.as_unknown().is_some(), "{name} gave {}", show(&v));
    }
}

#[test]
fn functions_answer_despite_unknown_elements() {
    check(vec![
        ("length", vec![l(vec![unk("u"), s("a")])], "2"),
        ("alltrue", vec![l(vec![b(false), unk("u")])], "false"),
        ("anytrue", vec![l(vec![unk("u"), b(true)])], "true"),
        ("contains", vec![l(vec![unk("u"), s("a")]), s("a")], "true"),
        ("coalesce", vec![s("x"), unk("u")], r#""x""#),
        (
            "lookup",
            vec![m(vec![("a", s("1"))]), s("a"), unk("u")],
            r#""1""#,
        ),
        ("element", vec![l(vec![unk("u"), s("b")]), n(1.0)], r#""b""#),
        ("keys", vec![m(vec![("k", unk("u"))])], r#"["k"]"#),
        (
            "distinct",
            vec![l(vec![unk("u"), unk("u"), s("a"), s("a")])],
            r#"[?,?,"a"]"#,
        ),
        (
            "toset",
            vec![l(vec![unk("u"), s("b"), s("a")])],
            r#"["a","b",?]"#,
        ),
        ("tolist", vec![l(vec![unk("u")])], "[?]"),
        (
            "formatlist",
            vec![s("%s/32"), l(vec![s("a"), unk("u")])],
            r#"["a/32",?]"#,
        ),
        ("index", vec![l(vec![s("a"), unk("u")]), s("a")], "0"),
        (
            "formatlist",
            vec![s("%s-%s"), rf("aws_vpc.a", "id"), strs(&["a", "b"])],
            "[?,?]",
        ),
    ]);
}

#[test]
fn references_are_preserved_as_elements() {
    let sg = rf("aws_security_group.a", "id");
    check(vec![
        (
            "concat",
            vec![l(vec![sg.clone()]), strs(&["sg-1"])],
            r#"[ref(infra::aws_security_group.a.id),"sg-1"]"#,
        ),
        (
            "flatten",
            vec![l(vec![l(vec![sg.clone()]), s("x")])],
            r#"[ref(infra::aws_security_group.a.id),"x"]"#,
        ),
        (
            "compact",
            vec![l(vec![sg.clone(), s(""), null()])],
            r#"[ref(infra::aws_security_group.a.id)]"#,
        ),
        (
            "distinct",
            vec![l(vec![sg.clone(), sg.clone()])],
            r#"[ref(infra::aws_security_group.a.id)]"#,
        ),
        ("contains", vec![l(vec![sg.clone()]), sg.clone()], "true"),
        (
            "tostring",
            vec![sg.clone()],
            "ref(infra::aws_security_group.a.id)",
        ),
        (
            "coalesce",
            vec![sg.clone()],
            "ref(infra::aws_security_group.a.id)",
        ),
    ]);
}

#[test]
fn returned_elements_keep_their_spans() {
    let open = at(s("0.0.0.0/0"), 10, 21).with_origin(Span::new(FileId(3), 1, 2), "default");
    let other = at(s("10.0.0.0/8"), 30, 42);
    let list = l(vec![other.clone(), open.clone()]);

    let joined = call("concat", &[list.clone(), strs(&["x"])], call_span()).unwrap();
    assert_eq!(joined.span, call_span());
    let items = joined.as_list().unwrap();
    assert_eq!(items[1].span, open.span);
    assert_eq!(items[1].origins, open.origins);

    for (name, args) in [
        ("element", vec![list.clone(), n(1.0)]),
        ("lookup", vec![m(vec![("k", open.clone())]), s("k")]),
        ("coalesce", vec![s(""), open.clone()]),
        ("one", vec![l(vec![open.clone()])]),
        ("tostring", vec![open.clone()]),
        ("sensitive", vec![open.clone()]),
    ] {
        let v = call(name, &args, call_span()).unwrap();
        assert_eq!(v.span, open.span, "{name}");
        assert_eq!(v.origins, open.origins, "{name}");
    }
    for (name, args) in [
        ("flatten", vec![l(vec![list.clone()])]),
        (
            "values",
            vec![m(vec![("a", other.clone()), ("b", open.clone())])],
        ),
        ("merge", vec![m(vec![("b", open.clone())])]),
        ("toset", vec![list.clone()]),
        ("reverse", vec![list.clone()]),
    ] {
        let v = call(name, &args, call_span()).unwrap();
        let spans: Vec<Span> = match &v.value {
            Value::List(items) => items.iter().map(|i| i.span).collect(),
            Value::Map(entries) => entries.values().map(|i| i.span).collect(),
            _ => Vec::new(),
        };
        assert!(spans.contains(&open.span), "{name}");
    }
    let computed = call("upper", &[open], call_span()).unwrap();
    assert_eq!(computed.span, call_span());
}

#[test]
fn candidates_of_an_unknown_argument_flow_through() {
    let cidr = unk_of(
        "condition depends on variable 'public'",
        vec![s("10.0.0.0/16"), s("10.1.0.0/16")],
    );
    let v = call("cidrsubnet", &[cidr, n(8.0), n(1.0)], call_span()).unwrap();
    let u = v.as_unknown().unwrap();
    assert_eq!(
        u.reason,
        "cidrsubnet(): condition depends on variable 'public'"
    );
    let shown: Vec<String> = u.candidates.iter().map(show).collect();
    assert_eq!(shown, [r#""10.0.1.0/24""#, r#""10.1.1.0/24""#]);

    let lists = unk_of("c", vec![strs(&["0.0.0.0/0"]), strs(&[])]);
    let v = call("concat", &[lists, strs(&["10.0.0.0/8"])], call_span()).unwrap();
    let shown: Vec<String> = v
        .as_unknown()
        .unwrap()
        .candidates
        .iter()
        .map(show)
        .collect();
    assert_eq!(
        shown,
        [r#"["0.0.0.0/0","10.0.0.0/8"]"#, r#"["10.0.0.0/8"]"#]
    );

    let open_ended = unk_of("c", vec![s("10.0.0.0/16"), unk("anything")]);
    let v = call("cidrhost", &[open_ended, n(1.0)], call_span()).unwrap();
    assert!(v.as_unknown().unwrap().candidates.is_empty());
}

#[test]
fn unevaluated_functions_are_unknown_with_a_reason() {
    let v = call("timestamp", &[], call_span()).unwrap();
    assert_eq!(unknown_reason(&v), "timestamp() is known only at apply");
    assert_eq!(v.span, call_span());
    for name in [
        "uuid",
        "md5",
        "sha256",
        "filebase64",
        "file",
        "templatefile",
        "bcrypt",
    ] {
        let v = call(name, &[s("x")], call_span()).unwrap();
        assert!(
            unknown_reason(&v).starts_with(&format!("{name}() ")),
            "{name}"
        );
    }
    let v = call("provider::aws::arn_parse", &[s("x")], call_span()).unwrap();
    assert!(v.as_unknown().is_some());
}

#[test]
fn call_errors() {
    check_errors(vec![
        (
            "nosuchfunction",
            vec![],
            "there is no function named \"nosuchfunction\"",
        ),
        (
            "cidrsubnet",
            vec![s("10.0.0.0/8"), n(1.0)],
            "cidrsubnet(): expects 3 arguments, got 2",
        ),
        ("lookup", vec![m(vec![])], "expects at least 2 arguments"),
        (
            "lookup",
            vec![m(vec![]), s("a"), s("b"), s("c")],
            "expects at most 3",
        ),
        ("upper", vec![s("a"), s("b")], "expects 1 argument, got 2"),
    ]);
}

/// Every supported name, as documented in the report.
const SUPPORTED: &[&str] = &[
    "abs",
    "ceil",
    "floor",
    "log",
    "max",
    "min",
    "parseint",
    "pow",
    "signum",
    "sum",
    "chomp",
    "endswith",
    "format",
    "formatlist",
    "indent",
    "join",
    "lower",
    "regex",
    "regexall",
    "replace",
    "split",
    "startswith",
    "strcontains",
    "strrev",
    "substr",
    "title",
    "trim",
    "trimprefix",
    "trimsuffix",
    "trimspace",
    "upper",
    "alltrue",
    "anytrue",
    "chunklist",
    "coalesce",
    "coalescelist",
    "compact",
    "concat",
    "contains",
    "distinct",
    "element",
    "flatten",
    "index",
    "keys",
    "length",
    "list",
    "lookup",
    "map",
    "matchkeys",
    "merge",
    "one",
    "range",
    "reverse",
    "setintersection",
    "setproduct",
    "setsubtract",
    "setunion",
    "slice",
    "sort",
    "transpose",
    "values",
    "zipmap",
    "base64decode",
    "base64encode",
    "csvdecode",
    "jsondecode",
    "jsonencode",
    "urlencode",
    "cidrhost",
    "cidrnetmask",
    "cidrsubnet",
    "cidrsubnets",
    "tobool",
    "tolist",
    "tomap",
    "tonumber",
    "toset",
    "tostring",
    "type",
    "sensitive",
    "nonsensitive",
    "ephemeralasnull",
    "abspath",
    "basename",
    "dirname",
    "pathexpand",
];

#[test]
fn no_input_makes_a_function_panic() {
    let deep = (0..200).fold(s("x"), |acc, _| l(vec![acc]));
    let pool = vec![
        null(),
        s(""),
        s("x"),
        s("%"),
        s("%[0]d%[99999]d"),
        s("10.0.0.0/8"),
        s("::/0"),
        s("/(/"),
        s("-"),
        n(-1.0),
        n(0.0),
        n(0.5),
        n(1e300),
        n(-1e300),
        n(f64::NAN),
        n(f64::INFINITY),
        n(9.3e18),
        b(true),
        strs(&[]),
        strs(&["a", "b"]),
        l(vec![n(1.0), null(), strs(&["c"])]),
        m(vec![]),
        m(vec![("a", strs(&["1"])), ("b", n(2.0))]),
        unk("u"),
        unk_of("c", vec![s("1"), n(2.0), null()]),
        rf("aws_vpc.a", "id"),
        deep,
    ];
    for name in SUPPORTED {
        assert!(super::lookup(name).is_some(), "{name} is not supported");
        let _ = call(name, &[], call_span());
        for a in &pool {
            let _ = call(name, std::slice::from_ref(a), call_span());
            for b in &pool {
                let _ = call(name, &[a.clone(), b.clone()], call_span());
                for c in [&pool[1], &pool[9], &pool[18], &pool[23]] {
                    let _ = call(name, &[a.clone(), b.clone(), c.clone()], call_span());
                }
            }
        }
    }
}
