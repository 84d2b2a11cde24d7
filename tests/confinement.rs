//! Hostile file-system input: nothing outside the analysed tree is read, nothing blocks or
//! reads without bound, and nothing is dropped without a record. Every input is made here.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Text planted outside the scanned tree and in the environment: it must never be output.
const CANARY: &str = "CANARY-7f3e9d1c";

/// An open SSH ingress (SG001) in group `name`, with `extra` attributes in the group.
fn open_ssh(name: &str, extra: &str) -> String {
    format!(
        r#"resource "aws_security_group" "{name}" {{
  {extra}
  ingress {{
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
"#
    )
}

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, content).unwrap();
    path
}

/// A scratch directory holding `outside/canary.txt` and a git work tree `repo/`.
fn scratch() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "outside/canary.txt", CANARY);
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    (dir, repo)
}

/// Runs sgcheck in `cwd` with `args`, the canary in its environment, standard input closed.
fn sgcheck(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sgcheck"))
        .args(args)
        .current_dir(cwd)
        .env("SECRET_TOKEN", CANARY)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// `lint` of `.` in `cwd` in every format: (exit code, output) each; none shows the canary.
fn lint_all_formats(cwd: &Path, extra: &[&str]) -> Vec<(i32, String)> {
    ["human", "json", "sarif", "github"]
        .iter()
        .map(|format| {
            let mut args = vec!["lint", ".", "--format", format];
            args.extend(extra);
            let out = sgcheck(cwd, &args);
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stdout.contains(CANARY), "{format}: {stdout}");
            assert!(!stderr.contains(CANARY), "{format}: {stderr}");
            (out.status.code().unwrap_or(-1), stdout)
        })
        .collect()
}

fn json(cwd: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["lint"];
    all.extend(args);
    all.extend(["--format", "json"]);
    let out = sgcheck(cwd, &all);
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), doc)
}

/// `(file, reason)` of each skipped entry.
fn skipped(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let field = |k: &str| s[k].as_str().unwrap_or_default().to_string();
            (field("file"), field("reason"))
        })
        .collect()
}

fn messages(doc: &serde_json::Value, list: &str) -> Vec<String> {
    doc[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                e["file"].as_str().unwrap_or_default(),
                e["message"]
            )
        })
        .collect()
}

/// The SG001 findings, as `rule resource`.
fn rules(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "SG001")
        .map(|f| {
            format!(
                "{} {}",
                f["rule"].as_str().unwrap(),
                f["resource"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn path_functions_never_read_outside_the_tree() {
    let (_scratch, repo) = scratch();
    write(&repo, "files/motd.txt", "welcome");
    let reads = [
        r#"description = file("/etc/passwd")"#,
        r#"name = file("../outside/canary.txt")"#,
        r#"name_prefix = templatefile("${path.module}/../outside/canary.txt", {})"#,
        r#"tags = { leak = join(";", [for kv in split("\u0000", file("/proc/self/environ")) : kv if startswith(kv, "SECRET")]) }"#,
        r#"revoke_rules_on_delete = fileexists("/etc/passwd")"#,
    ];
    let mut tf = String::new();
    for (i, read) in reads.iter().enumerate() {
        tf.push_str(&open_ssh(&format!("g{i}"), read));
    }
    // inside the tree, through `..` and a module-relative path: read
    tf.push_str(&open_ssh(
        "motd",
        r#"description = file("files/../files/motd.txt")"#,
    ));
    write(&repo, "main.tf", tf);
    for (code, _) in lint_all_formats(&repo, &[]) {
        assert_eq!(code, 1);
    }
    let (_, doc) = json(&repo, &["."]);
    // every group is still judged on its own values
    for i in 0..reads.len() {
        assert!(
            rules(&doc).contains(&format!("SG001 aws_security_group.g{i}")),
            "{:?}",
            rules(&doc)
        );
    }
    let unknowns = &doc["summary"]["unknowns"];
    assert_eq!(unknowns["path outside the analysed tree"], 5, "{unknowns}");
    // the one inside is read
    assert!(unknowns.get("invalid expression").is_none(), "{unknowns}");
}

#[cfg(unix)]
#[test]
fn links_out_of_the_tree_are_recorded_and_never_read() {
    use std::os::unix::fs::symlink;
    let (scratch, repo) = scratch();
    let canary = scratch.path().join("outside/canary.txt");
    write(
        &repo,
        "main.tf",
        open_ssh("root", "") + "module \"m\" {\n  source = \"./m\"\n}\n",
    );
    write(&repo, "m/main.tf", open_ssh("child", ""));
    // a parse error would print the file's first line in its snippet
    symlink(&canary, repo.join("m/leak.tf")).unwrap();
    symlink(&canary, repo.join("top.tf")).unwrap();
    symlink("/proc/self/pagemap", repo.join("m/pagemap.tf")).unwrap();
    // a link to a file inside the tree is followed, by the walk and the module loader alike
    write(&repo, "shared/extra.tf", open_ssh("shared", ""));
    symlink(repo.join("shared/extra.tf"), repo.join("m/extra.tf")).unwrap();
    symlink(repo.join("shared/extra.tf"), repo.join("extra.tf")).unwrap();
    for (code, _) in lint_all_formats(&repo, &[]) {
        assert_eq!(code, 1);
    }
    let (_, doc) = json(&repo, &["."]);
    let expected_rules = [
        "SG001 aws_security_group.root",
        "SG001 aws_security_group.shared",
        "SG001 module.m.aws_security_group.child",
        "SG001 module.m.aws_security_group.shared",
    ];
    for r in expected_rules {
        assert!(rules(&doc).contains(&r.to_string()), "{:?}", rules(&doc));
    }
    let outside = "symbolic link: path leaves the analysed tree".to_string();
    assert_eq!(
        skipped(&doc),
        vec![
            ("m/leak.tf".to_string(), outside.clone()),
            ("m/pagemap.tf".to_string(), outside.clone()),
            ("top.tf".to_string(), outside),
        ]
    );
    assert!(messages(&doc, "errors").is_empty(), "{doc}");
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn special_files_never_block_or_fill_memory() {
    let (_scratch, repo) = scratch();
    write(
        &repo,
        "main.tf",
        open_ssh("web", r#"description = file("pipe.txt")"#),
    );
    mkfifo(&repo.join("pipe.txt"));
    mkfifo(&repo.join("fifo.tf"));
    let (code, doc) = json(&repo, &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        skipped(&doc),
        vec![(
            "fifo.tf".to_string(),
            "a FIFO, not a regular file".to_string()
        )]
    );
    assert_eq!(doc["summary"]["unknowns"]["invalid expression"], 1);
    // files named on the command line: refused with a message, exit 2
    let fifo = repo.join("fifo.tf");
    let fifo = fifo.to_str().unwrap();
    for (option, path) in [
        ("--var-file", "/dev/zero"),
        ("--var-file", fifo),
        ("--config", "/dev/zero"),
        ("--config", fifo),
        ("--baseline", "/dev/zero"),
        ("--baseline", fifo),
        ("--parameters", "/dev/zero"),
        ("--parameters", fifo),
    ] {
        let out = sgcheck(&repo, &["lint", ".", option, path, "--format", "json"]);
        assert_eq!(out.status.code(), Some(2), "{option} {path}");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(all.contains("not a regular file"), "{option} {path}: {all}");
    }
    // a path argument that is not a file or directory
    for path in ["/dev/zero", fifo] {
        let out = sgcheck(&repo, &["lint", path]);
        assert_eq!(out.status.code(), Some(2), "{path}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("not a regular file or directory"),
            "{stdout}"
        );
    }
}

#[test]
fn nested_path_arguments_give_the_output_of_the_outer_one() {
    let (_scratch, repo) = scratch();
    write(&repo, "infra/main.tf", open_ssh("web", ""));
    write(&repo, "infra/prod/main.tf", open_ssh("prod", ""));
    let once = sgcheck(&repo, &["lint", ".", "--format", "json"]);
    for args in [
        &[".", "infra"][..],
        &["infra", "."],
        &[".", "infra/prod", "./infra/../infra"],
        &[".", "infra/prod/main.tf"],
    ] {
        let mut all = vec!["lint"];
        all.extend(args);
        all.extend(["--format", "json"]);
        let out = sgcheck(&repo, &all);
        assert_eq!(out.stdout, once.stdout, "{args:?}");
        assert_eq!(out.status.code(), Some(1));
    }
}

#[test]
fn scanned_directories_calling_each_other_are_analysed() {
    let (_scratch, repo) = scratch();
    write(
        &repo,
        "a/main.tf",
        open_ssh("a", "") + "module \"b\" {\n  source = \"../b\"\n}\n",
    );
    write(
        &repo,
        "b/main.tf",
        open_ssh("b", "") + "module \"a\" {\n  source = \"../a\"\n}\n",
    );
    let (code, doc) = json(&repo, &["."]);
    assert_eq!(code, 2);
    let found = rules(&doc);
    assert!(
        found.contains(&"SG001 aws_security_group.a".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"SG001 module.b.aws_security_group.b".to_string()),
        "{found:?}"
    );
    let errors = messages(&doc, "errors");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("b/main.tf: "), "{errors:?}");
    assert!(errors[0].contains("module recursion"), "{errors:?}");
}

#[test]
fn unreadable_child_module_files_are_reported() {
    let (_scratch, repo) = scratch();
    write(
        &repo,
        "live/main.tf",
        open_ssh("root", "") + "module \"m\" {\n  source = \"../modules/m\"\n}\n",
    );
    write(&repo, "live/.sgcheck.toml", "max_file_size = 2000\n");
    write(&repo, "modules/m/main.tf", open_ssh("child", ""));
    write(&repo, "modules/m/latin.tf", b"# caf\xe9\n");
    write(
        &repo,
        "modules/m/big.tf",
        format!("# {}\n{}", "x".repeat(3000), open_ssh("big", "")),
    );
    let live = repo.join("live");
    let (code, doc) = json(&live, &["."]);
    assert_eq!(code, 2);
    let errors = messages(&doc, "errors");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("../modules/m/big.tf: "), "{errors:?}");
    assert!(errors[0].contains("over the 2000 byte limit"), "{errors:?}");
    assert_eq!(
        errors[1],
        "../modules/m/latin.tf: \"file is not valid UTF-8\""
    );
    assert!(rules(&doc).contains(&"SG001 module.m.aws_security_group.child".to_string()));
}

#[test]
fn module_sources_leaving_the_tree_are_not_followed() {
    let (scratch, repo) = scratch();
    write(
        &scratch.path().join("outside/m"),
        "main.tf",
        open_ssh("x", ""),
    );
    write(
        &repo,
        "main.tf",
        open_ssh("root", "") + "module \"m\" {\n  source = \"../outside/m\"\n}\n",
    );
    let (code, doc) = json(&repo, &["."]);
    assert_eq!(code, 1);
    assert_eq!(rules(&doc), vec!["SG001 aws_security_group.root"]);
    let not_analysed = &doc["summary"]["modules_not_analysed"];
    assert_eq!(not_analysed.as_array().map(Vec::len), Some(1));
    assert_eq!(
        not_analysed[0]["reason"],
        "module 'm' (source \"../outside/m\") is not analysed: path leaves the analysed tree"
    );
}

#[test]
fn odd_file_names_are_analysed() {
    let (_scratch, repo) = scratch();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xff.tf");
        std::fs::write(repo.join(name), open_ssh("latin", "")).unwrap();
    }
    write(&repo, "tabs\u{1b}[2J.tf", open_ssh("esc", ""));
    let (code, doc) = json(&repo, &["."]);
    assert_eq!(code, 1);
    let found = rules(&doc);
    assert!(found.contains(&"SG001 aws_security_group.esc".to_string()));
    #[cfg(unix)]
    assert!(found.contains(&"SG001 aws_security_group.latin".to_string()));
}

#[test]
fn files_above_the_repository_do_not_change_the_result() {
    let (scratch, repo) = scratch();
    write(&repo, "main.tf", open_ssh("web", ""));
    write(scratch.path(), ".sgcheck.toml", "exclude = [\"**\"]\n");
    write(scratch.path(), ".gitignore", "*.tf\n");
    // the user's global git excludes
    let home = scratch.path().join("home");
    write(
        &home,
        ".gitconfig",
        "[core]\n\texcludesFile = ~/.gitignore_global\n",
    );
    write(&home, ".gitignore_global", "*.tf\n");
    write(&home, ".config/git/ignore", "*.tf\n");
    let out = Command::new(env!("CARGO_BIN_EXE_sgcheck"))
        .args(["lint", ".", "--format", "json"])
        .current_dir(&repo)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules(&doc), vec!["SG001 aws_security_group.web"]);
    // the repository's own ignore files apply, unless --no-ignore
    write(&repo, ".gitignore", "main.tf\n");
    let (code, doc) = json(&repo, &["."]);
    assert_eq!((code, doc["summary"]["files"].as_u64()), (0, Some(0)));
    let (code, doc) = json(&repo, &[".", "--no-ignore"]);
    assert_eq!((code, rules(&doc).len()), (1, 1));
}

#[test]
fn an_explicit_root_confines_reads() {
    let (_scratch, repo) = scratch();
    write(&repo, "modules/m/main.tf", open_ssh("child", ""));
    write(
        &repo,
        "live/main.tf",
        "module \"m\" {\n  source = \"../modules/m\"\n}\n",
    );
    let (_, doc) = json(&repo, &["live"]);
    assert_eq!(rules(&doc), vec!["SG001 module.m.aws_security_group.child"]);
    let (_, doc) = json(&repo, &["live", "--root", "live"]);
    assert!(rules(&doc).is_empty(), "{doc}");
    let out = sgcheck(&repo, &["lint", "modules", "--root", "live"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("is outside --root"));
}

#[cfg(target_os = "linux")]
#[test]
fn a_report_that_cannot_be_written_fails_the_run() {
    let (_scratch, repo) = scratch();
    write(&repo, "main.tf", open_ssh("web", ""));
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sgcheck"))
        .args(["lint", "."])
        .current_dir(&repo)
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the report"));
    let out = sgcheck(&repo, &["lint", ".", "--output", "/dev/full"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write /dev/full"));
}
