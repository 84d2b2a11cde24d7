//! SG002: ingress from the internet on every protocol, or the whole TCP or UDP range.

use super::exposure::{all_ports, describe, members, open_rules, proto_of, report_open};
use super::{Ctx, Rule};
use crate::model::NetModel;

pub static RULE: Rule = crate::rule!("SG002", check);

fn check(m: &NetModel, cx: &mut Ctx) {
    let members = members(m);
    for o in open_rules(m, cx.settings, false) {
        if all_ports(o.rule) {
            let what = describe(proto_of(o.rule), &o.rule.ports);
            report_open(cx, &RULE, &o, what, &members, m);
        }
    }
}
