//! Rules: each reads the model and reports findings. One file per rule, registered in [`ALL`].
//! Diagnostics reported outside the model checks (suppression notes) are catalogued in [`META`].

mod exposure;
mod nacl_entries;
pub mod page;
mod paths;

mod ec2001_imds_v1_allowed;
mod ec2002_user_data_secret;
mod ec2003_unencrypted_ebs;
mod nacl001_nacl_open_admin_port;
mod nacl002_nacl_shadowed_rule;
mod nacl003_nacl_return_traffic_blocked;
mod nacl004_nacl_allow_all;
mod net001_instance_in_public_subnet;
mod net002_public_ip_assigned;
mod net003_internet_reachable;
mod net004_default_vpc;
mod net005_public_database;
mod net006_internet_facing_load_balancer;
mod sg001_open_admin_port;
mod sg002_open_all_ports;
mod sg003_open_data_port;
mod sg004_open_ingress;
mod sg005_open_egress;
mod sg006_default_sg_has_rules;
mod sg007_missing_description;
mod vpc001_no_flow_logs;

use std::sync::OnceLock;

use rayon::prelude::*;

use crate::finding::{Confidence, Finding, Related};
use crate::model::{Cite, NetModel};
use crate::net::reach::Outcome;
use crate::settings::Settings;
use crate::source::Span;

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
pub static ALL: &[&Rule] = &[
    &ec2001_imds_v1_allowed::RULE,
    &ec2002_user_data_secret::RULE,
    &ec2003_unencrypted_ebs::RULE,
    &nacl001_nacl_open_admin_port::RULE,
    &nacl002_nacl_shadowed_rule::RULE,
    &nacl003_nacl_return_traffic_blocked::RULE,
    &nacl004_nacl_allow_all::RULE,
    &net001_instance_in_public_subnet::RULE,
    &net002_public_ip_assigned::RULE,
    &net003_internet_reachable::RULE,
    &net004_default_vpc::RULE,
    &net005_public_database::RULE,
    &net006_internet_facing_load_balancer::RULE,
    &sg001_open_admin_port::RULE,
    &sg002_open_all_ports::RULE,
    &sg003_open_data_port::RULE,
    &sg004_open_ingress::RULE,
    &sg005_open_egress::RULE,
    &sg006_default_sg_has_rules::RULE,
    &sg007_missing_description::RULE,
    &vpc001_no_flow_logs::RULE,
];

/// Diagnostics that have a page and a catalog entry like a rule but no model check: they are
/// reported by [`crate::suppress::apply`]. Sorted by id.
pub static META: &[&Rule] = &[&SUPPRESSION_WITHOUT_REASON, &UNUSED_SUPPRESSION];

/// SUP001: a sgcheck suppression without a reason.
pub static SUPPRESSION_WITHOUT_REASON: Rule = rule!("SUP001", reported_by_suppress);
/// SUP002: a sgcheck suppression that matches no finding.
pub static UNUSED_SUPPRESSION: Rule = rule!("SUP002", reported_by_suppress);

/// The check of a [`META`] entry: there is nothing to look at in the model.
fn reported_by_suppress(_: &NetModel, _: &mut Ctx) {}

/// The whole catalog: [`ALL`], then [`META`].
pub fn catalog() -> Vec<&'static Rule> {
    ALL.iter().chain(META).copied().collect()
}

/// What a check reads besides the model, and what it reports into.
pub struct Ctx<'a> {
    pub settings: &'a Settings,
    /// Reachability of every endpoint, by endpoint index.
    pub reach: &'a [Outcome],
    pub findings: Vec<Finding>,
}

impl Ctx<'_> {
    /// Reports a finding of `rule` at `span` on `resource` and returns it for `related`/notes.
    pub fn report(&mut self, rule: &'static Rule, at: At, message: String) -> &mut Finding {
        let meta = &rule.page().meta;
        let severity = self
            .settings
            .severity_overrides
            .get(rule.id)
            .copied()
            .unwrap_or_else(|| meta.default_severity());
        self.findings.push(Finding {
            rule: rule.id,
            name: meta.name.as_str(),
            severity,
            confidence: Confidence::Definite,
            span: at.span,
            label: at.label,
            message,
            resource: at.resource,
            resource_span: at.resource_span,
            related: Vec::new(),
            notes: Vec::new(),
        });
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }
}

/// Where a finding points.
pub struct At {
    pub span: Span,
    pub label: String,
    pub resource: String,
    pub resource_span: Span,
}

/// A cite as a related location.
pub fn related(c: &Cite) -> Related {
    Related {
        span: c.span,
        message: c.message.clone(),
    }
}

/// Runs every enabled rule, in parallel; findings come in rule order.
pub fn run(model: &NetModel, settings: &Settings) -> Vec<Finding> {
    let reach = crate::net::reach::analyse(model, settings);
    let per_rule: Vec<Vec<Finding>> = ALL
        .par_iter()
        .filter(|rule| {
            !settings
                .disabled_rules
                .iter()
                .any(|d| d == rule.id || *d == rule.page().meta.name)
        })
        .map(|rule| {
            let mut cx = Ctx {
                settings,
                reach: &reach,
                findings: Vec::new(),
            };
            (rule.check)(model, &mut cx);
            cx.findings
        })
        .collect();
    per_rule.concat()
}

/// Looks a catalog entry up by id or name (case-insensitive id).
pub fn find(id_or_name: &str) -> Option<&'static Rule> {
    ALL.iter()
        .chain(META)
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(id_or_name) || r.page().meta.name == id_or_name)
}
