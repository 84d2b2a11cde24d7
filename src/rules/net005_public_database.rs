//! NET005: a database or data service is publicly accessible.

use super::{related, At, Ctx, Rule};
use crate::finding::{Confidence, Related};
use crate::model::{EndpointKind, NetModel, K};
use crate::net::sets::show_ports;

pub static RULE: Rule = crate::rule!("NET005", check);

/// Data services with a public-access switch that the network model does not place.
const OTHER_SERVICES: &[(&str, &str)] = &[
    ("aws_rds_cluster_instance", "publicly_accessible"),
    ("aws_redshift_cluster", "publicly_accessible"),
    ("aws_dms_replication_instance", "publicly_accessible"),
    ("AWS::Redshift::Cluster", "PubliclyAccessible"),
    ("AWS::DMS::ReplicationInstance", "PubliclyAccessible"),
];

fn check(m: &NetModel, cx: &mut Ctx) {
    for (i, ep) in m.endpoints.iter().enumerate() {
        if ep.kind != EndpointKind::Database {
            continue;
        }
        let unknown = match &ep.public_v4 {
            K::Known(true) => None,
            K::Known(false) => continue,
            K::Unknown(u) => Some(u.clone()),
        };
        let out = &cx.reach[i];
        let port = ep
            .listen
            .as_ref()
            .and_then(|l| l.first())
            .map(|(p, ports, _)| format!("{p}/{}", show_ports(*p, ports)))
            .unwrap_or_default();
        let path = match (out.definite, &out.blocker) {
            (Some(true), _) => format!("; the internet can reach it on {port} (see NET003)"),
            (Some(false), _) => format!("; the internet may reach it on {port} (see NET003)"),
            (None, Some(b)) => format!("; it is not reachable from the internet now: {b}"),
            (None, None) => String::new(),
        };
        let witness: Vec<Related> = out.witness.iter().map(related).collect();
        let verb = if unknown.is_some() { "may be" } else { "is" };
        let at = ep.public_v4_cite.as_ref().map_or(ep.span, |c| c.span);
        let f = cx.report(
            &RULE,
            At {
                span: at,
                label: format!("{verb} publicly accessible"),
                resource: ep.resource.clone(),
                resource_span: ep.span,
            },
            format!("database {} {verb} publicly accessible{path}", ep.resource),
        );
        f.related = witness;
        if let Some(u) = unknown {
            f.confidence = Confidence::Possible;
            f.related.insert(
                0,
                Related {
                    span: u.span,
                    message: format!("unknown: {}", u.reason),
                },
            );
        }
    }
    for r in m.resources {
        let Some((_, name)) = OTHER_SERVICES.iter().find(|(k, _)| *k == r.kind) else {
            continue;
        };
        let Some(v) = r.attrs.get(*name) else {
            continue;
        };
        let possible = match v.as_bool() {
            Some(true) => false,
            Some(false) => continue,
            None if v.as_unknown().is_some() => true,
            None => continue,
        };
        let f = cx.report(
            &RULE,
            At {
                span: v.span,
                label: "publicly accessible".into(),
                resource: r.address.clone(),
                resource_span: r.span,
            },
            format!(
                "{} {} publicly accessible",
                r.address,
                if possible { "may be" } else { "is" }
            ),
        );
        if possible {
            f.confidence = Confidence::Possible;
        }
    }
}
