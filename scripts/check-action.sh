#!/usr/bin/env bash
# Runs the GitHub Action's script (scripts/action.sh) locally as action.yml does, with the
# action's inputs as INPUT_* variables, and checks its exit code, its step output, its
# annotations and the SARIF file it writes.
# Usage: scripts/check-action.sh [SGCHECK_BIN]   (default: target/release/sgcheck)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(realpath "${1:-$repo/target/release/sgcheck}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fail() {
    echo "check-action: $*" >&2
    echo "--- action log" >&2
    cat "$work/log" >&2 || true
    exit 1
}

# run_action EXPECTED_EXIT PATHS FAIL_ON [CONFIG]: one run of the action's step, from the repo root
run_action() {
    local expected="$1" paths="$2" fail_on="$3" config="${4:-}"
    rm -f "$work/out.sarif" "$work/github-output"
    local status=0
    (
        cd "$repo"
        SGCHECK_BIN="$bin" INPUT_PATHS="$paths" INPUT_FORMAT=github INPUT_FAIL_ON="$fail_on" \
            INPUT_SARIF_FILE="$work/out.sarif" INPUT_CONFIG="$config" \
            GITHUB_OUTPUT="$work/github-output" bash scripts/action.sh
    ) >"$work/log" 2>&1 || status=$?
    [ "$status" = "$expected" ] || fail "paths '$paths', fail-on $fail_on: exit $status, expected $expected"
    grep -qx "exit-code=$expected" "$work/github-output" || fail "no exit-code=$expected step output"
    [ -s "$work/out.sarif" ] || fail "no SARIF file written"
}

# sarif_rules: the sorted rule ids of the results in the SARIF file, one a line
sarif_rules() {
    python3 - "$work/out.sarif" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
assert log["version"] == "2.1.0", log["version"]
(run,) = log["runs"]
for rule in sorted({r["ruleId"] for r in run["results"]}):
    print(rule)
PY
}

bad="fixtures/scenarios/05-cfn-public-subnet-ssh
fixtures/scenarios/22-tf-sg-rule-without-egress tests/data/hooks/open-ssh"

# findings at error level fail the step, with annotations and the SARIF file for code scanning
run_action 1 "$bad" error
grep -q '^::error file=fixtures/scenarios/05-cfn-public-subnet-ssh/bastion.yaml,line=[0-9]*,col=[0-9]*,.*title=SG001 open-admin-port::' "$work/log" \
    || fail "no SG001 annotation for the CloudFormation fixture"
grep -q '^::error file=tests/data/hooks/open-ssh/main.tf,line=12,' "$work/log" \
    || fail "no annotation for the Terraform fixture"
grep -qx SG001 <<<"$(sarif_rules)" || fail "SARIF has no SG001 result"

# fail-on never: the same findings, a green step, the SARIF file still written
run_action 0 "$bad" never
grep -qx NET003 <<<"$(sarif_rules)" || fail "SARIF has no NET003 result"

# a clean tree passes with an empty SARIF run
run_action 0 tests/data/hooks/closed-ssh warning
[ -z "$(sarif_rules)" ] || fail "results on the clean fixture"
[ ! -s "$work/log" ] || fail "annotations on the clean fixture"

# the config input reaches sgcheck
printf '[rules]\ndisable = ["SG001"]\n' >"$work/sgcheck.toml"
run_action 0 tests/data/hooks/open-ssh error "$work/sgcheck.toml"

# unreadable input is exit 2 whatever fail-on says
run_action 2 "tests/data/hooks/missing" never

echo "check-action: the action script passed 5 runs"
