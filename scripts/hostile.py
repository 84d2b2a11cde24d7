#!/usr/bin/env python3
"""Measures sgcheck on hostile input: every scanned file is written by an attacker.

Each class below writes its input into a fresh temporary directory at run time, runs sgcheck on
it (once per output format unless the class says otherwise) under an address-space cap and a
hard timeout, and judges every run on:

- exit code at most 2 (101, a panic, fails; so does death by a signal, the cap or the timeout);
- wall time under 10 s and peak RSS under 1 GB;
- no secret in any output: a file outside the scanned tree holds a random token (and a file
  named with it), the child's environment holds SECRET_CANARY=<another token>, and the first
  entry of /etc/passwd counts too;
- no raw control character in stdout or stderr: C0 controls but tab and newline, DEL, C1
  controls (as UTF-8, or as bare bytes 0x80-0x9F), bidi embeddings, overrides and isolates;
- JSON and SARIF output, when there is any, is one valid JSON document;
- the class's own expectation (written in its docstring after "Expected:"): a record of the
  file not analysed in `skipped`/`errors`, exit code 2, a finding still reported, or identical
  reports.

After a run that times out, dies, or exceeds the time or memory limit, the class's remaining
runs are not made (the class has failed already).

Usage: python3 scripts/hostile.py SGCHECK [--only CLASS|GROUP ...] [--list]
                                  [--timeout SECONDS] [--keep]
Exit status 1 when any class fails. A Markdown table of the results closes the output.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Callable, Iterator

FORMATS = ("json", "human", "sarif", "github")  # json first: the expectations read it
WALL_LIMIT_S = 10.0
RSS_LIMIT_MB = 1024.0
DEFAULT_TIMEOUT_S = 60.0
ADDRESS_SPACE_CAP = 4 << 30  # keeps the machine safe; hitting it kills the child (a fail)
OUTPUT_CAP = 256 << 20  # largest file the child may write (stdout included)
PIPE = "{pipe}"  # in an argument: /proc/self/fd/N of a pipe holding Invocation.pipe_input

# Characters a terminal or a log viewer may act on. Undecodable bytes 0x80-0x9F (C1 controls
# on an 8-bit terminal) decode to the surrogates U+DC80-U+DC9F under surrogateescape.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\udc80-\udc9f]")


# --------------------------------------------------------------------------------------------
# Secrets, places and runs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Canary:
    """Secrets that must never reach an output."""

    file_token: str
    env_token: str

    @classmethod
    def new(cls) -> Canary:
        return cls(secrets.token_hex(12), secrets.token_hex(12))

    @property
    def content(self) -> str:
        """The outside file: a value, then a line no HCL, TOML, YAML or JSON parser accepts,
        so that it leaks as a value or in a parse-error snippet."""
        return f'secret = "CANARY-{self.file_token}"\n}} CANARY-{self.file_token} {{\n'

    @cached_property
    def markers(self) -> list[tuple[str, bytes]]:
        """(what leaked, bytes to look for)."""
        found = [
            ("outside file", self.file_token.encode()),
            ("outside file as base64", base64.b64encode(self.content.encode())),
            ("SECRET_CANARY from the environment", self.env_token.encode()),
        ]
        passwd = first_passwd_entry()
        if passwd:
            found.append(("/etc/passwd", passwd))
        return found


def first_passwd_entry() -> bytes | None:
    """`root:x:0:0:` or whatever /etc/passwd starts with (its first four fields)."""
    try:
        first = Path("/etc/passwd").read_bytes().split(b"\n", 1)[0]
    except OSError:
        return None
    fields = first.split(b":")
    return b":".join(fields[:4]) + b":" if len(fields) > 4 else None


@dataclass
class Ctx:
    """The private directory of one class: `repo/` is scanned (and is the working directory),
    `outside/` beside it holds the canary file, `home/` is the child's HOME."""

    root: Path
    canary: Canary

    def __post_init__(self) -> None:
        for d in (self.repo, self.outside, self.home):
            d.mkdir(parents=True)
        self.canary_file.write_text(self.canary.content)
        (self.outside / f"listing-{self.canary.file_token}.txt").write_text("")

    @property
    def repo(self) -> Path:
        return self.root / "repo"

    @property
    def outside(self) -> Path:
        return self.root / "outside"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def canary_file(self) -> Path:
        return self.outside / "canary.txt"

    def path(self, rel: str | Path) -> Path:
        """`rel` under the scanned tree (an absolute path stays as it is), parents created."""
        p = self.repo / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def write(self, rel: str | Path, content: str | bytes) -> Path:
        p = self.path(rel)
        if isinstance(content, str):
            content = content.encode()
        p.write_bytes(content)
        return p

    def symlink(self, rel: str | Path, target: str | Path) -> Path:
        p = self.path(rel)
        p.symlink_to(target)
        return p

    def fifo(self, rel: str | Path) -> Path:
        p = self.path(rel)
        os.mkfifo(p)
        return p

    def git_init(self, rel: str | Path = ".") -> None:
        """Makes a directory a git work tree (an empty `.git` when git is not installed)."""
        p = self.path(rel)
        p.mkdir(parents=True, exist_ok=True)
        if shutil.which("git") is None:
            (p / ".git").mkdir()
            return
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(self.home),
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        subprocess.run(["git", "init", "-q", str(p)], env=env, check=True)


@dataclass
class Invocation:
    """One sgcheck run: `sgcheck lint ARGS`."""

    label: str
    args: list[str]
    fmt: str | None = None  # the output format, for the JSON validity check
    cwd: Path | None = None  # default: the scanned tree
    stdout_to: str | None = None  # a path to send stdout to instead of capturing it
    pipe_input: bytes | None = None  # content of the pipe named by PIPE in args


@dataclass
class Run:
    """What one invocation did."""

    label: str
    fmt: str | None
    exit: int | None  # None when killed by a signal
    signal: int | None
    timed_out: bool
    wall: float
    rss_mb: float
    stdout: bytes
    stderr: bytes

    @property
    def status(self) -> str:
        if self.timed_out:
            return "timeout"
        if self.signal is not None:
            return signal.Signals(self.signal).name
        return str(self.exit)

    @property
    def clean_exit(self) -> bool:
        return not self.timed_out and self.signal is None

    @cached_property
    def doc(self) -> dict | None:
        """Standard output as a JSON document, if it is one."""
        try:
            return json.loads(self.stdout) if self.clean_exit else None
        except ValueError:
            return None

    @property
    def over_limits(self) -> bool:
        """The class fails whatever its other runs do."""
        return (
            not self.clean_exit
            or self.exit == 101
            or self.wall >= WALL_LIMIT_S
            or self.rss_mb >= RSS_LIMIT_MB
        )


Runs = dict[str, Run]
Check = Callable[[Runs], list[str]]


@dataclass
class Case:
    """A prepared hostile input: the runs to make and what they must show beyond the limits."""

    invocations: list[Invocation]
    expect: Check | None = None
    env: dict[str, str] = field(default_factory=dict)


def lint(
    *args: str | Path,
    expect: Check | None = None,
    env: dict[str, str] | None = None,
    formats: tuple[str, ...] = FORMATS,
    **how,
) -> Case:
    """`sgcheck lint ARGS --format F` for each format F."""
    base = [str(a) for a in args]
    return Case(
        [Invocation(f, [*base, "--format", f], fmt=f, **how) for f in formats],
        expect,
        env or {},
    )


@dataclass(frozen=True)
class HostileClass:
    name: str
    group: str
    doc: str
    build: Callable[[Ctx], Case]

    @property
    def summary(self) -> str:
        return " ".join(self.doc.split("\n\n")[0].split())

    @property
    def expected(self) -> str:
        at = self.doc.find("Expected:")
        return " ".join(self.doc[at:].split()) if at >= 0 else ""


CLASSES: list[HostileClass] = []


def register(name: str, group: str, doc: str, build: Callable[[Ctx], Case]) -> None:
    assert all(c.name != name for c in CLASSES), name
    CLASSES.append(HostileClass(name, group, doc, build))


def hostile(group: str):
    """Registers the decorated builder as a class named after it (dashes for underscores)."""

    def add(build: Callable[[Ctx], Case]) -> Callable[[Ctx], Case]:
        register(build.__name__.replace("_", "-"), group, build.__doc__ or "", build)
        return build

    return add


# --------------------------------------------------------------------------------------------
# Expectations beyond the limits
# --------------------------------------------------------------------------------------------


def json_report(runs: Runs) -> dict | None:
    run = runs.get("json")
    return run.doc if run else None


def records(doc: dict) -> list[dict]:
    """Entries that tell of something not analysed."""
    summary = doc.get("summary") or {}
    return [
        *doc.get("errors", []),
        *doc.get("skipped", []),
        *summary.get("modules_not_analysed", []),
    ]


def mentions(entry: dict, name: str) -> bool:
    return any(name in str(entry.get(k, "")) for k in ("file", "message", "reason"))


def exit_code(*codes: int) -> Check:
    """Every run exits with one of `codes`."""
    wanted = " or ".join(map(str, codes))

    def check(runs: Runs) -> list[str]:
        return [
            f"[{label}] exit {r.status}, expected {wanted}"
            for label, r in runs.items()
            if r.exit not in codes
        ]

    return check


def record_naming(name: str) -> Check:
    """The JSON report's skipped/errors name the file not analysed."""

    def check(runs: Runs) -> list[str]:
        doc = json_report(runs)
        if doc is None:
            return ["no JSON report"]
        if any(mentions(e, name) for e in records(doc)):
            return []
        return [f"no skipped/errors entry names {name!r}"]

    return check


def some_record(runs: Runs) -> list[str]:
    """The JSON report's skipped/errors are not empty."""
    doc = json_report(runs)
    if doc is None:
        return ["no JSON report"]
    return [] if records(doc) else ["skipped and errors are empty"]


def finding(rule: str) -> Check:
    """The JSON report holds a finding of `rule`."""

    def check(runs: Runs) -> list[str]:
        doc = json_report(runs)
        if doc is None:
            return ["no JSON report"]
        if any(f.get("rule") == rule for f in doc.get("findings", [])):
            return []
        return [f"no {rule} finding in the JSON report"]

    return check


def shown_in_human(rule: str) -> Check:
    """The human report shows a finding of `rule`."""

    def check(runs: Runs) -> list[str]:
        run = runs.get("human")
        if run is None or rule.encode() not in run.stdout:
            return [f"the human report does not show {rule}"]
        return []

    return check


def explained(runs: Runs) -> list[str]:
    """The JSON run says why: an entry in errors/skipped, or a message on stderr."""
    run, doc = runs.get("json"), json_report(runs)
    if (doc and records(doc)) or (run and run.stderr.strip()):
        return []
    return ["no message: JSON errors/skipped and stderr are empty"]


def not_silent(runs: Runs) -> list[str]:
    """Never "no findings" with exit 0: a finding or an error, and a non-zero exit code."""
    doc = json_report(runs)
    if doc is None:
        return ["no JSON report"]
    if not (doc.get("findings") or doc.get("errors")):
        return ["no finding and no error (silent loss)"]
    return [f"[{label}] exit 0" for label, r in runs.items() if r.exit == 0]


def errors_empty(runs: Runs) -> list[str]:
    """The JSON report's `errors` list is empty."""
    doc = json_report(runs)
    if doc is None:
        return ["no JSON report"]
    return ["errors is not empty"] if doc.get("errors") else []


def identical_stdout(labels: list[str]) -> Check:
    """The runs named print byte-identical reports."""

    def check(runs: Runs) -> list[str]:
        first = runs[labels[0]].stdout
        return [
            f"[{label}] output differs from [{labels[0]}]"
            for label in labels[1:]
            if runs[label].stdout != first
        ]

    return check


def all_of(*checks: Check) -> Check:
    return lambda runs: [p for c in checks for p in c(runs)]


def any_of(*checks: Check) -> Check:
    def check(runs: Runs) -> list[str]:
        failed = [c(runs) for c in checks]
        if any(not f for f in failed):
            return []
        return [" or ".join("; ".join(f) for f in failed)]

    return check


# --------------------------------------------------------------------------------------------
# Input builders shared by the classes
# --------------------------------------------------------------------------------------------

OPEN_SSH_INGRESS = """  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
"""


def sg_tf(name: str = "web", body: str = "") -> str:
    """An `aws_security_group` with an open SSH ingress; `body` goes inside the block."""
    head = f'resource "aws_security_group" "{name}" {{\n  vpc_id = "vpc-0123456789abcdef0"\n'
    return f"{head}{body}{OPEN_SSH_INGRESS}}}\n"


def module_call(name: str, source: str, extra: str = "") -> str:
    return f'module "{name}" {{\n  source = "{source}"\n{extra}}}\n'


def leaking(expr: str) -> str:
    """Attributes that print `expr` if anything does: name, description, a tag."""
    return f"  name        = {expr}\n  description = {expr}\n  tags        = {{ Name = {expr} }}\n"


def sg_yaml(
    logical: str = "Web", description: str = "web", extra: str = "", condition: str = ""
) -> str:
    """A CloudFormation security group (YAML, under `Resources:`) with an open SSH ingress;
    `extra` lines go under its properties."""
    return (
        f"  {logical}:\n"
        "    Type: AWS::EC2::SecurityGroup\n"
        + (f"    Condition: {condition}\n" if condition else "")
        + "    Properties:\n"
        f"      GroupDescription: {description}\n"
        "      VpcId: vpc-0123456789abcdef0\n"
        "      SecurityGroupIngress:\n"
        "        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0, Description: ssh}\n"
        f"{extra}"
    )


def template_yaml(resources: str, head: str = "") -> str:
    return f'AWSTemplateFormatVersion: "2010-09-09"\n{head}Resources:\n{resources}'


def sg_json(i: int) -> dict:
    """A CloudFormation security group (JSON) with an open SSH ingress."""
    return {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {
            "GroupDescription": f"group {i}",
            "VpcId": "vpc-0123456789abcdef0",
            "SecurityGroupIngress": [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 22,
                    "ToPort": 22,
                    "CidrIp": "0.0.0.0/0",
                    "Description": "ssh",
                }
            ],
        },
    }


def minified(doc: dict) -> str:
    return json.dumps(doc, separators=(",", ":"))


def quoted(s: str, dialect: str) -> str:
    """`s` as a double-quoted `hcl` or `yaml` string with every control and non-ASCII character
    escaped: `\\uXXXX`, or in YAML `\\e` for ESC and `\\xXX` below U+0100."""
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isascii() and ch.isprintable():
            out.append(ch)
        elif dialect == "yaml" and ch == "\x1b":
            out.append("\\e")
        elif dialect == "yaml" and ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    text = "".join(out)
    if dialect == "hcl":  # no template sequences
        text = text.replace("${", "$${").replace("%{", "%%{")
    return f'"{text}"'


# ESC clear-screen, CR, BEL, an OSC-8 hyperlink, a C1 CSI and a right-to-left override.
INJECTION = "\x1b[2J\r\x07\x1b]8;;http://x\x1b\\text\x1b]8;;\x1b\\\u009b31m\u202eevil"


# --------------------------------------------------------------------------------------------
# Secrets leak
# --------------------------------------------------------------------------------------------


@hostile("secrets")
def secret_passwd(ctx: Ctx) -> Case:
    """`file("/etc/passwd")` in a security group's name, description and tag.

    Expected: no byte of /etc/passwd in any output."""
    ctx.write("main.tf", sg_tf(body=leaking('file("/etc/passwd")')))
    return lint(".")


@hostile("secrets")
def secret_environ(ctx: Ctx) -> Case:
    """`file("/proc/self/environ")`, whole and filtered to SECRET* entries with a `for`.

    Expected: SECRET_CANARY's value in no output."""
    whole = 'file("/proc/self/environ")'
    filtered = f'join(";", [for kv in split("\\u0000", {whole}) : kv if startswith(kv, "SECRET")])'
    body = f"  name = {filtered}\n  description = {whole}\n  tags = {{ Name = {filtered} }}\n"
    ctx.write("main.tf", sg_tf(body=body))
    return lint(".")


@hostile("secrets")
def secret_relative_path(ctx: Ctx) -> Case:
    """`file()` with `../` paths out of the tree, from the root module and a child module.

    Expected: the canary file's content in no output."""
    ctx.write(
        "main.tf", sg_tf(body=leaking('file("../outside/canary.txt")')) + module_call("m", "./m")
    )
    child = leaking('file("${path.module}/../../outside/canary.txt")')
    ctx.write(
        "m/main.tf",
        sg_tf("child", child) + sg_tf("child2", leaking('file("../../outside/canary.txt")')),
    )
    return lint(".")


@hostile("secrets")
def secret_absolute_path(ctx: Ctx) -> Case:
    """`file()` with the absolute path of a file outside the tree.

    Expected: the canary file's content in no output."""
    ctx.write("main.tf", sg_tf(body=leaking(f'file("{ctx.canary_file}")')))
    return lint(".")


@hostile("secrets")
def secret_templatefile(ctx: Ctx) -> Case:
    """`templatefile()` of a file outside the tree (relative and absolute).

    Expected: the canary file's content in no output."""
    body = leaking('templatefile("../outside/canary.txt", {})')
    ctx.write(
        "main.tf",
        sg_tf(body=body) + sg_tf("abs", leaking(f'templatefile("{ctx.canary_file}", {{}})')),
    )
    return lint(".")


@hostile("secrets")
def secret_filebase64(ctx: Ctx) -> Case:
    """`filebase64()` of a file outside the tree.

    Expected: the canary file's content, plain or base64, in no output."""
    body = leaking('filebase64("../outside/canary.txt")')
    ctx.write(
        "main.tf", sg_tf(body=body) + sg_tf("abs", leaking(f'filebase64("{ctx.canary_file}")'))
    )
    return lint(".")


@hostile("secrets")
def secret_fileset(ctx: Ctx) -> Case:
    """`fileset()` listing a directory outside the tree (one file there is named with the token).

    Expected: the outside directory's listing in no output."""
    body = leaking('join(",", fileset("../outside", "*"))')
    abs_body = leaking(f'join(",", fileset("{ctx.outside}", "**"))')
    ctx.write("main.tf", sg_tf(body=body) + sg_tf("abs", abs_body))
    return lint(".")


@hostile("secrets")
def secret_fileexists(ctx: Ctx) -> Case:
    """`count = fileexists(<outside file>) ? 1 : 0`: leaks one bit, which is accepted.

    Expected: no error (exit 0 or 1, `errors` empty)."""
    count = f'  count = fileexists("{ctx.canary_file}") ? 1 : 0\n'
    rel = '  count = fileexists("../outside/canary.txt") ? 1 : 0\n'
    ctx.write("main.tf", sg_tf(body=count) + sg_tf("rel", rel))
    return lint(".", expect=all_of(exit_code(0, 1), errors_empty))


def module_with_link(ctx: Ctx, target: str | Path) -> Case:
    """`lint app`, where app calls the module `m` beside it, whose `x.tf` is a symlink to
    `target` (only the module loader reads it: the walk does not see `m`)."""
    ctx.write("app/main.tf", sg_tf() + module_call("m", "../m"))
    ctx.write("m/main.tf", sg_tf("child"))
    ctx.symlink("m/x.tf", target)
    return lint("app")


@hostile("secrets")
def secret_module_symlink(ctx: Ctx) -> Case:
    """A child module whose `x.tf` is a symlink to the outside file.

    Expected: the canary file's content in no output (not even in a parse-error snippet)."""
    return module_with_link(ctx, ctx.canary_file)


@hostile("secrets")
def secret_scanned_symlink(ctx: Ctx) -> Case:
    """A scanned top-level `x.tf` that is a symlink to the outside file.

    Expected: the canary file's content in no output."""
    ctx.write("main.tf", sg_tf())
    ctx.symlink("x.tf", ctx.canary_file)
    return lint(".")


@hostile("secrets")
def secret_tfvars_symlink(ctx: Ctx) -> Case:
    """An automatically read `terraform.tfvars` that is a symlink to the outside file, whose
    `secret` value names a security group.

    Expected: the canary file's content in no output."""
    ctx.write(
        "main.tf",
        'variable "secret" {\n  default = "placeholder"\n}\n' + sg_tf(body="  name = var.secret\n"),
    )
    ctx.symlink("terraform.tfvars", ctx.canary_file)
    return lint(".")


@hostile("secrets")
def secret_config_symlink(ctx: Ctx) -> Case:
    """A `.sgcheck.toml` in the tree that is a symlink to the outside file.

    Expected: the canary file's content in no output."""
    ctx.write("main.tf", sg_tf())
    ctx.symlink(".sgcheck.toml", ctx.canary_file)
    return lint(".")


@hostile("secrets")
def config_above_repo(ctx: Ctx) -> Case:
    """A `.sgcheck.toml` with `exclude = ["**"]` in the directory above a git repository.

    Expected: not honoured; the repository's SG001 finding is still reported."""
    ctx.git_init()
    ctx.write("main.tf", sg_tf())
    ctx.write(ctx.root / ".sgcheck.toml", 'exclude = ["**"]\n')
    return lint(".", expect=finding("SG001"))


# --------------------------------------------------------------------------------------------
# Hangs and memory
# --------------------------------------------------------------------------------------------


def read_special(path: str, ctx: Ctx) -> Case:
    ctx.write("main.tf", sg_tf(body=f'  description = file("{path}")\n'))
    return lint(".")


for _path in ("/proc/kmsg", "/proc/self/pagemap", "/dev/zero", "/dev/urandom"):
    register(
        "read-" + _path.strip("/").replace("/self", "").replace("/", "-"),
        "hangs",
        f'`file("{_path}")`: endless, blocking or unreadable.\n\nExpected: a bounded, prompt run.',
        partial(read_special, _path),
    )


@hostile("hangs")
def fifo_scanned(ctx: Ctx) -> Case:
    """A FIFO named `x.tf` in the scanned tree (no writer ever comes).

    Expected: no hang, and a skipped/errors entry naming x.tf."""
    ctx.write("main.tf", sg_tf())
    ctx.fifo("x.tf")
    return lint(".", expect=record_naming("x.tf"))


@hostile("hangs")
def fifo_file_function(ctx: Ctx) -> Case:
    """`file()` of a FIFO in the tree (no writer ever comes).

    Expected: a bounded, prompt run."""
    ctx.fifo("pipe.txt")
    body = '  description = file("${path.module}/pipe.txt")\n  name = file("pipe.txt")\n'
    ctx.write("main.tf", sg_tf(body=body))
    return lint(".")


def option_file(option: str, special: str, ctx: Ctx) -> Case:
    """`lint . OPTION PATH` where PATH is /dev/zero or a FIFO without a writer."""
    ctx.write("main.tf", sg_tf())
    ctx.write("stack.yaml", template_yaml(sg_yaml()))
    if special == "fifo":
        path = ctx.fifo(ctx.root / "input.fifo")
        return lint(".", option, path)
    return lint(".", option, special, expect=exit_code(2))


for _option in ("--var-file", "--config", "--baseline", "--parameters"):
    register(
        f"{_option[2:]}-dev-zero",
        "hangs",
        f"`{_option} /dev/zero`: an endless file.\n\nExpected: exit 2 (an unreadable file).",
        partial(option_file, _option, "/dev/zero"),
    )
    register(
        f"{_option[2:]}-fifo",
        "hangs",
        f"`{_option}` naming a FIFO that no one writes.\n\nExpected: a bounded, prompt run.",
        partial(option_file, _option, "fifo"),
    )


@hostile("hangs")
def module_symlink_pagemap(ctx: Ctx) -> Case:
    """A child module's `.tf` that is a symlink to /proc/self/pagemap (reports size 0, reads
    without end).

    Expected: a bounded, prompt run."""
    return module_with_link(ctx, "/proc/self/pagemap")


@dataclass(frozen=True)
class Doubling:
    """Locals a0 … aN where each level doubles (or so) the previous one."""

    name: str
    through: str
    seed: str
    step: Callable[[str], str]  # expression of the next level from the previous one
    levels: int = 30
    use: Callable[[str], str] = lambda last: last  # the description attribute's value


DOUBLINGS = [
    Doubling(
        "double-interpolation", "string interpolation", '"x"', lambda p: f'"${{{p}}}${{{p}}}"'
    ),
    Doubling("double-join", "join()", '"x"', lambda p: f'join("", [{p}, {p}])'),
    Doubling("double-format", "format()", '"x"', lambda p: f'format("%s%s", {p}, {p})'),
    Doubling("double-replace", "replace()", '"x"', lambda p: f'replace({p}, "x", "xx")'),
    Doubling(
        "double-base64encode",
        "base64encode() (x4/3 a level, 80 levels)",
        '"x"',
        lambda p: f"base64encode({p})",
        levels=80,
    ),
    Doubling(
        "double-heredoc",
        "heredoc templates",
        '"x"',
        lambda p: f"<<-EOT\n    ${{{p}}}${{{p}}}\n  EOT",
    ),
    Doubling(
        "double-for-directive",
        "%{for} template directives",
        '"x"',
        lambda p: f'"%{{ for i in [0, 1] }}${{{p}}}%{{ endfor }}"',
    ),
    Doubling(
        "double-concat",
        "concat() of lists (elements, not bytes)",
        '["x"]',
        lambda p: f"concat({p}, {p})",
        use=lambda last: f'"${{length({last})}}"',
    ),
]


def doubling_case(d: Doubling, ctx: Ctx) -> Case:
    lines = [f"  a0 = {d.seed}"]
    lines += [f"  a{i + 1} = {d.step(f'local.a{i}')}" for i in range(d.levels)]
    locals_block = "locals {\n" + "\n".join(lines) + "\n}\n"
    ctx.write(
        "main.tf", locals_block + sg_tf(body=f"  description = {d.use(f'local.a{d.levels}')}\n")
    )
    return lint(".")


for _d in DOUBLINGS:
    register(
        _d.name,
        "hangs",
        f"{_d.levels} locals, each doubling the last through {_d.through}.\n\nExpected: a bounded,"
        " prompt run (the value is cut off or unknown).",
        partial(doubling_case, _d),
    )


@hostile("hangs")
def yaml_alias_1mb(ctx: Ctx) -> Case:
    """A 1 MB scalar anchor aliased 5,000 times in a CloudFormation template.

    Expected: a bounded, prompt run (aliases are not expanded into 5 GB)."""
    tags = "".join(f"        - {{Key: t{i}, Value: *big}}\n" for i in range(5000))
    big = '&big "' + "x" * (1 << 20) + '"'
    ctx.write("stack.yaml", template_yaml(sg_yaml(description=big, extra="      Tags:\n" + tags)))
    return lint(".")


@hostile("hangs")
def yaml_billion_laughs(ctx: Ctx) -> Case:
    """Nine levels of anchors, each a list of ten aliases of the previous (10^9 leaves).

    Expected: a bounded, prompt run."""
    levels = ['  l0: &l0 "lol"\n']
    levels += [f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 10)]
    head = "Metadata:\n" + "".join(levels)
    ctx.write("stack.yaml", template_yaml(sg_yaml(extra="      Tags: *l9\n"), head))
    return lint(".")


BIG_PARAMETER = "Parameters:\n  Big:\n    Type: String\n    Default: " + "y" * (1 << 20) + "\n"


@hostile("hangs")
def cfn_join_nested(ctx: Ctx) -> Case:
    """`!Join` nested four deep, ten copies a level, over a 1 MB parameter default (10 GB).

    Expected: a bounded, prompt run."""
    expr = "!Ref Big"
    for _ in range(4):
        expr = '!Join ["", [' + ", ".join([expr] * 10) + "]]"
    ctx.write("stack.yaml", template_yaml(sg_yaml(description=expr), BIG_PARAMETER))
    return lint(".")


@hostile("hangs")
def cfn_sub_nested(ctx: Ctx) -> Case:
    """`!Sub` nested six deep, each substituting ten copies of the level below, over a 1 MB
    parameter default (10^12 bytes).

    Expected: a bounded, prompt run."""
    expr = "!Ref Big"
    for _ in range(6):
        expr = '!Sub ["' + "${V}" * 10 + '", {V: ' + expr + "}]"
    ctx.write("stack.yaml", template_yaml(sg_yaml(description=expr), BIG_PARAMETER))
    return lint(".")


@hostile("hangs")
def modules_count_nested(ctx: Ctx) -> Case:
    """Three nested local modules, each called with `count = 100`; the innermost holds
    security groups (10^6 module instances).

    Expected: a bounded, prompt run (instances capped, with a record)."""
    count = "  count  = 100\n"
    ctx.write("main.tf", module_call("l1", "./l1", count))
    ctx.write("l1/main.tf", module_call("l2", "./l2", count))
    ctx.write("l1/l2/main.tf", module_call("l3", "./l3", count))
    ctx.write("l1/l2/l3/main.tf", sg_tf("a") + sg_tf("b"))
    return lint(".")


@hostile("hangs")
def dynamic_nested(ctx: Ctx) -> Case:
    """`dynamic` blocks nested three deep, each over 1,000 items, the outer one a `setproduct`
    (10^9 blocks).

    Expected: a bounded, prompt run."""
    ctx.write(
        "main.tf",
        """resource "aws_security_group" "web" {
  vpc_id = "vpc-0123456789abcdef0"
  dynamic "ingress" {
    for_each = setproduct(range(1000), ["tcp"])
    content {
      from_port   = ingress.value[0]
      to_port     = ingress.value[0]
      protocol    = ingress.value[1]
      cidr_blocks = ["0.0.0.0/0"]
      dynamic "nested" {
        for_each = range(1000)
        content {
          dynamic "deeper" {
            for_each = range(1000)
            content {
              value = deeper.value
            }
          }
        }
      }
    }
  }
}
""",
    )
    return lint(".")


@hostile("hangs")
def ignore_comments_10k(ctx: Ctx) -> Case:
    """10,000 `# sgcheck:ignore SG001 reason` comments on as many open security groups in
    one file of about 1.7 MB.

    Expected: a bounded, prompt run."""
    group = """resource "aws_security_group" "s%05d" {
  ingress {
    from_port = 22
    to_port = 22
    protocol = "tcp"
    # sgcheck:ignore SG001 audited
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""
    ctx.write("main.tf", "".join(group % i for i in range(10_000)))
    return lint(".")


# --------------------------------------------------------------------------------------------
# Super-linear analysis
# --------------------------------------------------------------------------------------------

PUBLIC_SUBNET_TF = """resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}
resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  map_public_ip_on_launch = true
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
"""


@hostile("superlinear")
def cidrs_x_rules(ctx: Ctx) -> Case:
    """1,000 CIDRs × 60 protocol/port rules on the security group of one instance in a public
    subnet with a route to an internet gateway (reachability runs; about 25 KB).

    Expected: a bounded, prompt run."""
    cidrs = [f"{11 + i % 200}.{(i * 37) % 256}.{(i * 91) % 256}.0/24" for i in range(1000)]

    def ingress(i: int) -> str:
        port, protocol = 1000 + 37 * i, ("tcp", "udp")[i % 2]
        return (
            f"  ingress {{\n    from_port = {port}\n    to_port = {port + i % 3}\n"
            f'    protocol = "{protocol}"\n    cidr_blocks = local.cidrs\n  }}\n'
        )

    rules = "".join(map(ingress, range(60)))
    ctx.write(
        "main.tf",
        "locals {\n  cidrs = ["
        + ", ".join(f'"{c}"' for c in cidrs)
        + "]\n}\n"
        + PUBLIC_SUBNET_TF
        + f'resource "aws_security_group" "many" {{\n  vpc_id = aws_vpc.main.id\n{rules}}}\n'
        + """resource "aws_instance" "web" {
  ami                         = "ami-12345678"
  instance_type               = "t3.micro"
  subnet_id                   = aws_subnet.public.id
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.many.id]
}
""",
    )
    return lint(".")


@hostile("superlinear")
def cfn_equals_allowedvalues(ctx: Ctx) -> Case:
    """`Fn::Equals` over two parameters with 100,000-entry `AllowedValues` lists, as the
    condition of a security group.

    Expected: a bounded, prompt run."""
    values = "[" + ", ".join(f"v{i}" for i in range(100_000)) + "]"
    head = (
        f"Parameters:\n  A:\n    Type: String\n    AllowedValues: {values}\n"
        f"  B:\n    Type: String\n    AllowedValues: {values}\n"
        "Conditions:\n  Same: !Equals [!Ref A, !Ref B]\n"
    )
    ctx.write("stack.yaml", template_yaml(sg_yaml(condition="Same"), head))
    return lint(".")


@hostile("superlinear")
def cfn_minified_5mb(ctx: Ctx) -> Case:
    """A 5 MB minified JSON template (one line) of open security groups.

    Expected: a bounded, prompt run in every format (snippets of a 5 MB line are cut)."""
    count = 5_000_000 // len(minified({"SecurityGroup99999": sg_json(99999)}))
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {f"SecurityGroup{i}": sg_json(i) for i in range(count + 1)},
    }
    ctx.write("stack.json", minified(doc))
    return lint(".")


AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"


def plan_entry(address: str, rtype: str, **rest) -> dict:
    """An entry of one of a plan's resource lists: address, mode, type, name, then `rest`."""
    name = address.split(".")[1]
    return {"address": address, "mode": "managed", "type": rtype, "name": name, **rest}


def terraform_plan(pairs: int) -> dict:
    """A `terraform show -json` plan: a public subnet, and `pairs` security groups with an
    open SSH rule, each attached to an instance; ids and references computed at apply."""
    planned, changes, config = [], [], []

    def add(address: str, rtype: str, values: dict, unknown: dict, refs: dict[str, str]) -> None:
        """One resource: known `values`, `unknown` attributes, `refs` (attribute → resource)."""
        planned.append(
            plan_entry(
                address,
                rtype,
                provider_name=AWS_PROVIDER,
                schema_version=1,
                values=values,
                sensitive_values={},
            )
        )
        change = {
            "actions": ["create"],
            "before": None,
            "after": values,
            "after_unknown": {"id": True, "arn": True, **unknown},
            "before_sensitive": False,
            "after_sensitive": {},
        }
        changes.append(plan_entry(address, rtype, provider_name=AWS_PROVIDER, change=change))
        expressions = {a: {"references": [f"{r}.id", r]} for a, r in refs.items()}
        config.append(
            plan_entry(address, rtype, provider_config_key="aws", expressions=expressions)
        )

    add("aws_vpc.main", "aws_vpc", {"cidr_block": "10.0.0.0/16"}, {}, {})
    add(
        "aws_internet_gateway.igw",
        "aws_internet_gateway",
        {},
        {"vpc_id": True},
        {"vpc_id": "aws_vpc.main"},
    )
    add(
        "aws_subnet.public",
        "aws_subnet",
        {"cidr_block": "10.0.1.0/24", "map_public_ip_on_launch": True},
        {"vpc_id": True},
        {"vpc_id": "aws_vpc.main"},
    )
    add(
        "aws_route_table.public",
        "aws_route_table",
        {"route": [{"cidr_block": "0.0.0.0/0", "gateway_id": None}]},
        {"vpc_id": True},
        {"vpc_id": "aws_vpc.main"},
    )
    add(
        "aws_route_table_association.public",
        "aws_route_table_association",
        {},
        {"subnet_id": True, "route_table_id": True},
        {"subnet_id": "aws_subnet.public", "route_table_id": "aws_route_table.public"},
    )
    for i in range(pairs):
        rule = {
            "cidr_blocks": ["0.0.0.0/0"],
            "description": "ssh",
            "from_port": 22,
            "ipv6_cidr_blocks": [],
            "prefix_list_ids": [],
            "protocol": "tcp",
            "security_groups": [],
            "self": False,
            "to_port": 22,
        }
        add(
            f"aws_security_group.sg{i}",
            "aws_security_group",
            {
                "description": f"group {i}",
                "ingress": [rule],
                "name": f"sg-{i}",
                "name_prefix": "",
                "revoke_rules_on_delete": False,
                "tags": {"Name": f"sg-{i}"},
                "tags_all": {"Name": f"sg-{i}"},
                "timeouts": None,
            },
            {"vpc_id": True, "owner_id": True, "egress": True},
            {"vpc_id": "aws_vpc.main"},
        )
        add(
            f"aws_instance.web{i}",
            "aws_instance",
            {
                "ami": "ami-12345678",
                "instance_type": "t3.micro",
                "associate_public_ip_address": True,
                "metadata_options": [{"http_endpoint": "enabled", "http_tokens": "required"}],
                "tags": {"Name": f"web-{i}"},
                "tags_all": {"Name": f"web-{i}"},
            },
            {
                "subnet_id": True,
                "vpc_security_group_ids": True,
                "private_ip": True,
                "public_ip": True,
            },
            {
                "subnet_id": "aws_subnet.public",
                "vpc_security_group_ids": f"aws_security_group.sg{i}",
            },
        )
    return {
        "format_version": "1.2",
        "terraform_version": "1.6.0",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {"provider_config": {}, "root_module": {"resources": config}},
    }


@hostile("superlinear")
def plan_8mb(ctx: Ctx) -> Case:
    """An 8.6 MB `terraform show -json` plan: thousands of security groups and instances whose
    ids and references are computed at apply.

    Expected: a bounded, prompt run."""
    per_pair = len(minified(terraform_plan(100))) / 100
    ctx.write("plan.json", minified(terraform_plan(int(8_600_000 / per_pair))))
    return lint(".")


# --------------------------------------------------------------------------------------------
# Lost report
# --------------------------------------------------------------------------------------------


@hostile("lost-report")
def tabs_16k(ctx: Ctx) -> Case:
    """16 KB of tabs before the open CIDR of an SSH rule, on one line.

    Expected: exit 1, and the human report shows the SG001 finding (no panic)."""
    line = '    cidr_blocks = ["0.0.0.0/0"]\n'
    ctx.write("main.tf", sg_tf().replace(line, "\t" * 16384 + line))
    return lint(".", expect=all_of(exit_code(1), shown_in_human("SG001")))


@hostile("lost-report")
def minified_64k_finding(ctx: Ctx) -> Case:
    """A one-line JSON template over 64 KB whose open security group comes after 64 KB.

    Expected: exit 1, and the human report shows the SG001 finding."""
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "d" * 70_000,
        "Resources": {"Web": sg_json(0)},
    }
    ctx.write("stack.json", minified(doc))
    return lint(".", expect=all_of(exit_code(1), shown_in_human("SG001")))


# --------------------------------------------------------------------------------------------
# Terminal injection
# --------------------------------------------------------------------------------------------


@hostile("injection")
def inject_hcl_escapes(ctx: Ctx) -> Case:
    """ESC, CR, BEL, OSC-8, C1 and bidi characters (HCL `\\u` escapes) in a security group's
    name, description, tag and `for_each` key (so in its address).

    Expected: none of them raw in any output; the SG001 finding still reported."""
    payload = quoted(INJECTION, "hcl")
    body = f"  for_each = toset([{payload}])\n" + leaking(payload)
    ctx.write("main.tf", sg_tf(body=body))
    return lint(".", expect=finding("SG001"))


@hostile("injection")
def inject_hcl_raw(ctx: Ctx) -> Case:
    """The same characters raw in the source: in a comment on the offending line and in the
    lines around it (human snippets quote them).

    Expected: none of them raw in any output."""
    line = '    cidr_blocks = ["0.0.0.0/0"]\n'
    raw = f"    # {INJECTION}\n" + line.rstrip("\n") + f" # {INJECTION}\n" + f"    # {INJECTION}\n"
    ctx.write("main.tf", sg_tf().replace(line, raw))
    return lint(".")


@hostile("injection")
def inject_cfn_yaml(ctx: Ctx) -> Case:
    """The same characters in a YAML template (double-quoted `\\e`, `\\x`, `\\u` escapes): in a
    logical id, a group description and name, and a tag.

    Expected: none of them raw in any output; the SG001 finding still reported."""
    payload = quoted(INJECTION, "yaml")
    extra = f"      GroupName: {payload}\n      Tags:\n        - {{Key: Name, Value: {payload}}}\n"
    logical = quoted("Web" + INJECTION, "yaml")
    ctx.write("stack.yaml", template_yaml(sg_yaml(logical, payload, extra)))
    return lint(".", expect=finding("SG001"))


@hostile("injection")
def inject_filename(ctx: Ctx) -> Case:
    """File names holding ESC, BEL, CR, C1 and bidi characters: one with an open security
    group, one that fails to parse.

    Expected: none of them raw in any output; the SG001 finding still reported."""
    name = "\x1b[2J\x07\r\u009b\u202eevil"
    ctx.write(name + ".tf", sg_tf())
    ctx.write("broken" + name + ".tf", "resource {\n")
    return lint(".", expect=finding("SG001"))


# --------------------------------------------------------------------------------------------
# Nondeterminism
# --------------------------------------------------------------------------------------------


@hostile("nondeterminism")
def paths_dot_infra(ctx: Ctx) -> Case:
    """`lint .` against `lint . infra` (five times), run inside a tree holding `infra/`.

    Expected: the six JSON reports are byte-identical."""
    ctx.write("main.tf", sg_tf("root") + module_call("infra", "./infra"))
    ctx.write("infra/main.tf", sg_tf("infra") + module_call("net", "./net"))
    ctx.write("infra/net/main.tf", sg_tf("net") + sg_tf("net2"))
    ctx.write("infra/stack.yaml", template_yaml(sg_yaml()))
    both = ["json-dot", *(f"json-{i}" for i in range(1, 6))]
    invocations = [Invocation("json-dot", [".", "--format", "json"], fmt="json")]
    invocations += [
        Invocation(label, [".", "infra", "--format", "json"], fmt="json") for label in both[1:]
    ]
    invocations += [Invocation(f, [".", "infra", "--format", f], fmt=f) for f in FORMATS[1:]]
    return Case(invocations, identical_stdout(both))


# --------------------------------------------------------------------------------------------
# Silent loss
# --------------------------------------------------------------------------------------------


@hostile("silent-loss")
def modules_cycle(ctx: Ctx) -> Case:
    """Two scanned directories that call each other as modules, each with an open group.

    Expected: a finding or an error, and a non-zero exit code (never "no findings", exit 0)."""
    ctx.write("a/main.tf", sg_tf("a") + module_call("b", "../b"))
    ctx.write("b/main.tf", sg_tf("b") + module_call("a", "../a"))
    return lint("a", "b", expect=not_silent)


@hostile("silent-loss")
def child_outside_not_utf8(ctx: Ctx) -> Case:
    """A child module outside the scanned path (`live/` of a git repository calls `../mod`)
    whose file is not UTF-8.

    Expected: a skipped/errors entry naming notutf8.tf."""
    ctx.git_init()
    ctx.write("live/main.tf", module_call("m", "../mod"))
    ctx.write("mod/notutf8.tf", b"# caf\xe9 \xff\n" + sg_tf("child").encode())
    return lint("live", expect=record_naming("notutf8.tf"))


@hostile("silent-loss")
def child_outside_over_limit(ctx: Ctx) -> Case:
    """A child module outside the scanned path (`live/` of a git repository calls `../mod`)
    whose file is over `max_file_size` (1,000 bytes, set in the repository's `.sgcheck.toml`).

    Expected: a skipped/errors entry naming big.tf."""
    ctx.git_init()
    ctx.write(".sgcheck.toml", "max_file_size = 1000\n")
    ctx.write("live/main.tf", module_call("m", "../mod"))
    ctx.write("mod/big.tf", sg_tf("child") + "#" * 2000 + "\n")
    return lint("live", expect=record_naming("big.tf"))


@hostile("silent-loss")
def module_source_outside(ctx: Ctx) -> Case:
    """A module call whose local source leaves the scanned tree (`../outside`, not a git
    repository: the scanned path is the tree).

    Expected: a record naming the module call's source (a module not analysed)."""
    ctx.write(ctx.outside / "main.tf", sg_tf("outside"))
    ctx.write("main.tf", module_call("m", "../outside"))
    return lint(".", expect=record_naming("../outside"))


@hostile("silent-loss")
def symlink_inside(ctx: Ctx) -> Case:
    """A scanned `sg.tf` that is a symlink to a file inside the tree not otherwise read.

    Expected: the file analysed (SG001 reported) or a skipped/errors entry naming sg.tf."""
    ctx.write("templates/sg.hcl", sg_tf())
    ctx.symlink("sg.tf", "templates/sg.hcl")
    return lint(".", expect=any_of(finding("SG001"), record_naming("sg.tf")))


@hostile("silent-loss")
def name_not_utf8(ctx: Ctx) -> Case:
    """A Terraform file named b'\\xff.tf' (not UTF-8) with an open security group.

    Expected: the file analysed (SG001 reported) or a skipped/errors entry."""
    ctx.write(os.fsdecode(b"\xff.tf"), sg_tf())
    return lint(".", expect=any_of(finding("SG001"), some_record))


@hostile("silent-loss")
def over_limit_scanned(ctx: Ctx) -> Case:
    """A scanned file over `max_file_size` (1,000 bytes in the tree's `.sgcheck.toml`).

    Expected: exit 2 and a skipped/errors entry naming big.tf."""
    ctx.write(".sgcheck.toml", "max_file_size = 1000\n")
    ctx.write("big.tf", sg_tf() + "#" * 2000 + "\n")
    return lint(".", expect=all_of(exit_code(2), record_naming("big.tf")))


@hostile("silent-loss")
def path_dev_zero(ctx: Ctx) -> Case:
    """`lint /dev/zero`: a path argument that is not a regular file or directory.

    Expected: exit 2 with a message (not "0 files", exit 0)."""
    return lint("/dev/zero", expect=all_of(exit_code(2), explained))


@hostile("silent-loss")
def path_fifo(ctx: Ctx) -> Case:
    """`lint x.tf` where x.tf is a FIFO that no one writes.

    Expected: exit 2 with a message, no hang."""
    fifo = ctx.fifo(ctx.root / "x.tf")
    return lint(fifo, expect=all_of(exit_code(2), explained))


@hostile("silent-loss")
def path_proc_fd(ctx: Ctx) -> Case:
    """`lint <(cat main.tf)`: /proc/self/fd/N of a pipe holding an open security group.

    Expected: exit 2 with a message (not "0 files", exit 0)."""
    return lint(PIPE, pipe_input=sg_tf().encode(), expect=all_of(exit_code(2), explained))


@hostile("silent-loss")
def output_dev_full(ctx: Ctx) -> Case:
    """`--output /dev/full`: the report cannot be written.

    Expected: exit 2."""
    ctx.write("main.tf", sg_tf())
    return lint(".", "--output", "/dev/full", expect=exit_code(2))


@hostile("silent-loss")
def stdout_dev_full(ctx: Ctx) -> Case:
    """Standard output redirected to /dev/full: the report cannot be written.

    Expected: exit 2."""
    ctx.write("main.tf", sg_tf())
    return lint(".", stdout_to="/dev/full", expect=exit_code(2))


@hostile("silent-loss")
def git_global_excludes(ctx: Ctx) -> Case:
    """A global git excludes file (the child's HOME and XDG_CONFIG_HOME) ignoring `*.tf`, in a
    git repository.

    Expected: the files are still linted (SG001 reported)."""
    ctx.git_init()
    ctx.write("main.tf", sg_tf())
    excludes = ctx.home / "global-excludes"
    excludes.write_text("*.tf\n")
    (ctx.home / ".gitconfig").write_text(f"[core]\n\texcludesFile = {excludes}\n")
    (ctx.home / ".config/git").mkdir(parents=True)
    (ctx.home / ".config/git/ignore").write_text("*.tf\n")
    return lint(".", expect=finding("SG001"), env={"XDG_CONFIG_HOME": str(ctx.home / ".config")})


# --------------------------------------------------------------------------------------------
# Running and judging
# --------------------------------------------------------------------------------------------


# Runs one command under the caps and writes how it ended to a JSON file. It runs in a fresh
# interpreter (`python3 -S -c`) so that sgcheck is forked from a small process: a forked child
# starts with its parent's peak RSS, and exec keeps it, so sgcheck forked from this script (which
# holds generated inputs and captured outputs) would report this script's peak instead of its own.
LAUNCHER = """
import json, os, resource, signal, sys, time
report, timeout, address_space, output_size, *command = sys.argv[1:]
start = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (int(address_space),) * 2)
        resource.setrlimit(resource.RLIMIT_FSIZE, (int(output_size),) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.execv(command[0], command)
    finally:
        os._exit(127)
timed_out = False
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done:
        break
    if not timed_out and time.monotonic() >= start + float(timeout):
        os.kill(pid, signal.SIGKILL)
        timed_out = True
    time.sleep(0.005)
with open(report, "w") as f:
    json.dump({"status": status, "wall": time.monotonic() - start, "maxrss_kb": usage.ru_maxrss,
               "timed_out": timed_out}, f)
"""


@contextmanager
def pipe_holding(content: bytes | None) -> Iterator[int | None]:
    """The read end of a pipe that holds `content` and is closed for writing (None for None)."""
    if content is None:
        yield None
        return
    read_end, write_end = os.pipe()
    os.write(write_end, content)
    os.close(write_end)
    try:
        yield read_end
    finally:
        os.close(read_end)


def execute(binary: str, inv: Invocation, ctx: Ctx, env: dict[str, str], timeout: float) -> Run:
    """Runs one invocation through the launcher, its output in files in the class's directory."""
    out_path, err_path = ctx.root / f"{inv.label}.stdout", ctx.root / f"{inv.label}.stderr"
    report_path = ctx.root / f"{inv.label}.ended.json"
    with pipe_holding(inv.pipe_input) as fd:
        args = [a.replace(PIPE, f"/proc/self/fd/{fd}") for a in inv.args]
        launch = [
            sys.executable,
            "-S",
            "-c",
            LAUNCHER,
            str(report_path),
            str(timeout),
            str(ADDRESS_SPACE_CAP),
            str(OUTPUT_CAP),
            binary,
            "lint",
            *args,
        ]
        with open(inv.stdout_to or out_path, "wb") as out, open(err_path, "wb") as err:
            launcher = subprocess.Popen(
                launch,
                cwd=inv.cwd or ctx.repo,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                pass_fds=() if fd is None else (fd,),
                start_new_session=True,
            )
            try:
                launcher.wait(timeout + 30)
            except BaseException:  # interrupted, or the launcher is stuck: end its whole session
                os.killpg(launcher.pid, signal.SIGKILL)
                launcher.wait()
                raise
    ended = json.loads(report_path.read_text())
    status = ended["status"]
    killed = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    return Run(
        label=inv.label,
        fmt=inv.fmt,
        exit=None if killed is not None else os.WEXITSTATUS(status),
        signal=killed,
        timed_out=ended["timed_out"],
        wall=ended["wall"],
        rss_mb=ended["maxrss_kb"] / 1024,
        stdout=b"" if inv.stdout_to else out_path.read_bytes(),
        stderr=err_path.read_bytes(),
    )


def limit_problems(run: Run, timeout: float) -> list[str]:
    """How the run ended, its time and its memory."""
    problems = []
    if run.timed_out:
        problems.append(f"killed at the {timeout:g} s timeout")
    elif run.signal == signal.SIGXFSZ:
        problems.append(f"killed by SIGXFSZ: output over the {OUTPUT_CAP >> 20} MB cap")
    elif run.signal == signal.SIGABRT and b"memory allocation of" in run.stderr:
        problems.append(
            f"aborted: out of memory under the {ADDRESS_SPACE_CAP >> 30} GB address-space cap"
        )
    elif run.signal is not None:
        problems.append(f"killed by {run.status}")
    elif run.exit == 101:
        problems.append("panicked (exit 101)")
    elif run.exit is not None and run.exit > 2:
        problems.append(f"exit {run.exit}")
    if run.wall >= WALL_LIMIT_S and not run.timed_out:
        problems.append(f"{run.wall:.1f} s wall")
    if run.rss_mb >= RSS_LIMIT_MB:
        problems.append(f"{run.rss_mb:.0f} MB peak RSS")
    return problems


def leak_problems(data: bytes, stream: str, canary: Canary) -> list[str]:
    return [f"{what} leaked to {stream}" for what, marker in canary.markers if marker in data]


def control_problems(data: bytes, stream: str) -> list[str]:
    """The raw control characters in `data`, each kind once."""
    text = data.decode("utf-8", "surrogateescape")
    found = sorted(set(CONTROL.findall(text)))
    if not found:
        return []
    shown = [f"0x{ord(c) - 0xDC00:02X}" if c >= "\udc80" else f"U+{ord(c):04X}" for c in found]
    return [f"raw {' '.join(shown)} in {stream}"]


def format_problems(run: Run) -> list[str]:
    """JSON and SARIF output, when there is any, is one JSON document."""
    if run.fmt in ("json", "sarif") and run.stdout and run.clean_exit and run.doc is None:
        return ["stdout is not one JSON document"]
    return []


def run_problems(run: Run, canary: Canary, timeout: float) -> list[str]:
    """Everything every run must satisfy, whatever the class."""
    problems = limit_problems(run, timeout) + format_problems(run)
    for stream, data in (("stdout", run.stdout), ("stderr", run.stderr)):
        problems += leak_problems(data, stream, canary) + control_problems(data, stream)
    return [f"[{run.label}] {p}" for p in problems]


@dataclass
class Outcome:
    """What one class did."""

    cls: HostileClass
    runs: list[Run]
    problems: list[str]
    not_made: int  # runs left out after one over the limits

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "FAIL"

    def exit_codes(self) -> str:
        return "/".join(dict.fromkeys(r.status for r in self.runs)) or "-"


def child_env(ctx: Ctx, extra: dict[str, str]) -> dict[str, str]:
    """A small environment: PATH, a private HOME, UTF-8 locale, and the environment canary."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(ctx.home),
        "LANG": "C.UTF-8",
        "SECRET_CANARY": ctx.canary.env_token,
        **extra,
    }


def run_class(
    cls: HostileClass, binary: str, canary: Canary, workdir: Path, timeout: float, keep: bool
) -> Outcome:
    """Builds the class's input in its own directory, makes its runs and judges them."""
    ctx = Ctx(workdir / cls.name, canary)
    try:
        case = cls.build(ctx)
        env = child_env(ctx, case.env)
        runs: Runs = {}
        problems: list[str] = []
        for i, inv in enumerate(case.invocations):
            run = execute(binary, inv, ctx, env, timeout)
            runs[inv.label] = run
            problems += run_problems(run, canary, timeout)
            if run.over_limits:
                return Outcome(cls, list(runs.values()), problems, len(case.invocations) - i - 1)
        if case.expect:
            problems += case.expect(runs)
        return Outcome(cls, list(runs.values()), problems, 0)
    finally:
        if not keep:
            shutil.rmtree(ctx.root, ignore_errors=True)


def cell(text: str) -> str:
    return text.replace("|", "\\|")


LABELLED = re.compile(r"\[([^\]]+)\] (.*)", re.S)


def merged(o: Outcome) -> list[str]:
    """The problems, those shared by several runs once with the runs' labels ("all runs" when
    every run made has it)."""
    labels: dict[str, list[str]] = {}
    for p in o.problems:
        m = LABELLED.fullmatch(p)
        label, text = (m.group(1), m.group(2)) if m else ("", p)
        labels.setdefault(text, []).append(label)
    every = [r.label for r in o.runs]
    out = []
    for text, where in labels.items():
        named = [w for w in where if w]
        if not named:
            out.append(text)
        elif len(every) > 1 and named == every:
            out.append(f"{text} (all runs)")
        else:
            out.append(f"[{', '.join(named)}] {text}")
    return out


def notes(o: Outcome, width: int = 200) -> str:
    if o.passed:
        return ""
    text = "; ".join(merged(o))
    if len(text) > width:
        text = text[: width - 1] + "…"
    if o.not_made:
        text += f" ({o.not_made} further runs not made)"
    return text


def markdown_table(outcomes: list[Outcome]) -> str:
    lines = [
        "| class | group | exit | wall s | peak RSS MB | result | why |",
        "|---|---|---|---:|---:|---|---|",
    ]
    for o in outcomes:
        wall = max((r.wall for r in o.runs), default=0.0)
        rss = max((r.rss_mb for r in o.runs), default=0.0)
        lines.append(
            f"| {o.cls.name} | {o.cls.group} | {cell(o.exit_codes())} | {wall:.2f} | {rss:.0f} | "
            f"{o.verdict} | {cell(notes(o))} |"
        )
    return "\n".join(lines)


def select(only: list[str] | None) -> list[HostileClass]:
    if not only:
        return CLASSES
    known = {c.name for c in CLASSES} | {c.group for c in CLASSES}
    unknown = [n for n in only if n not in known]
    if unknown:
        sys.exit(f"unknown class or group: {', '.join(unknown)} (see --list)")
    return [c for c in CLASSES if c.name in only or c.group in only]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sgcheck", nargs="?", help="the sgcheck binary to measure")
    parser.add_argument("--only", nargs="+", metavar="CLASS", help="classes or groups to run")
    parser.add_argument(
        "--list", action="store_true", help="list the classes and their expectations"
    )
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="hard timeout per run (s)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated inputs and outputs")
    args = parser.parse_args()
    chosen = select(args.only)
    if args.list:
        for c in chosen:
            print(f"{c.name} [{c.group}]: {c.summary}\n    {c.expected}")
        return 0
    if not args.sgcheck:
        parser.error("the sgcheck binary is required")
    binary = os.path.abspath(args.sgcheck)
    canary = Canary.new()
    workdir = Path(tempfile.mkdtemp(prefix="sgcheck-hostile-"))
    outcomes = []
    try:
        for i, cls in enumerate(chosen, 1):
            o = run_class(cls, binary, canary, workdir, args.timeout, args.keep)
            outcomes.append(o)
            print(
                f"[{i}/{len(chosen)}] {cls.name}: {o.verdict} ({o.exit_codes()})", file=sys.stderr
            )
            for p in merged(o):
                print(f"    {p}", file=sys.stderr)
    finally:
        if args.keep:
            print(f"inputs and outputs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    failed = sum(not o.passed for o in outcomes)
    print(markdown_table(outcomes))
    print(f"\nhostile classes: {len(outcomes) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
