//! VPC001: a declared VPC has no flow log.

use super::{At, Ctx, Rule};
use crate::model::resolve::{rattr, scope_of};
use crate::model::NetModel;
use foldhash::HashSet;

pub static RULE: Rule = crate::rule!("VPC001", check);

fn check(m: &NetModel, cx: &mut Ctx) {
    let mut logged: HashSet<&str> = HashSet::default();
    // scopes with a flow log whose target is not known: any VPC there may be covered
    let mut unsure: HashSet<&str> = HashSet::default();
    for r in m.resources {
        let target = match r.kind.as_str() {
            "aws_flow_log" => rattr(r, &["vpc_id"]),
            "AWS::EC2::FlowLog" => {
                let kind =
                    rattr(r, &["ResourceType"]).and_then(|v| v.as_str().map(|s| s.into_owned()));
                if kind.as_deref().is_some_and(|k| k != "VPC") {
                    continue;
                }
                rattr(r, &["ResourceId"])
            }
            _ => continue,
        };
        match target.and_then(|v| v.as_ref_to()) {
            Some(to) => {
                logged.insert(to.key.as_str());
            }
            None if target.is_some_and(|v| v.as_unknown().is_some()) => {
                unsure.insert(scope_of(&r.key));
            }
            None => {}
        }
    }
    for v in m.vpcs.iter().filter(|v| !v.implicit && !v.is_default) {
        if logged.contains(v.key.as_str()) || unsure.contains(scope_of(&v.key)) {
            continue;
        }
        cx.report(
            &RULE,
            At {
                span: v.span,
                label: "no flow log".into(),
                resource: v.address.clone(),
                resource_span: v.span,
            },
            format!(
                "VPC {} has no flow log, so its traffic is not recorded",
                v.address
            ),
        );
    }
}
