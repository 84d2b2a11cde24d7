#!/usr/bin/env bash
# Checks the pre-commit hook (.pre-commit-hooks.yaml) with the real pre-commit framework from
# PyPI: `pre-commit try-repo` of this repository must fail on a Terraform file that opens SSH to
# the internet, showing the finding, and pass on one that does not. pre-commit builds the hook
# with `cargo install` (language: rust), so this needs PyPI and crates.io, nothing else.
# Work files go to target/ci (SGCHECK_CI_DIR overrides).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${SGCHECK_CI_DIR:-$repo/target/ci}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

venv="$work/pre-commit-venv"
if [ ! -x "$venv/bin/pre-commit" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'pre-commit>=4,<5'
fi
# try-repo installs the hook into a new temporary store each time; a shared target directory
# (never target/release) lets the second run reuse the first one's build, which is unoptimised
# since it only lints two small files here.
export CARGO_TARGET_DIR="$work/hook-target"
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0

# try_hook NAME FIXTURE_DIR: copies the fixture into a new git repository and runs the hook
# there on its files; prints pre-commit's output to $work/NAME.log and returns its exit status.
try_hook() {
    local dir="$work/$1"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp -R "$repo/$2/." "$dir/"
    (
        cd "$dir"
        git init -q .
        git add -A
        "$venv/bin/pre-commit" try-repo "$repo" sgcheck --files main.tf
    ) >"$work/$1.log" 2>&1
}

if try_hook bad tests/data/hooks/open-ssh; then
    cat "$work/bad.log" >&2
    echo "check-pre-commit: the hook passed on an open SSH rule" >&2
    exit 1
fi
if ! grep -q "SG001" "$work/bad.log" || ! grep -q "Failed" "$work/bad.log"; then
    cat "$work/bad.log" >&2
    echo "check-pre-commit: the hook failed without reporting SG001" >&2
    exit 1
fi
if ! try_hook good tests/data/hooks/closed-ssh; then
    cat "$work/good.log" >&2
    echo "check-pre-commit: the hook failed on a clean file" >&2
    exit 1
fi
grep -q "Passed" "$work/good.log" || {
    cat "$work/good.log" >&2
    echo "check-pre-commit: pre-commit did not report the hook as passed" >&2
    exit 1
}
echo "check-pre-commit: pre-commit try-repo fails on the open SSH rule and passes on the clean one"
