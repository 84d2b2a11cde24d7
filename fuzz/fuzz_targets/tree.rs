//! The YAML/JSON tree builder: the same bytes read as YAML and as JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sgcheck::budget::Budget;
use sgcheck::frontend::tree::{parse_json, parse_yaml};
use sgcheck::source::SourceMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let sources = SourceMap::default();
    let file = sources.add("/nonexistent/fuzz/template.yaml".into(), text);
    let _ = parse_yaml(&file, &Budget::new(u64::MAX));
    let _ = parse_json(&file);
});
