"""What the readers share: decoding, dates written by people or programs, ids and content hashes."""
from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata

from ..dates import DateValue, valid_day
from ..text import ArticleError

MONTHS = {m.lower(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"], 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9

ARTICLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text (a byte-order mark is dropped); a binary or undecodable file is an error."""
    if b"\x00" in raw[:65536]:
        raise ArticleError(f"{name}: contains NUL bytes; is it a binary file?")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"{name}: is not UTF-8 text (bad byte at offset {exc.start}); "
                           "convert it, e.g. `iconv -f latin1 -t utf-8`") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def text_or_none(value) -> str | None:
    """A metadata value as text, or None when it is missing or blank."""
    return str(value).strip() or None if value is not None else None


def check_id(article_id: str, where: str) -> str:
    if not ARTICLE_ID.match(article_id):
        raise ArticleError(f"{where}: {article_id!r} cannot name an article: use letters, digits, '_', '-' "
                           "or '.' (at most 128, starting with a letter or digit)")
    return article_id


def content_hash(text: str) -> str:
    """A hash of the article's words, blind to layout: the same text with other line breaks, spacing or
    Unicode normalisation is the same article."""
    words = unicodedata.normalize("NFC", text).split()
    return "sha256:" + hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


_WRITTEN = [  # "March 4, 2019", "4 March 2019", "Mar. 4 2019", "March 2019"
    re.compile(r"^(?P<month>[A-Za-z]+)\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})$"),
    re.compile(r"^(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]+)\.?,?\s+(?P<year>\d{4})$"),
    re.compile(r"^(?P<month>[A-Za-z]+)\.?\s+(?P<year>\d{4})$"),
]


def parse_date(value, where: str) -> DateValue | None:
    """A date as front matter, page metadata or a row gives it: a YAML date, ISO 8601 (a date, a
    year-month, a year, or a timestamp, whose date is taken as written), or an English date such as
    "March 4, 2019". Empty means undated; anything else is an error that says what was expected."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return DateValue(value.year, value.month, value.day)
    if isinstance(value, datetime.date):
        return DateValue(value.year, value.month, value.day)
    if isinstance(value, int) and 1000 <= value <= 2999:
        return DateValue(value)
    text = str(value).strip()
    m = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", text)
    if m:
        y, mo, d = int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None
        if (mo is None or 1 <= mo <= 12) and (d is None or valid_day(y, mo, d)):
            return DateValue(y, mo, d)
    else:
        try:
            stamp = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return DateValue(stamp.year, stamp.month, stamp.day)
        except ValueError:
            pass
        for rx in _WRITTEN:
            w = rx.match(text)
            month = MONTHS.get(w["month"].lower()) if w else None
            if w and month:
                y = int(w["year"])
                if "day" not in rx.groupindex:
                    return DateValue(y, month)
                if valid_day(y, month, int(w["day"])):
                    return DateValue(y, month, int(w["day"]))
    raise ArticleError(f"{where}: date {text!r} is not a date; write YYYY-MM-DD (or YYYY-MM, YYYY, "
                       "an ISO 8601 timestamp, or 'March 4, 2019')")
