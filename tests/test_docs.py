"""Tests that keep the docs true."""
import re
from pathlib import Path

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
