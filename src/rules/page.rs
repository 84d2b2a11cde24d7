//! Rule pages (`rules/<ID>.md`): TOML front matter between `+++` lines, then Markdown.
//! The page is the single source of a rule's metadata, docs, `explain` text and examples.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::finding::Severity;

/// Metadata from a rule page's front matter.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub id: String,
    pub name: String,
    pub severity: String,
    pub title: String,
    /// One sentence for `sgcheck rules` and SARIF `shortDescription`.
    pub summary: String,
    /// Equivalent check ids in other tools: keys `tfsec`, `trivy`, `checkov`, `kics`, `cfn_nag`.
    #[serde(default)]
    pub equivalents: BTreeMap<String, Vec<String>>,
}

impl RuleMeta {
    /// The default severity.
    pub fn default_severity(&self) -> Severity {
        Severity::parse(&self.severity).unwrap_or(Severity::Warning)
    }
}

/// A parsed rule page.
#[derive(Clone, Debug)]
pub struct Page {
    pub meta: RuleMeta,
    /// The Markdown after the front matter.
    pub body: String,
}

/// An example block of a page: fenced with the info string `<frontend> <bad|good>`.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    /// `terraform` or `cloudformation`.
    pub frontend: String,
    /// `bad` (the rule must fire) or `good` (it must not).
    pub verdict: String,
    pub code: String,
}

/// Parses a page; the error says what is wrong with it.
pub fn parse(text: &str) -> Result<Page, String> {
    let rest = text
        .strip_prefix("+++\n")
        .ok_or("page must start with a '+++' front matter line")?;
    let end = rest
        .find("\n+++\n")
        .ok_or("front matter is not closed by '+++'")?;
    let meta: RuleMeta = toml::from_str(&rest[..end]).map_err(|e| e.to_string())?;
    Ok(Page {
        meta,
        body: rest[end + 5..].trim_start().to_string(),
    })
}

/// The example blocks of a page body, in order.
pub fn examples(body: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut lines = body.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut words = info.split_whitespace();
        let (Some(frontend), Some(verdict)) = (words.next(), words.next()) else {
            // skip other fenced blocks whole
            for l in lines.by_ref() {
                if l.starts_with("```") {
                    break;
                }
            }
            continue;
        };
        let mut code = String::new();
        for l in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            code.push_str(l);
            code.push('\n');
        }
        if matches!(frontend, "terraform" | "cloudformation") && matches!(verdict, "bad" | "good") {
            out.push(Example {
                frontend: frontend.to_string(),
                verdict: verdict.to_string(),
                code,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_front_matter_and_examples() {
        let text = "+++\nid = \"X1\"\nname = \"x\"\nseverity = \"note\"\ntitle = \"T\"\nsummary = \"S\"\n[equivalents]\ncheckov = [\"CKV_AWS_1\"]\n+++\n\n# T\n\n```terraform bad\nresource \"a\" \"b\" {}\n```\n\n```sh\nls\n```\n";
        let page = parse(text).unwrap();
        assert_eq!(page.meta.id, "X1");
        assert_eq!(page.meta.equivalents["checkov"], vec!["CKV_AWS_1"]);
        let ex = examples(&page.body);
        assert_eq!(ex.len(), 1);
        assert_eq!(ex[0].frontend, "terraform");
        assert_eq!(ex[0].verdict, "bad");
        assert_eq!(ex[0].code, "resource \"a\" \"b\" {}\n");
    }
}
