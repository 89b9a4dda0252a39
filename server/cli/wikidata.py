"""A polite client of the Wikidata Action API (``api.php``), for ``communique link``.

* **Who asks.** Every request sends ``User-Agent: communique/VERSION (CONTACT) python-requests/VERSION``,
  the form Wikimedia's User-Agent policy asks for; without a contact (setting ``wikidata_contact``) no
  request is sent.
* **How fast.** Requests are made one at a time (never in parallel, as API:Etiquette asks), at most
  ``wikidata_rate`` a second (default 1), and each carries ``maxlag=5``. An answer with the error
  ``maxlag`` or ``ratelimited``, or HTTP 429, is retried after its ``Retry-After`` (else 5 s, doubled each
  time), at most ``RETRIES`` times; one that asks for more than two minutes stops the command.
* **Asked once.** Every answer used is kept in an SQLite file (``wikidata_cache``): a search by its words,
  an entity by its QID. A rerun sends no request for what it already has.
* **Errors** (unreachable, not JSON, HTTP 4xx/5xx, an API error) raise ``WikidataError`` with a plain
  message; nothing is cached from them.
"""
from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

from ..errors import CommuniqueError

DEFAULT_API = "https://www.wikidata.org/w/api.php"
RETRIES = 4
MAXLAG = 5
LONGEST_WAIT = 120.0  # seconds; a longer Retry-After stops the command instead
BATCH = 50  # wbgetentities takes at most 50 ids per request


class WikidataError(CommuniqueError):
    """The Wikidata API could not be used; the message says why."""


def user_agent(contact: str) -> str:
    import requests

    try:
        from importlib.metadata import version

        ours = version("communique")
    except Exception:  # not installed: the source tree's version
        ours = "0.1.0"
    return f"communique/{ours} ({contact}) python-requests/{requests.__version__}"


class Cache:
    """Answers by key, in one SQLite file: ``search|…`` and ``entity|…`` rows with the time they were fetched."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.path))
            self.db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, fetched TEXT NOT NULL, "
                            "body TEXT NOT NULL)")
            self.db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise WikidataError(f"cannot open the Wikidata cache {self.path}: {exc}") from None

    def get(self, key: str) -> tuple[object, str] | None:
        row = self.db.execute("SELECT body, fetched FROM answers WHERE key = ?", (key,)).fetchone()
        return (json.loads(row[0]), row[1]) if row else None

    def put(self, key: str, value, fetched: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO answers (key, fetched, body) VALUES (?, ?, ?)",
                        (key, fetched, json.dumps(value, ensure_ascii=False)))
        self.db.commit()

    def close(self):
        self.db.close()


class Client:
    def __init__(self, api: str = DEFAULT_API, rate: float = 1.0, cache: str | Path = "data/wikidata-cache.sqlite3",
                 contact: str = "", language: str = "en", timeout: float = 30.0, sleep=time.sleep):
        if rate <= 0:
            raise WikidataError("wikidata_rate must be greater than 0 (requests per second)")
        self.api = api
        self.interval = 1.0 / rate
        self.contact = contact.strip()
        self.language = language
        self.timeout = timeout
        self.cache = Cache(cache)
        self.sleep = sleep
        self.sent = 0  # requests sent over the network, retries included
        self._last = None
        self._session = None

    def close(self):
        self.cache.close()
        if self._session is not None:
            self._session.close()

    # --- the two API calls ---------------------------------------------------------------------------
    def search(self, text: str, limit: int = 10) -> tuple[list[dict], str]:
        """wbsearchentities: items whose label or alias matches `text` (language en); with the fetch date."""
        key = f"search|{self.api}|{self.language}|{limit}|{text}"
        hit = self.cache.get(key)
        if hit:
            return hit
        body = self._get({"action": "wbsearchentities", "search": text, "language": self.language,
                          "uselang": self.language, "type": "item", "limit": str(limit)})
        results = body.get("search")
        if not isinstance(results, list) or not all(isinstance(r, dict) and isinstance(r.get("id"), str)
                                                    for r in results):
            raise WikidataError(f"the Wikidata API at {self.api} answered wbsearchentities without a list of "
                                "results ('search')")
        fetched = _today()
        self.cache.put(key, results, fetched)
        return results, fetched

    def entities(self, qids, props: str = "labels|descriptions|aliases|claims") -> dict[str, tuple[dict, str]]:
        """wbgetentities for every QID not cached yet, 50 at a time: QID → (entity JSON, fetch date).
        A QID Wikidata does not have comes back as {"id": …, "missing": ""}."""
        out: dict[str, tuple[dict, str]] = {}
        wanted = []
        for qid in dict.fromkeys(qids):
            hit = self.cache.get(self._entity_key(qid, props))
            if hit:
                out[qid] = hit
            else:
                wanted.append(qid)
        for i in range(0, len(wanted), BATCH):
            batch = wanted[i:i + BATCH]
            body = self._get({"action": "wbgetentities", "ids": "|".join(batch), "props": props,
                              "languages": self.language})
            entities = body.get("entities")
            if not isinstance(entities, dict):
                raise WikidataError(f"the Wikidata API at {self.api} answered wbgetentities without 'entities'")
            fetched = _today()
            for qid in batch:
                entity = entities.get(qid)
                if not isinstance(entity, dict):
                    # a redirected QID is answered under its target's id; keep it under the one asked for
                    entity = next((e for e in entities.values() if isinstance(e, dict)
                                   and e.get("redirects", {}).get("from") == qid), None)
                if not isinstance(entity, dict):
                    raise WikidataError(f"the Wikidata API at {self.api} answered wbgetentities without {qid}")
                self.cache.put(self._entity_key(qid, props), entity, fetched)
                out[qid] = (entity, fetched)
        return out

    def _entity_key(self, qid: str, props: str) -> str:
        return f"entity|{self.api}|{self.language}|{props}|{qid}"

    # --- one request, politely --------------------------------------------------------------------------
    def _get(self, params: dict) -> dict:
        import requests

        if not self.contact:
            raise WikidataError("set wikidata_contact (--wikidata-contact or COMMUNIQUE_WIKIDATA_CONTACT) to a URL "
                                "or e-mail address where Wikimedia can reach you: their User-Agent policy asks "
                                "every client for one; no request was sent")
        if self._session is None:
            self._session = requests.Session()
            self._session.headers.update({"User-Agent": user_agent(self.contact), "Accept": "application/json",
                                          "Accept-Encoding": "gzip"})
        params = {**params, "format": "json", "maxlag": str(MAXLAG)}
        what = params["action"]
        backoff = float(MAXLAG)
        for attempt in range(RETRIES + 1):
            self._wait()
            try:
                response = self._session.get(self.api, params=params, timeout=self.timeout)
            except requests.RequestException as exc:
                raise WikidataError(f"cannot reach the Wikidata API at {self.api}: {_reason(exc)}") from None
            finally:
                self.sent += 1
                self._last = time.monotonic()
            body = None
            try:
                body = response.json()
            except ValueError:
                pass
            error = body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), dict) else None
            code = error.get("code") if error else None
            if response.status_code == 429 or code in ("maxlag", "ratelimited"):
                if attempt == RETRIES:
                    raise WikidataError(f"the Wikidata API at {self.api} still asks to wait ({code or 'HTTP 429'}) "
                                        f"after {RETRIES} retries; try again later")
                wait = _retry_after(response.headers.get("Retry-After"), backoff)
                if wait > LONGEST_WAIT:
                    raise WikidataError(f"the Wikidata API at {self.api} asks to wait {wait:.0f} s "
                                        f"({code or 'HTTP 429'}); try again later")
                backoff *= 2
                self.sleep(wait)
                continue
            if response.status_code >= 400:
                detail = f": {code}: {error.get('info', '')}" if error else ""
                raise WikidataError(f"the Wikidata API at {self.api} answered {what} with HTTP "
                                    f"{response.status_code} {response.reason or ''}".rstrip() + detail)
            if not isinstance(body, dict):
                raise WikidataError(f"the Wikidata API at {self.api} answered {what} with something that is not "
                                    f"a JSON object ({response.headers.get('Content-Type', 'no content type')}, "
                                    f"{len(response.content)} bytes)")
            if error:
                raise WikidataError(f"the Wikidata API at {self.api} refused {what}: {code}: {error.get('info', '')}")
            return body
        raise AssertionError("unreachable")

    def _wait(self):
        if self._last is not None:
            left = self._last + self.interval - time.monotonic()
            if left > 0:
                self.sleep(left)


def _retry_after(header: str | None, default: float) -> float:
    try:
        return max(0.0, float(header)) if header is not None else default
    except ValueError:
        return default


def _reason(exc) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out", "No route to host",
                   "Temporary failure in name resolution", "Network is unreachable"):
        if marker.lower() in text.lower():
            return marker.lower()
    return type(exc).__name__


def _today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


# --- reading an entity's JSON (the canonical Wikibase JSON of wbgetentities) ----------------------------------
def label(entity: dict, language: str = "en") -> str:
    return ((entity.get("labels") or {}).get(language) or {}).get("value", "")


def description(entity: dict, language: str = "en") -> str:
    return ((entity.get("descriptions") or {}).get(language) or {}).get("value", "")


def aliases(entity: dict, language: str = "en") -> list[str]:
    return [a.get("value", "") for a in (entity.get("aliases") or {}).get(language) or [] if isinstance(a, dict)]


def statements(entity: dict, prop: str) -> list[dict]:
    """The statements of a property, deprecated ones left out."""
    return [s for s in (entity.get("claims") or {}).get(prop) or []
            if isinstance(s, dict) and s.get("rank") != "deprecated"]


def snak_value(snak: dict):
    if not isinstance(snak, dict) or snak.get("snaktype") != "value":
        return None
    return (snak.get("datavalue") or {}).get("value")


def item_values(entity: dict, prop: str) -> list[str]:
    """The QIDs a property points to (wikibase-item values)."""
    out = []
    for s in statements(entity, prop):
        value = snak_value(s.get("mainsnak"))
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            out.append(value["id"])
        elif isinstance(value, dict) and isinstance(value.get("numeric-id"), int):
            out.append(f"Q{value['numeric-id']}")
    return out


def year_of(value) -> int | None:
    """The year of a time value ({"time": "+1941-04-29T00:00:00Z", "precision": 11, …}), when it is known to
    the year at least (precision 9 or finer)."""
    if not isinstance(value, dict) or not isinstance(value.get("time"), str):
        return None
    if not isinstance(value.get("precision"), int) or value["precision"] < 9:
        return None
    text = value["time"]
    sign = -1 if text.startswith("-") else 1
    try:
        return sign * int(text.lstrip("+-").split("-", 1)[0])
    except ValueError:
        return None


def years(entity: dict, prop: str) -> list[int]:
    return [y for s in statements(entity, prop) if (y := year_of(snak_value(s.get("mainsnak")))) is not None]


def qualifier_year(statement: dict, prop: str) -> int | None:
    for snak in (statement.get("qualifiers") or {}).get(prop) or []:
        y = year_of(snak_value(snak))
        if y is not None:
            return y
    return None
