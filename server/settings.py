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
    Setting("store", "./data/store", "Directory of the Oxigraph store, or the http(s) URL of a remote SPARQL 1.1 "
            "query endpoint (README, \"Remote store\")."),
    Setting("store_update", "", "Remote store: its SPARQL Update endpoint; empty: by its layout (Virtuoso "
            "/sparql, or /sparql-auth with a user; Fuseki …/update beside …/sparql)."),
    Setting("store_graph_store", "", "Remote store: its Graph Store Protocol endpoint; empty: by its layout "
            "(Virtuoso /sparql-graph-crud(-auth); Fuseki …/data)."),
    Setting("store_user", "", "Remote store: the user its writes authenticate as; empty: none."),
    Setting("store_password", "", "Remote store: that user's password."),
    Setting("store_auth", "digest", "Remote store: how writes authenticate, digest or basic."),
    Setting("store_page", 10000, "Remote store: rows per page when communique reads quads from it (below its "
            "result cap, Virtuoso's ResultSetMaxRows).", int),
    Setting("base_iri", "", "Base of every IRI the tool mints ({base}id/…); empty: the base of the IRIs "
            "already in the store, else http://localhost:{port}/ (the host instead of localhost when it is "
            "neither a loopback nor a wildcard address)."),
    Setting("seeds", str(ROOT / "seeds"), "Articles that `serve` loads into an empty store."),
    Setting("gazetteer", str(ROOT / "mappings" / "gazetteer"), "Directory of gazetteer files (*.yaml)."),
    Setting("rules", str(ROOT / "mappings" / "rules"), "Directory of mapping rule files (*.yaml)."),
    Setting("jobs", 0, "Processes that extract and check articles at once in `ingest` (and when `serve` builds "
            "the store from the seeds); 0: one per core; 1: all in the one process.", int),
    Setting("host", "127.0.0.1", "Address `serve` listens on."),
    Setting("port", 5000, "Port `serve` listens on.", int),
    Setting("query_timeout", 30.0, "Seconds a SPARQL query may run before it is stopped (503).", float),
    Setting("query_workers", 2, "Query worker processes: how many queries run at once.", int),
    Setting("threads", 8, "HTTP threads of the web server.", int),
    Setting("max_body", 1_048_576, "Largest request body accepted, in bytes (larger: 413).", int),
    Setting("max_rows_html", 1000, "Most result rows an HTML page shows.", int),
    Setting("page_size", 200, "Most items of one list on a page (meetings, positions, articles); longer lists "
            "page with ?page=.", int),
    Setting("update_token", "", "Bearer token that SPARQL Update and Graph Store writes need; empty: writes are off (403)."),
    Setting("service_allowlist", "", "Space- or comma-separated SPARQL endpoints that SERVICE may call; empty: SERVICE is off (400)."),
    Setting("load_allowlist", "", "Space- or comma-separated http(s) IRIs that LOAD may fetch (an entry ending in / allows every IRI under it); empty: LOAD is off (400)."),
    Setting("network_sandbox", "auto", "How query and update processes are kept off the network: auto (a network namespace, else seccomp), namespace, or seccomp."),
    Setting("wikidata_api", "https://www.wikidata.org/w/api.php", "The Wikidata Action API that `link` asks (wbsearchentities, wbgetentities)."),
    Setting("wikidata_rate", 1.0, "Most requests a second that `link` sends to the Wikidata API (one at a time).", float),
    Setting("wikidata_cache", "./data/wikidata-cache.sqlite3", "SQLite file where `link` keeps the Wikidata API's answers, so a rerun asks nothing twice."),
    Setting("wikidata_contact", "", "A URL or e-mail address where Wikimedia can reach you, sent in the User-Agent of `link` (their User-Agent policy asks for one); empty: `link` sends no request."),
]
BY_NAME = {s.name: s for s in TABLE}


class SettingError(ValueError):
    """A setting has a value that cannot be used."""


@dataclass
class Settings:
    store: str = "./data/store"
    store_update: str = ""
    store_graph_store: str = ""
    store_user: str = ""
    store_password: str = field(default="", repr=False)
    store_auth: str = "digest"
    store_page: int = 10000
    base_iri: str = ""  # empty: derived from host and port by check(), or the store's own (Backend)
    seeds: str = str(ROOT / "seeds")
    gazetteer: str = str(ROOT / "mappings" / "gazetteer")
    rules: str = str(ROOT / "mappings" / "rules")
    jobs: int = 0
    host: str = "127.0.0.1"
    port: int = 5000
    query_timeout: float = 30.0
    query_workers: int = 2
    threads: int = 8
    max_body: int = 1_048_576
    max_rows_html: int = 1000
    page_size: int = 200
    update_token: str = field(default="", repr=False)
    service_allowlist: str = ""
    load_allowlist: str = ""
    network_sandbox: str = "auto"
    wikidata_api: str = "https://www.wikidata.org/w/api.php"
    wikidata_rate: float = 1.0
    wikidata_cache: str = "./data/wikidata-cache.sqlite3"
    wikidata_contact: str = ""
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
        if not self.base_iri:
            self.base_iri = default_base(self.host, self.port)
            self.extra["base_iri_derived"] = True  # the store's own base, if it has one, wins (Backend.open)
        if not self.base_iri.startswith(("http://", "https://")):
            raise SettingError(f"base_iri must be an http(s) IRI, not {self.base_iri!r}")
        if not self.base_iri.endswith("/"):
            object.__setattr__(self, "base_iri", self.base_iri + "/")
        for name in ("query_timeout", "query_workers", "threads", "max_body", "max_rows_html", "page_size",
                     "wikidata_rate"):
            if getattr(self, name) <= 0:
                raise SettingError(f"{name} must be greater than 0")
        if self.store_auth not in ("digest", "basic"):
            raise SettingError(f"store_auth must be digest or basic, not {self.store_auth!r}")
        if self.jobs < 0:
            raise SettingError("jobs must be 0 (one per core) or more")
        if self.store_page <= 0:
            raise SettingError("store_page must be greater than 0")
        if not 0 < self.port < 65536:
            raise SettingError(f"port must be between 1 and 65535, not {self.port}")
        if self.network_sandbox not in ("auto", "namespace", "seccomp"):
            raise SettingError(f"network_sandbox must be auto, namespace or seccomp, not {self.network_sandbox!r}")
        if not self.wikidata_api.lower().startswith(("http://", "https://")):
            raise SettingError(f"wikidata_api must be an http(s) URL, not {self.wikidata_api!r}")
        for name, entries in (("service_allowlist", self.services), ("load_allowlist", self.loads)):
            for entry in entries:
                if not entry.lower().startswith(("http://", "https://")):
                    raise SettingError(f"{name}: {entry!r} is not an http(s) IRI")

    @property
    def remote(self) -> bool:
        """Whether the store is a remote SPARQL endpoint (a URL), not a directory."""
        return self.store.lower().startswith(("http://", "https://"))

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


LOCAL_HOSTS = {"", "127.0.0.1", "localhost", "0.0.0.0", "::", "::1"}


def default_base(host: str, port: int) -> str:
    """The base IRI when none is set: where `serve` answers, as a browser on this machine names it."""
    name = "localhost" if host in LOCAL_HOSTS else (f"[{host}]" if ":" in host else host)
    return f"http://{name}:{port}/"


def _convert(setting: Setting, raw, where: str):
    if isinstance(raw, setting.type):
        return raw
    try:
        return setting.type(raw)
    except (TypeError, ValueError):
        raise SettingError(f"{where}: {raw!r} is not a valid {setting.type.__name__}") from None
