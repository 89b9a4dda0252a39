"""Tests that keep the docs true."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from server.cli import build_parser
from server.settings import TABLE

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_every_setting_is_in_the_readme_table():
    for s in TABLE:
        row = next((line for line in README.splitlines() if line.startswith(f"| {s.name} |")), None)
        assert row, f"setting {s.name} is missing from the README's configuration table"
        assert f"`{s.flag}`" in row and f"`{s.env}`" in row, row


def test_readme_cli_commands_exist():
    commands = set(build_parser()._subparsers._group_actions[0].choices)
    documented = set(re.findall(r"^communique (\w+)", README, re.M))
    assert documented == commands


def test_quick_start_commands_are_make_targets():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("serve", "test"):
        assert f"make {target}" in README
        assert re.search(rf"^{target}:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_rule_language_is_documented():
    doc = (ROOT / "mappings" / "README.md").read_text()
    from server.settings import Settings
    from mappings.rules import SPEC_KEYS

    for key in SPEC_KEYS:
        assert f"`{key}" in doc, f"spec key {key} is not documented in mappings/README.md"


# --- the README's shell examples, run as written against a real server ------------------------

def _sh_blocks(section: str) -> list[str]:
    body = README.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return [b.split("```", 1)[0] for b in body.split("```sh\n")[1:]]


def _run_sh(block: str, live) -> subprocess.CompletedProcess:
    script = block.replace("http://127.0.0.1:5000", live.url)
    script = "\n".join(line.replace("curl ", "curl -sSf ", 1) if line.startswith("curl ") else line
                       for line in script.splitlines())
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, env=env,
                          timeout=120)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_quick_start_examples_run_as_written(live):
    block = _sh_blocks("Quick start")[1]  # the first block is `make serve` / `make test`
    assert block.count("curl ") >= 2
    out = _run_sh(block, live)
    assert out.returncode == 0, out.stderr
    assert '"bindings"' in out.stdout and "/id/meeting/" in out.stdout  # the SELECT found meetings
    assert "/id/person/yevgeny-primakov> " in out.stdout  # and the Turtle of Primakov, through the 303


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_linked_data_examples_run_as_written(live):
    block = _sh_blocks("Linked Data")[0]
    out = _run_sh(block, live)
    assert out.returncode == 0, out.stderr
    assert "303" in out.stdout and "/data/person/yevgeny-primakov.ttl" in out.stdout
