#!/usr/bin/env bash
# Benchmarks sgcheck: the shared corpus, a one-file run, and synthetic repositories of
# 1k/10k/100k resources (wall time by hyperfine, peak RSS by /usr/bin/time -v); with
# --peers, checkov, trivy and cfn-lint on the same corpus when they are on PATH
# (scripts/peers.py).
#
# Usage: scripts/bench.sh [--peers] [--sizes "1000 10000 100000"] [--corpus DIR]
# Needs: hyperfine, GNU time (/usr/bin/time), python3.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
corpus=$repo/../shared/corpus
sizes="1000 10000 100000"
peers=false
while [ $# -gt 0 ]; do
  case $1 in
    --peers) peers=true ;;
    --sizes) sizes=$2; shift ;;
    --corpus) corpus=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -d "$corpus" ] || { echo "no corpus at $corpus (use --corpus DIR)" >&2; exit 2; }
for tool in hyperfine /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done

(cd "$repo" && cargo build --release --quiet)
bin=$repo/target/release/sgcheck
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# peak RSS (MB) and wall seconds of one run
rss() {
  /usr/bin/time -f '%M %e' -o "$work/time" "$@" >/dev/null 2>&1 || true
  # GNU time may prefix "Command exited with non-zero status N"
  kb=$(tail -1 "$work/time" | cut -d' ' -f1); secs=$(tail -1 "$work/time" | cut -d' ' -f2)
  echo "peak RSS $((kb / 1024)) MB, wall ${secs}s"
}

echo "## machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"

echo "## corpus: $corpus"
hyperfine -N -i -w 1 -r 10 --export-json "$work/corpus.json" \
  "$bin lint $corpus --format json"
echo "corpus: $(rss "$bin" lint "$corpus" --format json)"

one=$(find "$corpus" -name '*.tf' -size -8k | sort | head -1 || true)
if [ -n "$one" ]; then
  echo "## one file: $one"
  hyperfine -N -i -w 3 -r 30 "$bin lint $one --format json"
fi

echo "## synthetic series"
for n in $sizes; do
  dir=$work/syn$n
  python3 "$repo/scripts/gen_synthetic.py" "$n" "$dir" >/dev/null
  runs=$(( n >= 100000 ? 3 : 10 ))
  hyperfine -N -i -w 1 -r "$runs" --export-json "$work/syn$n.json" \
    "$bin lint $dir --format json" | grep -E 'Time|Range'
  echo "N=$n: $(rss "$bin" lint "$dir" --format json)"
  rm -rf "$dir"
done

if $peers; then
  echo "## peers (see ../shared/bench/README.md)"
  python3 "$repo/scripts/peers.py" "$bin" "$corpus"
fi
