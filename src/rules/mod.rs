//! Rules: each reads the model and reports findings. One file per rule, registered in [`ALL`].

pub mod page;

use std::sync::OnceLock;

use crate::finding::Finding;
use crate::model::NetModel;
use crate::settings::Settings;

/// A rule: its page (compiled in) and its check.
pub struct Rule {
    pub id: &'static str,
    /// The text of `rules/<ID>.md`.
    pub page_text: &'static str,
    page: OnceLock<page::Page>,
    pub check: fn(&NetModel, &mut Ctx),
}

impl Rule {
    /// A rule whose page is `page_text`.
    pub const fn new(
        id: &'static str,
        page_text: &'static str,
        check: fn(&NetModel, &mut Ctx),
    ) -> Self {
        Rule {
            id,
            page_text,
            page: OnceLock::new(),
            check,
        }
    }

    /// The parsed page (pages are checked by the test suite, so parsing cannot fail at run time
    /// for a released build; a broken page still yields its id as name).
    pub fn page(&self) -> &page::Page {
        self.page.get_or_init(|| {
            page::parse(self.page_text).unwrap_or_else(|e| page::Page {
                meta: page::RuleMeta {
                    id: self.id.to_string(),
                    name: self.id.to_ascii_lowercase(),
                    severity: "warning".into(),
                    title: format!("rule page is invalid: {e}"),
                    summary: String::new(),
                    equivalents: Default::default(),
                },
                body: String::new(),
            })
        })
    }
}

/// `rule!("SG001", check)`: a [`Rule`] with its page `rules/SG001.md` compiled in.
#[macro_export]
macro_rules! rule {
    ($id:literal, $check:path) => {
        $crate::rules::Rule::new(
            $id,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $id, ".md")),
            $check,
        )
    };
}

/// Every rule, sorted by id.
pub static ALL: &[&Rule] = &[];

/// What a check reports into.
pub struct Ctx<'a> {
    pub settings: &'a Settings,
    pub findings: Vec<Finding>,
}

/// Runs every enabled rule.
pub fn run(model: &NetModel, settings: &Settings) -> Vec<Finding> {
    let mut cx = Ctx {
        settings,
        findings: Vec::new(),
    };
    for rule in ALL {
        if settings
            .disabled_rules
            .iter()
            .any(|d| d == rule.id || *d == rule.page().meta.name)
        {
            continue;
        }
        (rule.check)(model, &mut cx);
    }
    cx.findings
}

/// Looks a rule up by id or name (case-insensitive id).
pub fn find(id_or_name: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(id_or_name) || r.page().meta.name == id_or_name)
}
