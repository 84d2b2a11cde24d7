//! The rule catalog for `sgcheck rules` and rule pages for `sgcheck explain`.

use serde::Serialize;

use crate::rules::page::Page;
use crate::rules::Rule;

#[derive(Serialize)]
struct Catalog<'a> {
    version: u32,
    rules: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    id: &'a str,
    name: &'a str,
    severity: &'a str,
    title: &'a str,
    summary: &'a str,
}

fn entry(rule: &Rule) -> Entry<'_> {
    let m = &rule.page().meta;
    Entry {
        id: rule.id,
        name: &m.name,
        severity: &m.severity,
        title: &m.title,
        summary: &m.summary,
    }
}

/// The catalog as JSON: `{"version": 1, "rules": [{id, name, severity, title, summary}]}`.
pub fn render_json(rules: &[&Rule]) -> String {
    let doc = Catalog {
        version: 1,
        rules: rules.iter().map(|r| entry(r)).collect(),
    };
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

/// The catalog as an aligned table: a line per rule, then its summary indented below.
pub fn render_table(rules: &[&Rule]) -> String {
    let entries: Vec<Entry> = rules.iter().map(|r| entry(r)).collect();
    let id_w = entries.iter().map(|e| e.id.len()).max().unwrap_or(2).max(2);
    let name_w = entries
        .iter()
        .map(|e| e.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = format!(
        "{:id_w$}  {:name_w$}  {:8}  TITLE\n",
        "ID", "NAME", "SEVERITY"
    );
    for e in &entries {
        out.push_str(&format!(
            "{:id_w$}  {:name_w$}  {:8}  {}\n",
            e.id, e.name, e.severity, e.title
        ));
        if !e.summary.is_empty() {
            out.push_str(&format!("{:id_w$}  {}\n", "", e.summary));
        }
    }
    out
}

/// The README's rule index: a Markdown table with a row per rule (id linked to its page, name,
/// default severity, title).
pub fn render_markdown(rules: &[&Rule]) -> String {
    let mut out = String::from("| id | name | severity | title |\n|---|---|---|---|\n");
    for e in rules.iter().map(|r| entry(r)) {
        out.push_str(&format!(
            "| [{id}](rules/{id}.md) | `{}` | {} | {} |\n",
            e.name,
            e.severity,
            e.title.replace('|', "\\|"),
            id = e.id,
        ));
    }
    out
}

/// A rule page for the terminal: a header line with id, name and default severity, the
/// title, then the Markdown body with headings underlined and code blocks indented.
pub fn render_page(page: &Page) -> String {
    let m = &page.meta;
    let mut out = format!(
        "{} {} (default severity: {})\n{}\n",
        m.id, m.name, m.severity, m.title
    );
    let equivalents: Vec<String> = m
        .equivalents
        .iter()
        .filter(|(_, ids)| !ids.is_empty())
        .map(|(tool, ids)| format!("{tool} {}", ids.join(", ")))
        .collect();
    if !equivalents.is_empty() {
        out.push_str(&format!("Equivalent checks: {}\n", equivalents.join("; ")));
    }
    out.push('\n');
    let mut in_code = false;
    for line in page.body.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str("    ");
            out.push_str(line);
        } else if let Some(heading) = heading(line) {
            let rule = if line.starts_with("# ") { "=" } else { "-" };
            out.push_str(heading);
            out.push('\n');
            out.push_str(&rule.repeat(heading.chars().count()));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The text of a Markdown ATX heading line.
fn heading(line: &str) -> Option<&str> {
    let text = line.trim_start_matches('#');
    (text.len() < line.len() && text.starts_with(' ')).then(|| text.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::page;

    const PAGE: &str = "+++\nid = \"SG001\"\nname = \"open-admin-port\"\nseverity = \"error\"\ntitle = \"Admin port open\"\nsummary = \"SSH from anywhere\"\n+++\n\n# Why\n\nText.\n\n```terraform bad\nresource \"a\" \"b\" {}\n```\n";

    #[test]
    fn page_renders_header_headings_and_code() {
        let page = page::parse(PAGE).unwrap();
        let out = render_page(&page);
        assert_eq!(
            out,
            "SG001 open-admin-port (default severity: error)\nAdmin port open\n\nWhy\n===\n\nText.\n\n    resource \"a\" \"b\" {}\n"
        );
    }

    #[test]
    fn page_lists_equivalent_checks() {
        let text = PAGE.replace(
            "+++\n\n#",
            "[equivalents]\ncheckov = [\"CKV_AWS_24\"]\ntfsec = [\"a\", \"b\"]\n+++\n\n#",
        );
        let out = render_page(&page::parse(&text).unwrap());
        assert!(
            out.contains("\nEquivalent checks: checkov CKV_AWS_24; tfsec a, b\n\n"),
            "{out}"
        );
    }

    #[test]
    fn headings_need_a_space() {
        assert_eq!(heading("## Fix it"), Some("Fix it"));
        assert_eq!(heading("#hashtag"), None);
        assert_eq!(heading("plain"), None);
    }

    fn no_check(_: &crate::model::NetModel, _: &mut crate::rules::Ctx) {}

    static RULE: Rule = Rule::new("SG001", PAGE, no_check);

    #[test]
    fn catalog_lists_id_name_severity_title_and_summary() {
        let table = render_table(&[&RULE]);
        assert_eq!(
            table,
            "ID     NAME             SEVERITY  TITLE\nSG001  open-admin-port  error     Admin port open\n       SSH from anywhere\n"
        );
        let v: serde_json::Value = serde_json::from_str(&render_json(&[&RULE])).unwrap();
        assert_eq!(
            v["rules"][0],
            serde_json::json!({"id": "SG001", "name": "open-admin-port", "severity": "error",
                "title": "Admin port open", "summary": "SSH from anywhere"})
        );
    }

    #[test]
    fn markdown_index_links_pages_and_escapes_pipes() {
        static PIPE: Rule = Rule::new("SG002", "+++\nid = \"SG002\"\nname = \"a\"\nseverity = \"note\"\ntitle = \"x | y\"\nsummary = \"\"\n+++\n", no_check);
        assert_eq!(
            render_markdown(&[&RULE, &PIPE]),
            "| id | name | severity | title |\n|---|---|---|---|\n\
             | [SG001](rules/SG001.md) | `open-admin-port` | error | Admin port open |\n\
             | [SG002](rules/SG002.md) | `a` | note | x \\| y |\n"
        );
    }

    #[test]
    fn empty_catalog_renders() {
        assert!(render_table(&[]).starts_with("ID"));
        let v: serde_json::Value = serde_json::from_str(&render_json(&[])).unwrap();
        assert_eq!(v["rules"], serde_json::json!([]));
    }
}
