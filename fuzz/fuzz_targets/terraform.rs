//! The Terraform evaluator on a root module and a child module it calls: the input is split
//! at the first NUL byte into the root's `main.tf` and the child's `main.tf`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sgcheck::settings::Settings;
use sgcheck::source::SourceMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (root, child) = text.split_once('\0').unwrap_or((text, ""));
    let sources = SourceMap::default();
    let files = [
        sources.add("/nonexistent/fuzz/main.tf".into(), root),
        sources.add("/nonexistent/fuzz/modules/child/main.tf".into(), child),
    ];
    let _ = sgcheck::frontend::terraform::lower(&files, &sources, &Settings::default());
});
