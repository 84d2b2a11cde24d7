//! The Terraform frontend over the real-world corpus and the acceptance scenarios.

mod shared;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use sgcheck::frontend::terraform::lower;
use sgcheck::ir::{Lowered, Value};
use sgcheck::settings::Settings;
use sgcheck::source::{SourceFile, SourceMap};

fn is_tf(p: &Path) -> bool {
    let n = p.to_string_lossy();
    [".tf", ".tf.json", ".tfvars", ".tfvars.json"]
        .iter()
        .any(|s| n.ends_with(s))
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if is_tf(&p) {
            out.push(p);
        }
    }
}

fn load(root: &Path) -> Option<(SourceMap, Vec<Arc<SourceFile>>)> {
    let mut paths = Vec::new();
    collect(root, &mut paths);
    if paths.is_empty() {
        return None;
    }
    paths.sort();
    let sources = SourceMap::default();
    let files = paths
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some(sources.add(p, text))
        })
        .collect();
    Some((sources, files))
}

fn check_spans(sources: &SourceMap, out: &Lowered) {
    for d in &out.errors {
        let f = sources.get(d.span.file);
        assert!(d.span.start <= d.span.end && d.span.end as usize <= f.text.len());
    }
}

#[test]
#[ignore = "reads ../shared beside the repository: cargo test -- --include-ignored"]
fn corpus_lowers_without_panics() {
    let (sources, files) = load(&shared::dir("corpus")).expect("corpus files");
    let started = Instant::now();
    let out = lower(&files, &sources, &Settings::default());
    eprintln!(
        "corpus: {} files, {} resources, {} errors, {} modules not analysed, {:?} in {:?}",
        files.len(),
        out.resources.len(),
        out.errors.len(),
        out.modules_not_analysed.len(),
        out.unknowns,
        started.elapsed()
    );
    check_spans(&sources, &out);
    for d in &out.errors {
        let f = sources.get(d.span.file);
        let lc = f.line_col(d.span.start as usize);
        eprintln!(
            "  {}:{}:{}: {}",
            f.display_path(),
            lc.line,
            lc.column,
            d.message
        );
    }
    assert!(!out.resources.is_empty());
}

fn scenario(name_prefix: &str) -> (SourceMap, Lowered) {
    let dir = std::fs::read_dir(shared::dir("scenarios"))
        .expect("scenarios")
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(name_prefix))
        })
        .expect("scenario");
    let (sources, files) = load(&dir).expect("scenario files");
    let out = lower(&files, &sources, &Settings::default());
    (sources, out)
}

#[test]
#[ignore = "reads ../shared beside the repository: cargo test -- --include-ignored"]
fn scenarios_lower_without_errors() {
    let entries = std::fs::read_dir(shared::dir("scenarios")).expect("scenarios");
    for dir in entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
        let Some((sources, files)) = load(&dir) else {
            continue;
        };
        // the analysed tree is the module's repository (`examples/x` calls `../../`)
        let settings = Settings {
            root: dir.parent().and_then(|d| d.parent()).map(PathBuf::from),
            ..Settings::default()
        };
        let out = lower(&files, &sources, &settings);
        check_spans(&sources, &out);
        assert!(out.errors.is_empty(), "{}: {:?}", dir.display(), out.errors);
        assert!(!out.resources.is_empty(), "{}", dir.display());
    }
}

/// The first ingress CIDR of `aws_security_group.admin` (scenarios 26 and 27).
fn admin_ingress_cidr(out: &sgcheck::ir::Lowered) -> &sgcheck::ir::Val {
    let sg = out
        .resources
        .iter()
        .find(|r| r.address == "aws_security_group.admin")
        .expect("security group lowered");
    &sg.attr("ingress")
        .and_then(|v| v.as_list())
        .expect("ingress list")[0]
        .get("cidr_blocks")
        .and_then(|v| v.as_list())
        .expect("cidr list")[0]
}

#[test]
#[ignore = "reads ../shared beside the repository: cargo test -- --include-ignored"]
fn scenario_27_cidr_has_variable_default_origin() {
    let (sources, out) = scenario("27-");
    let cidr = admin_ingress_cidr(&out);
    assert_eq!(cidr.as_str().as_deref(), Some("0.0.0.0/0"));
    let use_file = sources.get(cidr.span.file);
    assert_eq!(&use_file.text[cidr.span.range()], "var.ssh_allowed_cidr");
    let origin = &cidr.origins[0];
    assert_eq!(
        &*origin.message,
        "value comes from variable 'ssh_allowed_cidr' default"
    );
    let def_file = sources.get(origin.span.file);
    assert_eq!(&def_file.text[origin.span.range()], "\"0.0.0.0/0\"");
}

#[test]
#[ignore = "reads ../shared beside the repository: cargo test -- --include-ignored"]
fn scenario_26_cidr_is_unknown() {
    let (_, out) = scenario("26-");
    let cidr = admin_ingress_cidr(&out);
    match &cidr.value {
        Value::Unknown(u) => assert_eq!(u.reason, "variable 'ssh_allowed_cidr' has no value"),
        other => panic!("expected unknown, got {other:?}"),
    }
    assert_eq!(out.unknowns.get("variable without value"), Some(&1));
}

/// Attributes holding the CIDRs of security group rules.
const CIDR_KEYS: &[&str] = &["cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"];

/// Reasons of the unknown CIDRs inside `v` (`cidr`: `v` is under a CIDR attribute).
fn unknown_cidrs(v: &sgcheck::ir::Val, cidr: bool, out: &mut Vec<String>, depth: usize) {
    if depth > 32 {
        return;
    }
    match &v.value {
        Value::Unknown(u) if cidr => out.push(u.reason.clone()),
        Value::List(l) => l
            .iter()
            .for_each(|x| unknown_cidrs(x, cidr, out, depth + 1)),
        Value::Map(m) => m
            .iter()
            .for_each(|(k, x)| unknown_cidrs(x, CIDR_KEYS.contains(&k.as_str()), out, depth + 1)),
        _ => {}
    }
}

#[test]
#[ignore = "reads ../shared beside the repository: cargo test -- --include-ignored"]
fn module_examples_leave_only_provider_data_cidrs_unknown() {
    let repos = std::fs::read_dir(shared::dir("corpus")).expect("corpus");
    let mut examples: Vec<PathBuf> = repos
        .flatten()
        .filter(|r| {
            r.file_name()
                .to_string_lossy()
                .starts_with("terraform-aws-modules+")
        })
        .filter_map(|r| std::fs::read_dir(r.path().join("examples")).ok())
        .flat_map(|dirs| dirs.flatten().map(|d| d.path()))
        .collect();
    examples.sort();
    assert!(!examples.is_empty());
    let mut rules = 0;
    for dir in examples {
        let Some((sources, files)) = load(&dir) else {
            continue;
        };
        // the analysed tree is the module's repository (`examples/x` calls `../../`)
        let settings = Settings {
            root: dir.parent().and_then(|d| d.parent()).map(PathBuf::from),
            ..Settings::default()
        };
        let out = lower(&files, &sources, &settings);
        check_spans(&sources, &out);
        assert!(out.errors.is_empty(), "{}: {:?}", dir.display(), out.errors);
        for r in out
            .resources
            .iter()
            .filter(|r| r.kind.contains("security_group"))
        {
            rules += 1;
            let mut reasons = Vec::new();
            for (k, v) in &r.attrs {
                unknown_cidrs(v, CIDR_KEYS.contains(&k.as_str()), &mut reasons, 0);
            }
            for why in reasons {
                let provider_data = why.contains("is read at plan time")
                    || why.contains("is not analysed")
                    || why.contains("computed at apply")
                    || why.contains("is known only after apply");
                assert!(provider_data, "{} {}: {why}", dir.display(), r.address);
            }
        }
    }
    assert!(rules > 200, "{rules} security groups and rules");
}
