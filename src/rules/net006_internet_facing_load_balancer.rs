//! NET006: a load balancer is internet-facing (default scheme included).

use super::{related, At, Ctx, Rule};
use crate::finding::{Confidence, Related};
use crate::model::{EndpointKind, NetModel, K};
use crate::net::sets::show_ports;

pub static RULE: Rule = crate::rule!("NET006", check);

fn check(m: &NetModel, cx: &mut Ctx) {
    for (i, ep) in m.endpoints.iter().enumerate() {
        if ep.kind != EndpointKind::LoadBalancer {
            continue;
        }
        let unknown = match &ep.public_v4 {
            K::Known(true) => None,
            K::Known(false) => continue,
            K::Unknown(u) => Some(u.clone()),
        };
        let listeners: Vec<String> = ep
            .listen
            .iter()
            .flatten()
            .map(|(p, ports, _)| format!("{p}/{}", show_ports(*p, ports)))
            .collect();
        let listens = if listeners.is_empty() {
            "no listener is declared".to_string()
        } else {
            format!("listeners: {}", listeners.join(", "))
        };
        let out = &cx.reach[i];
        let reach = match (out.definite, &out.blocker) {
            (Some(_), _) => "; reachable from the internet (see NET003)".to_string(),
            (None, Some(b)) => format!("; not reachable from the internet now: {b}"),
            (None, None) => String::new(),
        };
        let verb = if unknown.is_some() { "may be" } else { "is" };
        let at = ep.public_v4_cite.as_ref().map_or(ep.span, |c| c.span);
        let cites: Vec<Related> = ep
            .listen
            .iter()
            .flatten()
            .map(|(_, _, c)| related(c))
            .collect();
        let f = cx.report(
            &RULE,
            At {
                span: at,
                label: format!("{verb} internet-facing"),
                resource: ep.resource.clone(),
                resource_span: ep.span,
            },
            format!(
                "load balancer {} {verb} internet-facing ({listens}){reach}",
                ep.resource
            ),
        );
        f.related = cites;
        if let Some(u) = unknown {
            f.confidence = Confidence::Possible;
            f.related.push(Related {
                span: u.span,
                message: format!("unknown: {}", u.reason),
            });
        }
    }
}
