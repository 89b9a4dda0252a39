"""Every setting in one table: name, default, environment variable, help.

The table feeds the CLI flags, the ``COMMUNIQUE_*`` environment variables and
the README's configuration table (a test checks that each one is documented).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str
    type: type = str

    @property
    def env(self) -> str:
        return "COMMUNIQUE_" + self.name.upper()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


TABLE = [
    Setting("store", "./data/store", "Directory of the Oxigraph store."),
    Setting("base_iri", "http://localhost:5000/", "Base of every IRI the tool mints ({base}id/…)."),
    Setting("seeds", str(ROOT / "seeds"), "Articles that `serve` loads into an empty store."),
    Setting("gazetteer", str(ROOT / "mappings" / "gazetteer"), "Directory of gazetteer files (*.yaml)."),
    Setting("rules", str(ROOT / "mappings" / "rules"), "Directory of mapping rule files (*.yaml)."),
    Setting("host", "127.0.0.1", "Address `serve` listens on."),
    Setting("port", 5000, "Port `serve` listens on.", int),
    Setting("query_timeout", 30.0, "Seconds a SPARQL query may run before it is stopped (503).", float),
    Setting("query_workers", 2, "Query worker processes: how many queries run at once.", int),
    Setting("threads", 8, "HTTP threads of the web server.", int),
    Setting("max_body", 1_048_576, "Largest request body accepted, in bytes (larger: 413).", int),
    Setting("max_rows_html", 1000, "Most result rows an HTML page shows.", int),
    Setting("update_token", "", "Bearer token that SPARQL Update and Graph Store writes need; empty: writes are off (403)."),
    Setting("service_allowlist", "", "Space- or comma-separated SPARQL endpoints that SERVICE may call; empty: SERVICE is off (400)."),
    Setting("load_allowlist", "", "Space- or comma-separated http(s) IRIs that LOAD may fetch (an entry ending in / allows every IRI under it); empty: LOAD is off (400)."),
    Setting("network_sandbox", "auto", "How query and update processes are kept off the network: auto (a network namespace, else seccomp), namespace, or seccomp."),
]
BY_NAME = {s.name: s for s in TABLE}


class SettingError(ValueError):
    """A setting has a value that cannot be used."""


@dataclass
class Settings:
    store: str = "./data/store"
    base_iri: str = "http://localhost:5000/"
    seeds: str = str(ROOT / "seeds")
    gazetteer: str = str(ROOT / "mappings" / "gazetteer")
    rules: str = str(ROOT / "mappings" / "rules")
    host: str = "127.0.0.1"
    port: int = 5000
    query_timeout: float = 30.0
    query_workers: int = 2
    threads: int = 8
    max_body: int = 1_048_576
    max_rows_html: int = 1000
    update_token: str = field(default="", repr=False)
    service_allowlist: str = ""
    load_allowlist: str = ""
    network_sandbox: str = "auto"
    extra: dict = field(default_factory=dict)

    @classmethod
    def load(cls, overrides: dict | None = None, environ=None) -> "Settings":
        """Defaults, then COMMUNIQUE_* variables, then explicit overrides (CLI flags)."""
        environ = os.environ if environ is None else environ
        values = {}
        for s in TABLE:
            raw = environ.get(s.env)
            if raw is not None and raw != "":
                values[s.name] = _convert(s, raw, s.env)
        for name, value in (overrides or {}).items():
            if value is not None and name in BY_NAME:
                values[name] = _convert(BY_NAME[name], value, BY_NAME[name].flag)
        settings = cls(**values)
        settings.check()
        return settings

    def check(self):
        if not self.base_iri.startswith(("http://", "https://")):
            raise SettingError(f"base_iri must be an http(s) IRI, not {self.base_iri!r}")
        if not self.base_iri.endswith("/"):
            object.__setattr__(self, "base_iri", self.base_iri + "/")
        for name in ("query_timeout", "query_workers", "threads", "max_body", "max_rows_html"):
            if getattr(self, name) <= 0:
                raise SettingError(f"{name} must be greater than 0")
        if not 0 < self.port < 65536:
            raise SettingError(f"port must be between 1 and 65535, not {self.port}")
        if self.network_sandbox not in ("auto", "namespace", "seccomp"):
            raise SettingError(f"network_sandbox must be auto, namespace or seccomp, not {self.network_sandbox!r}")
        for name, entries in (("service_allowlist", self.services), ("load_allowlist", self.loads)):
            for entry in entries:
                if not entry.lower().startswith(("http://", "https://")):
                    raise SettingError(f"{name}: {entry!r} is not an http(s) IRI")

    @property
    def services(self) -> tuple[str, ...]:
        """The SERVICE allow-list as a tuple of endpoint IRIs."""
        return tuple(x for x in self.service_allowlist.replace(",", " ").split() if x)

    @property
    def loads(self) -> tuple[str, ...]:
        """The LOAD allow-list as a tuple of IRIs (an entry ending in / stands for every IRI under it)."""
        return tuple(x for x in self.load_allowlist.replace(",", " ").split() if x)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}


def _convert(setting: Setting, raw, where: str):
    if isinstance(raw, setting.type):
        return raw
    try:
        return setting.type(raw)
    except (TypeError, ValueError):
        raise SettingError(f"{where}: {raw!r} is not a valid {setting.type.__name__}") from None
