//! The CloudFormation frontend and its intrinsic evaluator, on YAML and JSON templates.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sgcheck::settings::Settings;
use sgcheck::source::SourceMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let sources = SourceMap::default();
    let settings = Settings::default();
    for name in ["template.yaml", "template.json"] {
        let file = sources.add(format!("/nonexistent/fuzz/{name}").into(), text);
        let _ = sgcheck::frontend::cloudformation::lower_file(&file, &settings);
    }
});
