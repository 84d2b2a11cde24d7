//! NET003: an endpoint is reachable from the internet, proven along the whole path.

use super::paths::show_flows;
use super::{related, At, Ctx, Rule};
use crate::finding::{Confidence, Related, Severity};
use crate::model::NetModel;
use crate::net::reach::Flow;
use crate::settings::Settings;

pub static RULE: Rule = crate::rule!("NET003", check);

/// Error for admin/data ports and all-ports exposure, note otherwise.
fn severity(flows: &[Flow], s: &Settings) -> Severity {
    let sensitive = flows.iter().any(|f| {
        if !f.proto.has_ports() {
            return !f.proto.is_icmp();
        }
        f.ports.is_universal()
            || s.admin_ports
                .iter()
                .chain(&s.data_ports)
                .any(|(a, b)| f.ports.ranges().any(|r| *r.start() <= *b && *r.end() >= *a))
    });
    if sensitive {
        Severity::Error
    } else {
        Severity::Note
    }
}

fn check(m: &NetModel, cx: &mut Ctx) {
    for i in 0..m.endpoints.len() {
        let Some(definite) = cx.reach[i].definite else {
            continue;
        };
        let ep = &m.endpoints[i];
        let out = &cx.reach[i];
        let mut flows = show_flows(&out.flows);
        if !out.also_possible.is_empty() {
            flows = format!(
                "{flows}; possibly also {} (depends on unknown values)",
                show_flows(&out.also_possible)
            );
        }
        let sev = severity(&out.flows, cx.settings);
        // numbered so the path reads in order even where labels are drawn by position
        let witness: Vec<Related> = out
            .witness
            .iter()
            .enumerate()
            .map(|(n, c)| {
                let mut r = related(c);
                r.message = format!("{}. {}", n + 1, r.message);
                r
            })
            .collect();
        let unknowns: Vec<Related> = out
            .unknowns
            .iter()
            .map(|u| Related {
                span: u.span,
                message: format!("unknown: {}", u.reason),
            })
            .collect();
        let partial = out.partial_return;
        let overridden = cx.settings.severity_overrides.contains_key(RULE.id);
        let verb = if definite { "is" } else { "may be" };
        let f = cx.report(
            &RULE,
            At {
                span: ep.span,
                label: format!("{verb} reachable from the internet"),
                resource: ep.resource.clone(),
                resource_span: ep.span,
            },
            format!(
                "{} {verb} reachable from the internet: {flows}",
                ep.resource
            ),
        );
        if !overridden {
            f.severity = sev;
        }
        f.related = witness;
        f.related.extend(unknowns);
        if !definite {
            f.confidence = Confidence::Possible;
        }
        if partial {
            f.notes.push("the network ACL allows only part of the client port range for replies; clients that pick a port in it get through".into());
        }
    }
}
