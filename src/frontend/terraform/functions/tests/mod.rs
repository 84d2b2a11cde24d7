//! Terraform's documented examples per function family, unknown propagation, span and
//! reference preservation, errors, and a no-panic sweep.

mod data;
mod network;
mod text;

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Failure;
use crate::budget::{Budget, BYTES};
use crate::ir::{fmt_number, RefTo, Unknown, Val, Value};
use crate::source::{FileId, Span};

/// Calls a function with a budget of its own; `Err` is the Terraform error.
fn call(name: &str, args: &[Val], span: Span) -> Result<Val, String> {
    match super::call(name, args, span, &Budget::new(u64::MAX)) {
        Ok(v) => Ok(v),
        Err(Failure::Invalid(e)) => Err(e),
        Err(Failure::Budget(e)) => Err(e.spent.to_string()),
    }
}

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

/// Every supported name (the opaque ones are checked separately).
#[rustfmt::skip]
const SUPPORTED: &[&str] = &[
    "abs", "ceil", "floor", "log", "max", "min", "parseint", "pow", "signum", "sum", "chomp",
    "endswith", "format", "formatlist", "indent", "join", "lower", "regex", "regexall", "replace",
    "split", "startswith", "strcontains", "strrev", "substr", "title", "trim", "trimprefix",
    "trimsuffix", "trimspace", "upper", "alltrue", "anytrue", "chunklist", "coalesce",
    "coalescelist", "compact", "concat", "contains", "distinct", "element", "flatten", "index",
    "keys", "length", "list", "lookup", "map", "matchkeys", "merge", "one", "range", "reverse",
    "setintersection", "setproduct", "setsubtract", "setunion", "slice", "sort", "transpose",
    "values", "zipmap", "base64decode", "base64encode", "csvdecode", "jsondecode", "jsonencode",
    "urlencode", "cidrhost", "cidrnetmask", "cidrsubnet", "cidrsubnets", "tobool", "tolist",
    "tomap", "tonumber", "toset", "tostring", "type", "sensitive", "nonsensitive",
    "ephemeralasnull", "abspath", "basename", "dirname", "pathexpand",
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

/// A budget with `left` bytes left.
fn budget_with(left: u64) -> Budget {
    let budget = Budget::new(u64::MAX);
    budget.take(BYTES - left).expect("within the budget");
    budget
}

#[test]
fn results_past_the_budget_are_refused_before_they_are_built() {
    let kb = |c: &str| c.repeat(1024);
    let many = |x: &str, n: usize| l(vec![s(x); n]);
    let ones = (0..100).map(|i| s(&format!("{i}{}", kb("x")))).collect();
    let csv = format!("{}\n{}", kb("h"), "1\n".repeat(2000));
    let json = format!("[{}0]", "0,".repeat(300_000));
    // each result takes megabytes, from arguments of kilobytes
    let cases: Vec<(&str, Vec<Val>)> = vec![
        ("join", vec![s(&kb(",")), many("", 2000)]),
        ("format", vec![s(&"%[1]s".repeat(2000)), s(&kb("x"))]),
        (
            "formatlist",
            vec![s("%s%s"), many(&kb("x"), 600), s(&kb("y"))],
        ),
        ("replace", vec![s(&kb("x")), s("x"), s(&kb("y"))]),
        ("replace", vec![s(&kb("x")), s(""), s(&kb("y"))]),
        (
            "replace",
            vec![s(&kb("x")), s("/x/"), s(&"$0".repeat(1024))],
        ),
        ("indent", vec![n(1024.0), s(&kb("\n"))]),
        ("split", vec![s(""), s(&kb("x").repeat(100))]),
        ("regexall", vec![s("x"), s(&kb("x").repeat(100))]),
        ("upper", vec![s(&kb("x").repeat(400))]),
        ("base64encode", vec![s(&kb("x").repeat(800))]),
        ("urlencode", vec![s(&kb("<").repeat(400))]),
        ("jsonencode", vec![many(&kb("<"), 200)]),
        ("jsondecode", vec![s(&json)]),
        ("csvdecode", vec![s(&csv)]),
        ("transpose", vec![m(vec![("k", many(&kb("v"), 2000))])]),
        ("setproduct", vec![l(ones), many("", 100)]),
        ("concat", vec![many(&kb("x"), 600), many(&kb("x"), 600)]),
    ];
    for (name, args) in cases {
        let refused = super::call(name, &args, call_span(), &budget_with(1 << 20));
        assert!(
            matches!(refused, Err(Failure::Budget(_))),
            "{name}: {:?}",
            refused.err()
        );
        // the same call fits in a whole budget
        let whole = super::call(name, &args, call_span(), &Budget::new(u64::MAX));
        assert!(whole.is_ok(), "{name}: {:?}", whole.err());
    }
    let refused = super::call("range", &[n(1000.0)], call_span(), &budget_with(1024));
    assert!(
        matches!(refused, Err(Failure::Budget(_))),
        "{:?}",
        refused.err()
    );
}
