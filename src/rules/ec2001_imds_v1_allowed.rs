//! EC2001: an instance, launch template or launch configuration does not require IMDSv2.

use super::{At, Ctx, Rule};
use crate::finding::{Confidence, Related};
use crate::model::compute::launches;
use crate::model::NetModel;

pub static RULE: Rule = crate::rule!("EC2001", check);

fn check(m: &NetModel, cx: &mut Ctx) {
    for l in launches(m.resources) {
        let r = l.resource;
        let (span, unknown) = match l.http_tokens {
            Some(v) => match v.as_str() {
                Some(t) if t.eq_ignore_ascii_case("required") => continue,
                Some(_) => (v.span, None),
                None => (v.span, v.as_unknown().map(|u| (v.span, u.reason.clone()))),
            },
            None => (l.metadata_options.map_or(r.span, |b| b.span), None),
        };
        let why = match (l.http_tokens, &unknown) {
            (_, Some(_)) => "its http_tokens setting is unknown".to_string(),
            (Some(_), None) => "http_tokens is not \"required\"".to_string(),
            (None, None) if l.metadata_options.is_some() => {
                "its metadata options leave http_tokens at \"optional\"".to_string()
            }
            (None, None) => {
                "it declares no metadata options, so http_tokens defaults to \"optional\""
                    .to_string()
            }
        };
        let f = cx.report(
            &RULE,
            At {
                span,
                label: "IMDSv1 allowed".into(),
                resource: r.address.clone(),
                resource_span: r.span,
            },
            format!(
                "{} allows IMDSv1 (token-less metadata requests): {why}",
                r.address
            ),
        );
        if let Some((s, reason)) = unknown {
            f.confidence = Confidence::Possible;
            f.related.push(Related {
                span: s,
                message: format!("unknown: {reason}"),
            });
        }
    }
}
