//! EC2002: user data holds a hard-coded credential.

use std::sync::OnceLock;

use base64::Engine;
use regex::Regex;

use super::{At, Ctx, Rule};
use crate::ir::Val;
use crate::model::compute::launches;
use crate::model::NetModel;
use crate::source::{SourceMap, Span};

pub static RULE: Rule = crate::rule!("EC2002", check);

/// Credential patterns: what each finds, and the regex whose group 1 (or whole match) is the secret.
fn patterns() -> &'static [(&'static str, Regex)] {
    static P: OnceLock<Vec<(&'static str, Regex)>> = OnceLock::new();
    P.get_or_init(|| {
        [
            ("an AWS access key id", r"\b((?:AKIA|ASIA)[A-Z0-9]{16})\b"),
            ("an AWS secret access key", r#"(?i)aws_secret_access_key["']?(?:\s*[=:]\s*|\s+)["']?([A-Za-z0-9/+=]{40})\b"#),
            ("a private key", r"(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----|LS0tLS1CRUdJTi[A-Za-z0-9+/]*UFJJVkFURSBLRVkt)"),
            (
                "a password",
                r#"(?i)(?:\b[a-z0-9_]*(?:password|passwd|pwd)[a-z0-9_]*["']?\s*[=:]\s*|--password[ =])["']?([^\s"'$`;&|)(<>{}]{4,})"#,
            ),
        ]
        .into_iter()
        .filter_map(|(what, re)| Regex::new(re).ok().map(|r| (what, r)))
        .collect()
    })
}

/// The text of user data, decoded when it is base64 in source.
fn text_of(v: &Val, base64: bool) -> Option<String> {
    let s = v.as_str()?.into_owned();
    if !base64 {
        return Some(s);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// The span of `secret` inside the value's source text, when it is written there literally.
fn locate(sources: Option<&SourceMap>, v: &Val, secret: &str) -> Span {
    let Some(map) = sources else { return v.span };
    let file = map.get(v.span.file);
    let text = file.text.get(v.span.range()).unwrap_or("");
    match text.find(secret) {
        Some(i) => Span::new(
            v.span.file,
            v.span.start as usize + i,
            v.span.start as usize + i + secret.len(),
        ),
        None => v.span,
    }
}

fn check(m: &NetModel, cx: &mut Ctx) {
    for l in launches(m.resources) {
        for (v, base64) in &l.user_data {
            let Some(text) = text_of(v, *base64) else {
                continue;
            };
            for (what, re) in patterns() {
                let Some(c) = re.captures(&text) else {
                    continue;
                };
                let secret = c.get(1).or_else(|| c.get(0)).map_or("", |g| g.as_str());
                let span = if *base64 {
                    v.span
                } else {
                    locate(m.sources, v, secret)
                };
                cx.report(
                    &RULE,
                    At {
                        span,
                        label: format!("{what} in user data"),
                        resource: l.resource.address.clone(),
                        resource_span: l.resource.span,
                    },
                    format!(
                        "user data of {} contains {what} written into the source; fetch it at boot from Secrets Manager or SSM Parameter Store instead",
                        l.resource.address
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&'static str> {
        patterns()
            .iter()
            .filter(|(_, re)| re.is_match(text))
            .map(|(w, _)| *w)
            .collect()
    }

    #[test]
    fn finds_credentials_not_references() {
        assert_eq!(
            found("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"),
            vec!["an AWS access key id"]
        );
        assert_eq!(
            found(
                "aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
            ),
            vec!["an AWS secret access key"]
        );
        assert_eq!(
            found("-----BEGIN RSA PRIVATE KEY-----\nMIIE"),
            vec!["a private key"]
        );
        assert_eq!(found("DB_PASSWORD=hunter2hunter2"), vec!["a password"]);
        assert_eq!(found("mysql --password=s3cretpw"), vec!["a password"]);
        assert!(found("DB_PASSWORD=$(aws secretsmanager get-secret-value)").is_empty());
        assert!(found("DB_PASSWORD=\"${db_password}\"").is_empty());
        assert!(found("echo 'reset your password tomorrow'").is_empty());
    }
}
