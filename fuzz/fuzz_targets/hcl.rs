//! The HCL frontend: one `.tf` file parsed and evaluated as a root module.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sgcheck::settings::Settings;
use sgcheck::source::SourceMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let sources = SourceMap::default();
    let file = sources.add("/nonexistent/fuzz/main.tf".into(), text);
    let _ = sgcheck::frontend::terraform::lower(&[file], &sources, &Settings::default());
});
