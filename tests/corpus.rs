//! The public corpus (`../shared/corpus`): linting it never panics, every finding
//! and error points inside its file, and the run finishes with a contract exit code.

mod shared;

#[test]
#[ignore = "reads ../shared beside the repository: cargo test -- --include-ignored"]
fn corpus_lints_with_spans_inside_files() {
    let root = shared::dir("corpus");
    let report = sgcheck::lint(&[root], &sgcheck::settings::Settings::default());
    let files = report.sources.files();
    let inside = |s: sgcheck::source::Span| {
        let f = &files[s.file.0 as usize];
        s.start <= s.end && (s.end as usize) <= f.text.len()
    };
    assert!(
        report.files > 3000,
        "the corpus has thousands of files, linted {}",
        report.files
    );
    for f in &report.findings {
        assert!(inside(f.span), "{} span outside its file", f.rule);
        for r in &f.related {
            assert!(inside(r.span), "{} related span outside its file", f.rule);
        }
    }
    for e in &report.errors {
        assert!(inside(e.span), "error span outside its file: {}", e.message);
        assert!(!e.message.is_empty());
    }
    for s in &report.skipped {
        assert!(inside(s.span), "skip span outside its file: {}", s.reason);
    }
    let code = sgcheck::report::exit_code(&report, Some(sgcheck::finding::Severity::Warning));
    assert!((0..=2).contains(&code));
    eprintln!(
        "corpus: {} files, {} resources, {} findings, {} errors, {} skipped",
        report.files,
        report.resources,
        report.findings.len(),
        report.errors.len(),
        report.skipped.len()
    );
}
