//! EC2003: a root or EBS block device is not encrypted.

use super::{At, Ctx, Rule};
use crate::finding::{Confidence, Related};
use crate::model::compute::{default_encryption_scopes, volumes};
use crate::model::resolve::scope_of;
use crate::model::NetModel;

pub static RULE: Rule = crate::rule!("EC2003", check);

fn check(m: &NetModel, cx: &mut Ctx) {
    let by_default = default_encryption_scopes(m.resources);
    for v in volumes(m.resources) {
        if by_default.contains(scope_of(&v.resource.key)) {
            continue;
        }
        let (span, unknown) = match v.encrypted {
            Some(e) => match e.as_bool() {
                Some(true) => continue,
                Some(false) => (e.span, None),
                None => (e.span, e.as_unknown().map(|u| u.reason.clone())),
            },
            None => (v.span, None),
        };
        let state = if v.encrypted.is_some() {
            "is not encrypted"
        } else {
            "does not set encryption, so it is unencrypted"
        };
        let f = cx.report(
            &RULE,
            At {
                span,
                label: "not encrypted".into(),
                resource: v.resource.address.clone(),
                resource_span: v.resource.span,
            },
            format!("{} of {} {state}", v.what, v.resource.address),
        );
        if let Some(reason) = unknown {
            f.confidence = Confidence::Possible;
            f.message = format!("{} of {} may not be encrypted", v.what, v.resource.address);
            f.related.push(Related {
                span,
                message: format!("unknown: {reason}"),
            });
        }
    }
}
