//! SG005: egress to the internet on every protocol and port.

use super::exposure::{describe, members, open_rules, proto_of, report_open};
use super::{Ctx, Rule};
use crate::model::NetModel;
use crate::net::sets::Proto;

pub static RULE: Rule = crate::rule!("SG005", check);

fn check(m: &NetModel, cx: &mut Ctx) {
    let members = members(m);
    for o in open_rules(m, cx.settings, true) {
        if proto_of(o.rule) == Proto::All {
            let what = describe(Proto::All, &o.rule.ports);
            report_open(cx, &RULE, &o, what, &members, m);
        }
    }
}
