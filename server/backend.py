"""The running service's hold on its store: the owner lock, the query service, the ingest gate.

The store is a directory (embedded: locked, worker processes) or a URL (remote: ``store/remote.py``)."""
from __future__ import annotations

import logging
from pathlib import Path

from .store import embedded as store_mod
from .ingest.pipeline import IngestResult, Pipeline, Progress, article_files
from .store.base import QueryService, is_remote
from .store.pool import QueryPool
from .settings import Settings

log = logging.getLogger("communique")


class Backend:
    """Owns the store directory for the life of the server.

    ``open`` locks the store, builds it from the seeds when it is empty, and
    starts the query workers. ``close`` stops them and unlocks.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.path = Path(settings.store)
        self.remote = is_remote(settings.store)
        self.lock = store_mod.StoreLock(self.path)
        self.pipeline = Pipeline(settings)
        self.pool: QueryService | None = None  # QueryPool (embedded) or RemoteService
        self.seeded: IngestResult | None = None

    def open(self, seed: bool = True, progress: bool = False) -> "Backend":
        if self.remote:
            return self._open_remote(seed, progress)
        self.lock.acquire(f"communique serve on {self.settings.host}:{self.settings.port}")
        try:
            empty = store_mod.is_empty(self.path)
            if not empty and self.settings.extra.get("base_iri_derived"):
                self._adopt_store_base()
            if seed and empty:
                seeds = Path(self.settings.seeds)
                files = article_files([seeds]) if seeds.exists() else []
                if files:
                    log.info("the store %s is empty: building it from %d articles in %s", self.path, len(files), seeds)
                    handle = [store_mod.open_rw(self.path)]
                    try:
                        self.seeded = self.pipeline.ingest(handle[0], files, Progress(quiet=not progress))
                        handle[0].flush()
                    finally:
                        handle.clear()
                        import gc

                        gc.collect()
            self.pool = QueryPool(str(self.path), self.settings.query_workers, self.settings.query_timeout,
                                  network_workers=self.settings.query_workers if self.settings.services else 0,
                                  sandbox=self.settings.network_sandbox)
        except BaseException:
            self.lock.release()
            raise
        return self

    def _open_remote(self, seed: bool, progress: bool) -> "Backend":
        """A remote SPARQL store (``store/remote.py``): no owner lock, the same seeding and the same base rules."""
        from .store.remote import RemoteService

        self.pool = RemoteService(self.settings)
        handle = self.pool.handle()
        base = store_mod.minted_base(handle)
        if base and self.settings.extra.get("base_iri_derived") and base != self.settings.base_iri:
            log.warning("the store %s holds IRIs under %s: serving them under it", self.path, base)
            self.settings.base_iri = base
            self.pipeline = Pipeline(self.settings)
        seeds = Path(self.settings.seeds)
        if seed and base is None and seeds.exists():
            files = article_files([seeds])
            if files:
                log.info("the store %s holds no article: building it from %d articles in %s", self.settings.store,
                         len(files), seeds)
                self.seeded = self.pool.write(lambda h: self.pipeline.ingest(h, files, Progress(quiet=not progress)))
        return self

    def _adopt_store_base(self):
        """No base IRI was set: keep the one the store's IRIs were minted under, so that pages find them."""
        import gc

        handle = store_mod.open_rw(self.path)
        try:
            base = store_mod.minted_base(handle)
        finally:
            del handle
            gc.collect()
        if base and base != self.settings.base_iri:
            log.warning("the store %s holds IRIs under %s, not %s: serving them under %s "
                        "(set --base-iri and re-ingest to change it)", self.path, base, self.settings.base_iri, base)
            self.settings.base_iri = base
            self.pipeline = Pipeline(self.settings)

    def close(self):
        if self.pool:
            self.pool.close()
            self.pool = None
        self.lock.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
