#!/usr/bin/env python3
"""Times sgcheck against checkov, trivy and cfn-lint on the same corpus, in the same run.

The corpus is copied into a Terraform part and a CloudFormation part (a repository folder
goes to the part whose files it holds), so every tool reads exactly the same files. Each
round runs every command once, in turn, so the machine's noise falls on all tools alike;
the report gives per command the median wall time, the median CPU time and the largest
peak RSS (GNU time), and each peer's median as a multiple of sgcheck's on the same part.

Usage: scripts/peers.py SGCHECK CORPUS [--rounds N] [--only TOOL[:PART],...] [--json OUT]
Peers are taken from PATH (install them as ../shared/bench/README.md describes); a missing
one is left out and named.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
# trivy looks up every remote module in the Terraform registry; with no network those
# lookups hang until its 5-minute timeout. A closed local proxy makes them fail at once.
NO_NETWORK = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}


def split_corpus(corpus, into):
    """Copies each top-level folder of `corpus` into `into/terraform` or
    `into/cloudformation`; returns the two paths."""
    parts = {p: os.path.join(into, p) for p in ("terraform", "cloudformation")}
    for p in parts.values():
        os.makedirs(p)
    for name in sorted(os.listdir(corpus)):
        src = os.path.join(corpus, name)
        if not os.path.isdir(src):
            continue
        tf = any(
            f.endswith((".tf", ".tf.json", ".tfvars"))
            for _, _, files in os.walk(src)
            for f in files
        )
        shutil.copytree(src, os.path.join(parts["terraform" if tf else "cloudformation"], name))
    return parts["terraform"], parts["cloudformation"]


def commands(sgcheck, corpus, tf, cfn, one):
    """(tool, part, argv, cwd, extra env) for every measurement; the whole corpus only for
    sgcheck (the peers each read one part)."""
    out = [
        ("sgcheck", "whole corpus", [sgcheck, "lint", corpus, "--format", "json"], None, {}),
        ("sgcheck", "terraform", [sgcheck, "lint", tf, "--format", "json"], None, {}),
        ("sgcheck", "cloudformation", [sgcheck, "lint", cfn, "--format", "json"], None, {}),
        ("sgcheck", "one-file", [sgcheck, "lint", one, "--format", "json"], None, {}),
    ]
    if shutil.which("checkov"):
        ck = ["checkov", "--compact", "--skip-download", "-o", "json", "--quiet"]
        out += [
            ("checkov", "terraform", ck + ["--framework", "terraform", "-d", tf], None, {}),
            ("checkov", "cloudformation", ck + ["--framework", "cloudformation", "-d", cfn], None, {}),
            ("checkov", "one-file", ck + ["-f", one], None, {}),
        ]
    if shutil.which("trivy"):
        tv = ["trivy", "config", "--skip-check-update", "-f", "json"]
        out += [
            ("trivy", "terraform", tv + [tf], None, NO_NETWORK),
            ("trivy", "cloudformation", tv + [cfn], None, NO_NETWORK),
            ("trivy", "one-file", tv + [one], None, NO_NETWORK),
        ]
    if shutil.which("cfn-lint"):
        globs = ["**/*" + s for s in TEMPLATE_SUFFIXES]
        out.append(("cfn-lint", "cloudformation", ["cfn-lint", "--format", "json", "--"] + globs, cfn, {}))
    return out


def timed(argv, cwd, env):
    """(wall s, user+sys s, peak RSS MB, exit code) of one run. Wall time is taken here
    (GNU time rounds to 10 ms); it includes GNU time's own start, about a millisecond."""
    with tempfile.NamedTemporaryFile("r") as t:
        full = ["/usr/bin/time", "-f", "%U %S %M", "-o", t.name] + argv
        start = time.perf_counter()
        code = subprocess.run(
            full, cwd=cwd, env={**os.environ, **env},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ).returncode
        wall = time.perf_counter() - start
        user, system, kb = t.read().strip().splitlines()[-1].split()
    return wall, float(user) + float(system), int(kb) / 1024, code


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sgcheck")
    ap.add_argument("corpus")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", help="comma-separated tools (or tool:part, e.g. checkov:one-file) "
                    "to run besides sgcheck")
    ap.add_argument("--json", help="also write the raw runs here")
    args = ap.parse_args()
    sgcheck = os.path.abspath(args.sgcheck)
    for peer in ("checkov", "trivy", "cfn-lint"):
        if not shutil.which(peer):
            print(f"{peer} is not on PATH: left out", file=sys.stderr)
    with tempfile.TemporaryDirectory() as work:
        tf, cfn = split_corpus(args.corpus, work)
        one = os.path.join(work, "one.tf")
        with open(one, "w") as f:
            f.write('resource "aws_security_group" "ssh" {\n  ingress {\n    from_port   = 22\n'
                    '    to_port     = 22\n    protocol    = "tcp"\n'
                    '    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n')
        cmds = commands(sgcheck, os.path.abspath(args.corpus), tf, cfn, one)
        if args.only:
            keep = {"sgcheck", *args.only.split(",")}
            cmds = [c for c in cmds if c[0] in keep or f"{c[0]}:{c[1]}" in keep]
        runs = {(tool, part): [] for tool, part, *_ in cmds}
        for r in range(args.rounds):
            for tool, part, argv, cwd, env in cmds:
                # sgcheck's runs are short: take several per round and keep them all
                for _ in range(5 if tool == "sgcheck" else 1):
                    runs[(tool, part)].append(timed(argv, cwd, env))
                last = runs[(tool, part)][-1]
                print(f"round {r + 1}: {tool:9} {part:15} {last[0]:9.3f} s wall  exit {last[3]}",
                      file=sys.stderr, flush=True)
            # the figures so far, so that an interrupted run still leaves them
            if args.json:
                with open(args.json, "w") as f:
                    json.dump({f"{t}|{p}": v for (t, p), v in runs.items()}, f, indent=1)
    report(runs, args.rounds)


def report(runs, rounds):
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"machine: {os.cpu_count()} cores, {cpu}; {rounds} rounds")
    print("| tool | part | median wall | median CPU | peak RSS | exit codes | × sgcheck (wall) |")
    print("|---|---|---|---|---|---|---|")
    for (tool, part), rs in runs.items():
        wall = statistics.median(r[0] for r in rs)
        base = statistics.median(r[0] for r in runs[("sgcheck", part)])
        ratio = "" if tool == "sgcheck" else f"{wall / max(base, 1e-3):,.0f}×"
        codes = ",".join(sorted({str(r[3]) for r in rs}))
        print(f"| {tool} | {part} | {wall:.3f} s | {statistics.median(r[1] for r in rs):.3f} s "
              f"| {max(r[2] for r in rs):.0f} MB | {codes} | {ratio} |")


if __name__ == "__main__":
    main()
