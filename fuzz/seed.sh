#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seed inputs from fixtures/ and the shared corpus.
# Usage: fuzz/seed.sh [CORPUS_DIR]   (default: ../shared/corpus next to the repository)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
shared=${1:-$repo/../shared/corpus}
out=$here/corpus
mkdir -p "$out"/{hcl,terraform,tree,cfn}
copy() { # copy DEST FILE...: files under 64 KiB, named by content hash
  local dest=$1; shift
  for f in "$@"; do
    [ "$(stat -c %s "$f")" -le 65536 ] || continue
    cp "$f" "$out/$dest/$(sha1sum "$f" | cut -c1-16)"
  done
}
mapfile -t tf < <(find "$repo/fixtures" "$repo/tests" "$shared" -name '*.tf' 2>/dev/null | sort)
mapfile -t yj < <(find "$repo/fixtures" "$repo/tests" "$shared" \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.template' \) 2>/dev/null | sort)
copy hcl "${tf[@]}"
copy terraform "${tf[@]}"
copy tree "${yj[@]}"
# only files that look like templates exercise the intrinsic evaluator
mapfile -t cfn < <(grep -l -E 'AWSTemplateFormatVersion|AWS::' "${yj[@]}" 2>/dev/null || true)
copy cfn "${cfn[@]}"
for t in hcl terraform tree cfn; do echo "$t: $(ls "$out/$t" | wc -l) seeds"; done
