//! SG004: any other ingress from the internet (an inventory of intended exposure).

use super::exposure::{all_ports, describe, members, open_rules, ports_in, proto_of, report_open};
use super::{Ctx, Rule};
use crate::model::NetModel;

pub static RULE: Rule = crate::rule!("SG004", check);

fn check(m: &NetModel, cx: &mut Ctx) {
    let members = members(m);
    for o in open_rules(m, cx.settings, false) {
        let flagged = all_ports(o.rule)
            || !ports_in(o.rule, &cx.settings.admin_ports).is_empty()
            || !ports_in(o.rule, &cx.settings.data_ports).is_empty();
        if !flagged {
            let what = describe(proto_of(o.rule), &o.rule.ports);
            report_open(cx, &RULE, &o, what, &members, m);
        }
    }
}
