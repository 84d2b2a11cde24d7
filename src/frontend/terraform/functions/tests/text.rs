//! String, regular expression and `format` functions: documented examples, errors.

use super::*;

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
