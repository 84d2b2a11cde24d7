use std::sync::Arc;

use super::*;
use crate::budget::Budget;
use crate::source::SourceMap;

fn file(name: &str, text: &str) -> Arc<SourceFile> {
    SourceMap::default().add(name.into(), text)
}

fn yaml(text: &str) -> Result<Node, Diagnostic> {
    parse_yaml(&file("t.yaml", text), &Budget::new(u64::MAX))
}

fn json(text: &str) -> Result<Node, Diagnostic> {
    parse_json(&file("t.json", text))
}

fn slice(text: &str, span: Span) -> &str {
    &text[span.range()]
}

#[test]
fn yaml_scalars_are_typed_like_cloudformation() {
    let n = yaml(
        "a: true\nb: False\nc: 'true'\nd: 22\ne: -1.5\nf: 012\ng: ~\nh: null\ni: 0.0.0.0/0\nj: \"22\"\nk:\nl: 1e3\nm: !!str 5\n",
    )
    .unwrap();
    let kind = |k: &str| n.get(k).unwrap().kind.clone();
    assert_eq!(kind("a"), NodeKind::Bool(true));
    assert_eq!(kind("b"), NodeKind::Bool(false));
    assert_eq!(kind("c"), NodeKind::String("true".into()));
    assert_eq!(kind("d"), NodeKind::Number(22.0));
    assert_eq!(kind("e"), NodeKind::Number(-1.5));
    assert_eq!(kind("f"), NodeKind::String("012".into()));
    assert_eq!(kind("g"), NodeKind::Null);
    assert_eq!(kind("h"), NodeKind::Null);
    assert_eq!(kind("i"), NodeKind::String("0.0.0.0/0".into()));
    assert_eq!(kind("j"), NodeKind::String("22".into()));
    assert_eq!(kind("k"), NodeKind::Null);
    assert_eq!(kind("l"), NodeKind::Number(1000.0));
    assert_eq!(kind("m"), NodeKind::String("5".into()));
    assert!(n.get("m").unwrap().tag.is_none());
}

#[test]
fn yaml_keeps_order_spans_and_tags() {
    let text = "z: 1\na:\n  - !Ref Vpc\n  - !GetAtt [A, B]\n";
    let n = yaml(text).unwrap();
    let keys: Vec<&str> = n
        .as_map()
        .unwrap()
        .iter()
        .map(|(k, _)| k.name.as_str())
        .collect();
    assert_eq!(keys, ["z", "a"]);
    let (key, list) = n.entry("a").unwrap();
    assert_eq!(slice(text, key.span), "a");
    let items = list.as_seq().unwrap();
    let (tag, tag_span) = items[0].tag.clone().unwrap();
    assert_eq!(tag, "!Ref");
    assert_eq!(items[0].tag_name(), Some("Ref"));
    assert_eq!(slice(text, tag_span), "!Ref");
    assert_eq!(slice(text, items[0].span), "!Ref Vpc");
    assert_eq!(items[0].as_str(), Some("Vpc"));
    assert_eq!(slice(text, items[1].span), "!GetAtt [A, B]");
    assert_eq!(items[1].as_seq().unwrap().len(), 2);
    assert_eq!(slice(text, n.get("z").unwrap().span), "1");
}

#[test]
fn duplicate_keys_name_both_locations() {
    let text = "Resources:\n  A:\n    Type: x\n    Type: y\n";
    let e = yaml(text).unwrap_err();
    assert_eq!(e.message, "duplicate key 'Type' (first defined at line 3)");
    assert_eq!(e.span.start as usize, text.rfind("Type").unwrap());

    let mut big: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
    big.push_str("k35: again\n");
    let e = yaml(&big).unwrap_err();
    assert_eq!(e.message, "duplicate key 'k35' (first defined at line 36)");
    assert_eq!(e.span.start as usize, big.rfind("k35").unwrap());

    let text = "{\"a\": 1,\n \"a\": 2}";
    let e = json(text).unwrap_err();
    assert_eq!(e.message, "duplicate key 'a' (first defined at line 1)");
    assert_eq!(e.span.start as usize, text.rfind("\"a\"").unwrap());
}

#[test]
fn aliases_resolve_within_a_budget() {
    let n = yaml("base: &b {x: 1}\ncopy: *b\n").unwrap();
    assert_eq!(
        n.get("copy").unwrap().get("x").unwrap().kind,
        NodeKind::Number(1.0)
    );

    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = (b'a' + i - 1) as char;
        let c = (b'a' + i) as char;
        bomb.push_str(&format!(
            "{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        ));
    }
    let e = yaml(&bomb).unwrap_err();
    assert!(yaml("a: &a [1, *a]\n").is_err());
    assert!(e.message.contains("aliases expand"), "{}", e.message);
    assert!(e.span.start > 0 && (e.span.end as usize) <= bomb.len());
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let deep = "[".repeat(MAX_DEPTH + 10) + &"]".repeat(MAX_DEPTH + 10);
    assert!(yaml(&deep).unwrap_err().message.contains("nesting"));
    assert!(json(&deep).unwrap_err().message.contains("nesting"));
    let e = json(&("{\"a\": ".repeat(5000) + "1" + &"}".repeat(5000))).unwrap_err();
    assert_eq!(e.span.start as usize, 6 * MAX_DEPTH);
    let brackets_in_strings = format!("[\"{}\\\"\"]", "[".repeat(500));
    assert!(json(&brackets_in_strings).is_ok());
    let block: String = (0..MAX_DEPTH + 5)
        .map(|i| format!("{}- \n", "  ".repeat(i)))
        .collect();
    let e = yaml(&format!("{block}{}x\n", "  ".repeat(MAX_DEPTH + 5)));
    assert!(e.is_err());
}

#[test]
fn first_yaml_document_only() {
    let n = yaml("a: 1\n---\nb: 2\n").unwrap();
    assert!(n.get("a").is_some() && n.get("b").is_none());
    assert_eq!(yaml("").unwrap().kind, NodeKind::Null);
}

#[test]
fn syntax_errors_carry_their_offset() {
    let text = "a: [1, 2\nb: c\n";
    let e = yaml(text).unwrap_err();
    assert!(e.message.starts_with("invalid YAML"), "{}", e.message);
    assert!(e.span.start > 0);
    let text = "{\"a\": 1,}";
    let e = json(text).unwrap_err();
    assert!(e.message.starts_with("invalid JSON"), "{}", e.message);
    assert_eq!(&text[e.span.range()], ",");
}

#[test]
fn json_is_strict() {
    for bad in [
        "{\"a\": 1 // c\n}",
        "{a: 1}",
        "{'a': 1}",
        "{\"a\": 0x10}",
        "[1,]",
    ] {
        assert!(json(bad).is_err(), "{bad}");
    }
    let n = json("{\"a\": [1, true, null, \"s\", 1.5]}").unwrap();
    let items = n.get("a").unwrap().as_seq().unwrap();
    assert_eq!(items[0].kind, NodeKind::Number(1.0));
    assert_eq!(items[1].kind, NodeKind::Bool(true));
    assert_eq!(items[2].kind, NodeKind::Null);
    assert_eq!(items[3].as_str(), Some("s"));
}

#[test]
fn bom_shifts_spans() {
    let text = "\u{feff}a: !Ref B\n";
    let f = file("t.yaml", text);
    let n = parse_yaml(&f, &Budget::new(u64::MAX)).unwrap();
    let (k, v) = n.entry("a").unwrap();
    assert_eq!(slice(text, k.span), "a");
    assert_eq!(slice(text, v.span), "!Ref B");
    let text = "\u{feff}{\"a\": \"b\"}";
    let f = file("t.json", text);
    let n = parse_json(&f).unwrap();
    assert_eq!(slice(text, n.get("a").unwrap().span), "\"b\"");
}
