"""Dates in articles: "February 23", "Feb. 23, 1999", "in March", "early next month".

A date's year comes from the text, else from the article (its date, or the
Monitor's volume: volume 1 is 1995). The value is typed as precisely as the
text allows: xsd:date, xsd:gYearMonth or xsd:gYear.
"""
from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

MONITOR_FIRST_YEAR = 1995


@dataclass(frozen=True)
class DateValue:
    year: int
    month: int | None = None
    day: int | None = None

    @property
    def datatype(self) -> str:
        if self.day is not None:
            return "date"
        if self.month is not None:
            return "gYearMonth"
        return "gYear"

    def __str__(self) -> str:
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def shifted_months(self, months: int) -> "DateValue":
        total = self.year * 12 + (self.month or 1) - 1 + months
        return DateValue(total // 12, total % 12 + 1)

    def sort_key(self):
        return (self.year, self.month or 0, self.day or 0)


def year_from_volume(volume: int | None) -> int | None:
    return MONITOR_FIRST_YEAR + volume - 1 if volume else None


def valid_day(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


@dataclass
class DateMatch:
    start: int  # token index, inclusive
    end: int  # token index, exclusive
    month: int | None = None
    day: int | None = None
    year: int | None = None
    relative_months: int | None = None
    weekday: int | None = None  # 0 = Monday
    direction: int = 0  # for a weekday: -1 "last Friday", +1 "next Friday", 0 the tense decides
    day_offset: int | None = None  # "today" 0, "yesterday" -1, "tomorrow" 1
    future: bool = False  # the sentence speaks of what is to come ("will meet on Friday")
    previous: bool = False  # "shortly afterwards": the date of the last event reported
    previous_offset: int = 0  # "the next day": that date and one day
    no_date: bool = False


class DateFinder:
    """Finds date expressions in a token list; the phrases come from the lexicon."""

    def __init__(self, months: dict[str, int], relative_months: dict[str, int], no_date: list[str],
                 weekdays: list[str] = (), previous: dict[str, int] | None = None,
                 day_offsets: dict[str, int] | None = None,
                 future_cues: list[str] = ()):
        self.months = {k.lower(): v for k, v in months.items()}
        self.day_offsets = sorted(((tuple(k.lower().split()), v) for k, v in (day_offsets or {}).items()),
                                  key=lambda kv: -len(kv[0]))
        self.future_cues = {tuple(c.lower().split()) for c in future_cues}
        self._future_first = {c[0] for c in self.future_cues}
        self.weekdays = {w.lower(): n for n, w in enumerate(weekdays)}
        self.previous = sorted(((tuple(k.lower().split()), v) for k, v in (previous or {}).items()),
                               key=lambda kv: -len(kv[0]))
        self.relative = sorted(((tuple(k.lower().split()), v) for k, v in relative_months.items()),
                               key=lambda kv: -len(kv[0]))
        self.no_date = sorted((tuple(k.lower().split()) for k in no_date), key=lambda k: -len(k))

    def find(self, tokens) -> list[DateMatch]:
        lowers = [t.text.lower() for t in tokens]
        future = any(tuple(lowers[k:k + len(c)]) == c for k, w in enumerate(lowers) if w in self._future_first
                     for c in self.future_cues)
        found: list[DateMatch] = []
        i = 0
        while i < len(tokens):
            match = self._at(tokens, i)
            if match:
                match.future = future
                found.append(match)
                i = match.end
            else:
                i += 1
        return found

    def _at(self, tokens, i) -> DateMatch | None:
        lowers = tuple(t.text.lower() for t in tokens[i:i + 6])
        best = None  # the longest phrase wins: "shortly afterwards" over "shortly"
        for table, kind in ((self.relative, "relative"), (self.no_date, "none"), (self.previous, "previous"),
                            (self.day_offsets, "day")):
            for entry in table:
                words = entry if kind == "none" else entry[0]
                if lowers[:len(words)] == words and (best is None or len(words) > best[0]):
                    best = (len(words), kind, entry)
        if best:
            n, kind, entry = best
            if kind == "relative":
                return DateMatch(i, i + n, relative_months=entry[1])
            if kind == "day":
                return DateMatch(i, i + n, day_offset=entry[1])
            if kind == "previous":
                return DateMatch(i, i + n, previous=True, previous_offset=entry[1])
            return DateMatch(i, i + n, no_date=True)
        tok = tokens[i]
        if tok.text[:1].isupper() and tok.text.lower() in self.weekdays and i:
            prev = tokens[i - 1].text.lower()
            nxt = tokens[i + 1].text.lower() if i + 1 < len(tokens) else ""
            if prev in ("a", "the", "every", "each") or nxt in ("'s", "’s"):
                return None  # "every Friday", "Friday's vote" (a weekday as a name) give no date
            direction = {"last": -1, "past": -1, "next": 1, "coming": 1}.get(prev, 0)
            return DateMatch(i - (direction != 0), i + 1, weekday=self.weekdays[tok.text.lower()],
                             direction=direction)
        day_first = _day_number(tok.text)
        m = i + 1  # the month, after the day and its ordinal suffix ("15th" is two tokens)
        if m < len(tokens) and tokens[m].start == tok.end and tokens[m].text.lower() in ORDINAL_SUFFIXES:
            m += 1
        if day_first and m < len(tokens) and tokens[m].text[:1].isupper() and tokens[m].text.lower() in self.months:
            # "24 January 2018", "15th September": the day before the month
            j = m + 1
            if j < len(tokens) and tokens[j].text == "." and tokens[j].start == tokens[m].end \
                    and len(tokens[m].text) <= 4:
                j += 1  # "24 Jan. 2018"
            year = None
            if j < len(tokens) and _is_year(tokens[j].text):
                year, j = int(tokens[j].text), j + 1
            elif j + 1 < len(tokens) and tokens[j].text == "," and _is_year(tokens[j + 1].text):
                year, j = int(tokens[j + 1].text), j + 2
            return DateMatch(i, j, month=self.months[tokens[m].text.lower()], day=day_first, year=year)
        month = self.months.get(tok.text.lower()) if tok.text[:1].isupper() else None
        if month is None:
            return None
        j = i + 1
        if j < len(tokens) and tokens[j].text == "." and tokens[j].start == tok.end and len(tok.text) <= 4:
            j += 1  # "Feb." (not the full stop after "in April.")
        day = year = None
        if j < len(tokens) and tokens[j].text.isdigit() and 1 <= int(tokens[j].text) <= 31 and len(tokens[j].text) <= 2:
            day = int(tokens[j].text)
            j += 1
            if j + 1 < len(tokens) and tokens[j].text == "," and _is_year(tokens[j + 1].text):
                year = int(tokens[j + 1].text)
                j += 2
        elif j < len(tokens) and _is_year(tokens[j].text):
            year = int(tokens[j].text)
            j += 1
        else:
            # a bare month name: only as a date after "in", "early", "late", "mid-",
            # or before "meeting", "summit", etc. ("a scheduled March meeting").
            prev = tokens[i - 1].text.lower() if i else ""
            nxt = tokens[j].text.lower() if j < len(tokens) else ""
            if tok.text == "May" and prev not in ("in", "early", "late", "mid", "since", "until", "by"):
                return None
            if prev not in ("in", "early", "late", "mid", "since", "until", "by", "of", "this", "next", "last",
                            "scheduled", "planned", "expected", "a", "the") and not nxt.isalpha():
                return None
            direction = {"last": -1, "next": 1}.get(prev, 0)
            if direction:  # "last June": the latest June before the article's date; "next March": the first after
                return DateMatch(i - 1, j, month=month, direction=direction)
        return DateMatch(i, j, month=month, day=day, year=year)


ORDINAL_SUFFIXES = ("st", "nd", "rd", "th")


def _day_number(text: str) -> int | None:
    """The day of "24", else None."""
    return int(text) if text.isdigit() and len(text) <= 2 and 1 <= int(text) <= 31 else None


def _is_year(text: str) -> bool:
    return text.isdigit() and len(text) == 4 and 1900 <= int(text) <= 2100


def resolve(match: DateMatch, year: int | None, reference: DateValue | None,
            previous: DateValue | None = None, exact: bool = False) -> DateValue | None:
    """The value of a date expression, given the article's year, its date and the last event's date.

    `exact` says the article's date is stated (front matter, dateline, page metadata) rather than
    inferred from its source citations: only then do "today" and "yesterday" name a day."""
    if match.no_date:
        return None
    if match.previous:
        if not match.previous_offset or previous is None:
            return previous
        if previous.day is None:
            return None  # "the next day" after a month names no day
        day = datetime.date(previous.year, previous.month, previous.day) + datetime.timedelta(days=match.previous_offset)
        return DateValue(day.year, day.month, day.day)
    if match.day_offset is not None:
        if reference is None or reference.day is None or not exact:
            return None  # "yesterday" from an inferred date would only be a guess
        day = datetime.date(reference.year, reference.month, reference.day) + datetime.timedelta(days=match.day_offset)
        return DateValue(day.year, day.month, day.day)
    if match.weekday is not None:
        if reference is None or reference.day is None:
            return None
        ref = datetime.date(reference.year, reference.month, reference.day)
        ahead = match.direction > 0 or (match.direction == 0 and match.future and exact)
        if ahead:  # "will meet on Friday", "next Friday": the first such day after the article's date
            day = ref + datetime.timedelta(days=(match.weekday - ref.weekday() - 1) % 7 + 1)
        else:  # "met on Friday", "last Friday": the latest such day on or before it (before, for "last")
            back = (ref.weekday() - match.weekday) % 7
            day = ref - datetime.timedelta(days=back or (7 if match.direction < 0 else 0))
        return DateValue(day.year, day.month, day.day)
    if match.relative_months is not None:
        if reference is None or reference.month is None:
            return None
        return reference.shifted_months(match.relative_months)
    y = match.year or (reference.year if reference else year)
    if y is None or match.month is None:
        return None
    if match.direction and match.year is None and match.day is None:
        if reference is None or reference.month is None:
            return None
        if match.direction < 0:
            return DateValue(reference.year - (match.month >= reference.month), match.month)
        return DateValue(reference.year + (match.month <= reference.month), match.month)
    if match.year is None and reference is not None and reference.month is not None:
        # Roll over a year boundary: in a January article "December 28" is last year's.
        diff = (match.month - reference.month) % 12
        if match.month > reference.month and diff > 6:
            y -= 1
        elif match.month < reference.month and (reference.month - match.month) > 6:
            y += 1
    if match.day is not None:
        if not valid_day(y, match.month, match.day):
            return None
        return DateValue(y, match.month, match.day)
    return DateValue(y, match.month)
