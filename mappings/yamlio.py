"""YAML for data files written by people: plain words stay words.

PyYAML follows YAML 1.1, where `on`, `no`, `yes` and `off` are booleans; in a
word list ("prepositions: [in, on, at]", "abbreviations: [No, Vol]") they are
words. This loader reads every plain scalar that is not a number as a string.
"""
from __future__ import annotations

from pathlib import Path

import yaml


class WordLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser where PyYAML has it
    pass


WordLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(path: str | Path):
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=WordLoader)


def loads(text: str):
    return yaml.load(text, Loader=WordLoader)


def load_dir(directory: str | Path, what: str, error: type[Exception]) -> list[tuple[Path, object]]:
    """Every *.yaml file of a directory, parsed, in name order; `error` names the file on bad YAML."""
    directory = Path(directory)
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise error(f"{directory}: no {what} files (*.yaml)")
    docs = []
    for path in files:
        try:
            docs.append((path, load(path)))
        except yaml.YAMLError as exc:
            raise error(f"{path.name}: not valid YAML: {exc}") from None
    return docs


class TextLoader(WordLoader):
    """As WordLoader, and dates stay text too: front matter's dates are read by the readers, which
    say what is wrong with one ("2019-02-30") instead of failing inside YAML."""


TextLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in WordLoader.yaml_implicit_resolvers.items()
}


def loads_text(text: str):
    return yaml.load(text, Loader=TextLoader)
