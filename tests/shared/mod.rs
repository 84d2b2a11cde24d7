//! The shared acceptance data beside the repository (`../shared`: the public corpus and the
//! acceptance scenarios). It is not part of the repository, so the tests that read it are
//! `#[ignore]`d by default and run with `cargo test -- --include-ignored` (as `.ci/run` does);
//! run that way, missing data fails the test instead of passing it unseen.

use std::path::{Path, PathBuf};

/// `../shared/<name>`; panics when it is not there.
pub fn dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(name);
    assert!(
        dir.is_dir(),
        "{} is missing: this test reads the shared data beside the repository",
        dir.display()
    );
    dir
}
