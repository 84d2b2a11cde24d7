//! SG001: ingress from the internet to a remote-administration port.

use super::exposure::{all_ports, describe, members, open_rules, ports_in, proto_of, report_open};
use super::{Ctx, Rule};
use crate::model::NetModel;

pub static RULE: Rule = crate::rule!("SG001", check);

fn check(m: &NetModel, cx: &mut Ctx) {
    let members = members(m);
    for o in open_rules(m, cx.settings, false) {
        let ports = ports_in(o.rule, &cx.settings.admin_ports);
        if all_ports(o.rule) || ports.is_empty() {
            continue;
        }
        let what = describe(proto_of(o.rule), &ports);
        report_open(cx, &RULE, &o, what, &members, m);
    }
}
