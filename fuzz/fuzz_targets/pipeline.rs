//! The whole pipeline on a small repository written from the input: walk, read, both
//! frontends, model, rules, suppressions, and every output format. The input is split at NUL
//! bytes into a root module's `main.tf`, a child module's `main.tf` (called as `./child`),
//! `template.yaml`, `template.json` and `plan.json`. Besides not crashing, no output may
//! hold a raw control or bidi character that came from the input.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sgcheck::report::{render, Format};
use sgcheck::settings::Settings;

/// The repository the inputs are written to, one per fuzzing process.
fn repo() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("sgcheck-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(dir.join(".git")).expect("fuzz repository");
        std::fs::create_dir_all(dir.join("child")).expect("fuzz repository");
        dir
    })
}

const FILES: [&str; 5] = [
    "main.tf",
    "child/main.tf",
    "template.yaml",
    "template.json",
    "plan.json",
];

/// A character no output may hold raw: C0 controls other than newline and tab, DEL, C1
/// controls, and the bidi overrides and isolates.
fn forbidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fuzz_target!(|data: &[u8]| {
    let dir = repo();
    let mut parts = data.split(|b| *b == 0);
    for name in FILES {
        std::fs::write(dir.join(name), parts.next().unwrap_or_default()).expect("write input");
    }
    let report = sgcheck::lint(std::slice::from_ref(dir), &Settings::default());
    for format in [Format::Human, Format::Json, Format::Sarif, Format::Github] {
        let out = render(&report, format, false);
        if let Some(c) = out.chars().find(|c| forbidden(*c)) {
            panic!("{format:?} output holds a raw {c:?}");
        }
    }
    let _ = render(&report, Format::Human, true);
});
