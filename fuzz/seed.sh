#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seed inputs from fixtures/ and the shared corpus.
# Usage: fuzz/seed.sh [CORPUS_DIR]   (default: ../shared/corpus next to the repository)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
shared=${1:-$repo/../shared/corpus}
out=$here/corpus
mkdir -p "$out"/{hcl,terraform,tree,cfn,pipeline}
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
# pipeline: a root module calling ./child, the child, a YAML and a JSON template, NUL-separated
pick() { # pick ARRAY_NAME I: the I-th file of the array, cycling
  local -n list=$1
  echo "${list[$(($2 % ${#list[@]}))]}"
}
for i in $(seq 0 199); do
  seed=$out/pipeline/seed-$i
  {
    cat "$(pick tf "$i")"
    printf '\nmodule "c" {\n  source = "./child"\n}\n\0'
    cat "$(pick tf $((i * 7 + 3)))"
    printf '\0'
    cat "$(pick cfn "$i")"
    printf '\0'
    cat "$(pick cfn $((i * 5 + 1)))"
  } > "$seed"
  [ "$(stat -c %s "$seed")" -le 65536 ] || rm "$seed"
done
for t in hcl terraform tree cfn pipeline; do echo "$t: $(ls "$out/$t" | wc -l) seeds"; done
