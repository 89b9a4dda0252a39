"""A private Virtuoso 7 on loopback, for the tests, the bench and ``make virtuoso``.

``python tests/virtuoso/instance.py DIR [HTTP_PORT [SQL_PORT]]`` starts one in DIR (a fresh database
each time) and prints its SPARQL endpoint; it keeps running until ``kill $(cat DIR/virtuoso.pid)``
(a clean shutdown: Virtuoso checkpoints on SIGTERM). The recipe and the quirks are in README.md
beside this file.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
BINARY = "virtuoso-t"
ISQL = "isql-vt"


def available() -> str | None:
    """None when Virtuoso can run here; else why not."""
    missing = [b for b in (BINARY, ISQL) if shutil.which(b) is None]
    if missing:
        return (f"{' and '.join(missing)} not found: install Virtuoso 7 "
                "(apt-get install -y virtuoso-opensource)")
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Virtuoso:
    """One private instance: ``start`` makes a fresh database in ``root`` and opens updates."""

    def __init__(self, root: str | Path, http_port: int | None = None, sql_port: int | None = None,
                 max_rows: int = 100000, buffers: int = 20000):
        self.root = Path(root).resolve()
        self.http_port = http_port or free_port()
        self.sql_port = sql_port or free_port()
        self.max_rows, self.buffers = max_rows, buffers  # ResultSetMaxRows; NumberOfBuffers (8 KB pages)
        self.process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    def start(self, wait: float = 120.0) -> "Virtuoso":
        why = available()
        if why:
            raise RuntimeError(why)
        shutil.rmtree(self.root / "db", ignore_errors=True)
        for d in ("db", "data", "vsp"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        ini = (HERE / "virtuoso.ini").read_text().replace("$VIRT", str(self.root)) \
            .replace("$HTTP_PORT", str(self.http_port)).replace("$SQL_PORT", str(self.sql_port)) \
            .replace("$MAX_ROWS", str(self.max_rows))
        ini = ini.replace("NumberOfBuffers          = 20000", f"NumberOfBuffers          = {self.buffers}") \
            .replace("MaxDirtyBuffers          = 15000", f"MaxDirtyBuffers          = {self.buffers * 3 // 4}")
        (self.root / "virtuoso.ini").write_text(ini)
        out = open(self.root / "virtuoso.out", "w")
        self.process = subprocess.Popen([BINARY, "+foreground", "+configfile", str(self.root / "virtuoso.ini")],
                                        cwd=self.root, stdout=out, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        (self.root / "virtuoso.pid").write_text(str(self.process.pid))
        deadline = time.monotonic() + wait
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}: "
                                   + (self.root / "virtuoso.out").read_text()[-2000:])
            try:
                if requests.get(self.endpoint, params={"query": "ASK {}"}, timeout=2,
                                headers={"Accept": "application/sparql-results+xml"}).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Virtuoso did not answer on {self.endpoint} within {wait:g} s")
            time.sleep(0.2)
        self.isql((HERE / "init-open.sql").read_text())
        return self

    def isql(self, sql: str) -> str:
        done = subprocess.run([ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba"], input=sql, text=True,
                              capture_output=True, timeout=120)
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"isql-vt failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")
        return done.stdout

    def stop(self):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    v = Virtuoso(args[0], *(int(a) for a in args[1:3]))
    v.start()
    print(v.endpoint)
