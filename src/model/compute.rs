//! Launch settings of instances, launch templates and launch configurations, and EBS
//! volumes: what the hardening rules (IMDS, user data, encryption) read.

use super::resolve::{attr, blocks, rattr, scope_of};
use crate::ir::{Resource, Val};
use crate::source::Span;
use foldhash::HashSet;

/// Something that launches instances.
#[derive(Clone, Debug)]
pub struct Launch<'a> {
    pub resource: &'a Resource,
    /// `http_tokens` / `HttpTokens` value, when set.
    pub http_tokens: Option<&'a Val>,
    /// The metadata options block, when present.
    pub metadata_options: Option<&'a Val>,
    /// User data values with whether they are base64-encoded in source.
    pub user_data: Vec<(&'a Val, bool)>,
}

/// One EBS volume or block device mapping.
#[derive(Clone, Debug)]
pub struct Volume<'a> {
    pub resource: &'a Resource,
    /// The `encrypted`/`Encrypted` value, when set.
    pub encrypted: Option<&'a Val>,
    /// The block or resource that declares the volume.
    pub span: Span,
    pub what: String,
}

const INSTANCE: &[&str] = &["aws_instance", "AWS::EC2::Instance"];
const TEMPLATE: &[&str] = &["aws_launch_template", "AWS::EC2::LaunchTemplate"];
const CONFIG: &[&str] = &[
    "aws_launch_configuration",
    "AWS::AutoScaling::LaunchConfiguration",
];

/// The launch data map of a resource (CFN launch templates nest it).
fn data(r: &Resource) -> Option<&Val> {
    rattr(r, &["LaunchTemplateData"])
}

fn get<'a>(r: &'a Resource, names: &[&str]) -> Option<&'a Val> {
    match data(r) {
        Some(d) => attr(d, names),
        None => rattr(r, names),
    }
}

/// Every instance, launch template and launch configuration.
pub fn launches(resources: &[Resource]) -> Vec<Launch<'_>> {
    resources
        .iter()
        .filter(|r| {
            [INSTANCE, TEMPLATE, CONFIG]
                .iter()
                .any(|k| k.contains(&r.kind.as_str()))
        })
        .map(|r| {
            let metadata_options = blocks(get(r, &["metadata_options", "MetadataOptions"]))
                .into_iter()
                .next();
            let http_tokens =
                metadata_options.and_then(|m| attr(m, &["http_tokens", "HttpTokens"]));
            // a Terraform launch template's user_data must be base64
            let tf_template = r.kind == "aws_launch_template";
            let mut user_data = Vec::new();
            if let Some(v) = get(r, &["user_data", "UserData"]) {
                user_data.push((v, tf_template));
            }
            if let Some(v) = get(r, &["user_data_base64"]) {
                user_data.push((v, true));
            }
            Launch {
                resource: r,
                http_tokens,
                metadata_options,
                user_data,
            }
        })
        .collect()
}

/// Every declared EBS volume and block device mapping with an EBS part.
pub fn volumes(resources: &[Resource]) -> Vec<Volume<'_>> {
    let mut out = Vec::new();
    for r in resources {
        match r.kind.as_str() {
            "aws_ebs_volume" | "AWS::EC2::Volume" => out.push(Volume {
                resource: r,
                encrypted: rattr(r, &["encrypted", "Encrypted"]),
                span: r.span,
                what: "EBS volume".into(),
            }),
            k if INSTANCE.contains(&k) || TEMPLATE.contains(&k) || CONFIG.contains(&k) => {
                for (name, what) in [
                    ("root_block_device", "root volume"),
                    ("ebs_block_device", "EBS block device"),
                ] {
                    for b in blocks(get(r, &[name])) {
                        out.push(Volume {
                            resource: r,
                            encrypted: attr(b, &["encrypted"]),
                            span: b.span,
                            what: what.into(),
                        });
                    }
                }
                for b in blocks(get(r, &["block_device_mappings", "BlockDeviceMappings"])) {
                    // instance-store mappings have no EBS part
                    if let Some(ebs) = blocks(attr(b, &["ebs", "Ebs"])).into_iter().next() {
                        out.push(Volume {
                            resource: r,
                            encrypted: attr(ebs, &["encrypted", "Encrypted"]),
                            span: ebs.span,
                            what: "EBS block device".into(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Scopes (root modules, templates) that turn on EBS encryption by default.
pub fn default_encryption_scopes(resources: &[Resource]) -> HashSet<&str> {
    resources
        .iter()
        .filter(|r| r.kind == "aws_ebs_encryption_by_default")
        .filter(|r| rattr(r, &["enabled"]).and_then(Val::as_bool) != Some(false))
        .map(|r| scope_of(&r.key))
        .collect()
}
