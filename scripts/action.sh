#!/usr/bin/env bash
# Runs sgcheck for the GitHub Action (action.yml); inputs arrive as INPUT_* variables.
set -euo pipefail

bin="${SGCHECK_BIN:-sgcheck}"
paths=()
IFS=$' \t\n' read -r -d '' -a paths <<<"${INPUT_PATHS:-.}" || true
if [ "${#paths[@]}" -eq 0 ]; then
    paths=(.)
fi

common=()
if [ -n "${INPUT_CONFIG:-}" ]; then
    common+=(--config "$INPUT_CONFIG")
fi

if [ -n "${INPUT_SARIF_FILE:-}" ]; then
    # the SARIF file is for code scanning; the run below decides the step's outcome
    "$bin" lint "${common[@]}" --format sarif --fail-on never --output "$INPUT_SARIF_FILE" \
        -- "${paths[@]}" || true
fi

status=0
"$bin" lint "${common[@]}" --format "${INPUT_FORMAT:-github}" --fail-on "${INPUT_FAIL_ON:-warning}" \
    -- "${paths[@]}" || status=$?
if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "exit-code=$status" >>"$GITHUB_OUTPUT"
fi
exit "$status"
