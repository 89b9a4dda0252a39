"""Shared fixtures: a real store in a temporary directory, the app, a live server."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_684714e08cb29c29.txt"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def engine():
    from mappings import Engine
    from server.settings import Settings

    settings = Settings.load()
    return Engine(settings.gazetteer, settings.rules)


@pytest.fixture(scope="session")
def seed_extraction(engine):
    from mappings import read_article

    return engine.extract(read_article(SEED))


def make_settings(tmp: Path, **overrides):
    from server.settings import Settings

    values = {"store": str(tmp / "store"), "seeds": str(SEEDS), "query_workers": 2, "query_timeout": 10.0}
    values.update(overrides)
    return Settings.load(values, environ={})


@pytest.fixture(scope="session")
def backend(tmp_path_factory):
    """A backend that owns a store built from the seeds, shared by the in-process app tests."""
    from server.backend import Backend

    settings = make_settings(tmp_path_factory.mktemp("backend"))
    b = Backend(settings).open()
    yield b
    b.close()


@pytest.fixture(scope="session")
def app(backend):
    from server.web.app import create_app

    return create_app(backend.settings, backend)


@pytest.fixture()
def client(app):
    return app.test_client()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, tmp: Path, *extra: str, env: dict | None = None, base_iri: bool = True,
                 store: str | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.store = store or tmp / "store"  # a directory, or a remote store's URL
        self.log = open(tmp / "serve.log", "w+")
        environ = dict(os.environ, **(env or {}))
        environ.pop("COMMUNIQUE_STORE", None)
        environ.pop("COMMUNIQUE_BASE_IRI", None)
        self.proc = subprocess.Popen(
            [str(BIN / "communique"), "serve", "--store", str(self.store), "--port", str(self.port),
             *(["--base-iri", f"http://127.0.0.1:{self.port}/"] if base_iri else []), *extra],
            stdout=self.log, stderr=subprocess.STDOUT, env=environ)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the server stopped: " + self.output())
            try:
                if requests.get(self.url + "/healthz", timeout=2).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start: " + self.output())

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


def run_cli(*args, env=None, input=None, timeout=120):
    environ = dict(os.environ, **(env or {}))
    return subprocess.run([str(BIN / "communique"), *args], capture_output=True, text=True, env=environ,
                          input=input, timeout=timeout)


@pytest.fixture()
def store_dir(tmp_path):
    return tmp_path / "store"


@pytest.fixture()
def copy_seeds(tmp_path):
    target = tmp_path / "articles"
    shutil.copytree(SEEDS, target)
    return target


UPDATE_TOKEN = "test-update-token-0123456789"


@pytest.fixture(scope="session")
def live_rw(tmp_path_factory):
    """A real server on an empty store (no seeds) that accepts writes with UPDATE_TOKEN; timeout 5 s."""
    tmp = tmp_path_factory.mktemp("live_rw")
    server = LiveServer(tmp, "--seeds", str(tmp / "no-seeds"),  # a missing directory: nothing to seed
                        "--query-timeout", "5", env={"COMMUNIQUE_UPDATE_TOKEN": UPDATE_TOKEN})
    server.token = UPDATE_TOKEN
    server.auth = {"Authorization": f"Bearer {UPDATE_TOKEN}"}
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_seeded_rw(tmp_path_factory):
    """A real server on the seed store that accepts writes with UPDATE_TOKEN; names for the seed article's nodes."""
    server = LiveServer(tmp_path_factory.mktemp("live_seeded_rw"), env={"COMMUNIQUE_UPDATE_TOKEN": UPDATE_TOKEN})
    server.auth = {"Authorization": f"Bearer {UPDATE_TOKEN}"}
    server.article = f"{server.url}/id/article/000_684714e08cb29c29"
    server.person = f"{server.url}/id/person/yevgeny-primakov"
    server.meeting = f"{server.url}/id/article/000_684714e08cb29c29#meeting-1"  # the article's meeting report
    yield server
    server.stop()


def children_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by the direct children of a process (the query workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # fields[1] is the parent pid; [11], [12] are utime, stime
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def children_busy(pid: int, seconds: float = 1.0) -> float:
    """Fraction of one CPU the children of pid used over the next `seconds` (a worker killed mid-way is not counted)."""
    before = children_cpu_seconds(pid)
    time.sleep(seconds)
    return max(0.0, children_cpu_seconds(pid) - before) / seconds
