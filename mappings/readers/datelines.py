"""Wire datelines: where and when a story was filed, at the head of its first paragraph.

    GENEVA, Feb. 23, 2015 (Reuters) - …          place, month day, year, agency
    NAIROBI, July 7 (Xinhua) -- …                 no year: the year comes from elsewhere
    MOSCOW, December 9. /TASS/. …                 TASS's style
    WASHINGTON (AP) — …                           an agency and no date
    SAN JOSE, Costa Rica, 4 March 2004 – …        a place with its country; day before month
    NAIROBI — …                                   a place in capitals and a dash
    Addis Ababa March 14/2019 (ENA) …             ENA's style: month day/year, then the agency
    La Paz, March 2018 — …                         a month and year only

A dateline must end in an agency or a dash: "Moscow, January 5 was cold" is a sentence, not a
dateline. The place is kept as text; the engine reads its name like a citation's (a mention that
takes no part in a fact) and as what "here" refers to.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..dates import DateValue, valid_day
from .common import MONTHS

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_WORD = r"[A-Z][A-Za-z'’.\-]*"
_PLACE = rf"{_WORD}(?:[ \-]{_WORD}){{0,3}}(?:,\s+{_WORD}(?: {_WORD}){{0,2}})?"
_DATE = (rf"(?:(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})|(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH}))"
         rf"(?:,?\s+(?P<year>\d{{4}}))?")
_AGENCY = r"\((?P<agency>[A-Za-z][\w .&'’/-]{0,40}?)\)"
_DASH = r"\s*(?:--?|–|—|:)\s+"

FORMS = [re.compile(rf"(?P<place>{_PLACE}){tail}") for tail in (
    rf",\s+{_DATE}\.?\s*/(?P<agency>[A-Za-z][\w .-]{{0,30}})/\.?\s+",   # TASS: CITY, Month D. /TASS/.
    rf"(?:,\s+{_DATE})?\s*{_AGENCY}{_DASH}",                                # CITY[, DATE] (Agency) -
    rf",\s+{_DATE}{_DASH}",                                                  # CITY, DATE -
    rf",?\s+(?P<m3>{_MONTH})\s+(?P<d3>\d{{1,2}})/(?P<year3>\d{{4}})\s*{_AGENCY}\s*",  # ENA: City Month D/YYYY (ENA)
    rf",\s+(?P<m4>{_MONTH})\s+(?P<year4>\d{{4}}){_DASH}",                   # City, Month YYYY — (a month only)
)]
CAPITALS = re.compile(r"(?P<place>[A-Z][A-Z'’.\-]+(?:[ \-][A-Z][A-Z'’.\-]+){0,3}(?:,\s+[A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+)?)?)"
                      r"\s*(?:--?|–|—)\s+(?=[A-Z\"“‘'])")


@dataclass
class Dateline:
    start: int
    end: int  # the first character of the story after the dateline
    place: str
    agency: str | None
    date_text: str | None
    month: int | None = None
    day: int | None = None
    year: int | None = None

    def date(self, year: int | None = None) -> DateValue | None:
        """The dateline's date; `year` fills in one the dateline does not state."""
        y = self.year or year
        if y and self.month and self.day and valid_day(y, self.month, self.day):
            return DateValue(y, self.month, self.day)
        if self.year and self.month and not self.day:
            return DateValue(self.year, self.month)  # "La Paz, March 2018 —": the month, as stated
        return None


def find(text: str, start: int) -> Dateline | None:
    """The dateline at offset `start` of `text` (the head of a paragraph), if there is one."""
    for form in FORMS:
        m = form.match(text, start)
        if m:
            break
    if m:
        g = m.groupdict()
        if g.get("m3"):
            g.update(m1=g["m3"], d1=g["d3"], year=g["year3"])
        if g.get("m4"):
            g.update(m2=g["m4"], year=g["year4"])
        month, day = g.get("m1") or g.get("m2"), g.get("d1") or g.get("d2")
        date_text = None
        if g.get("m3"):
            date_text = text[m.start("m3"):m.end("year3")]
        elif g.get("m4"):
            date_text = text[m.start("m4"):m.end("year4")]
        elif month:
            first = m.start("m1") if g.get("m1") else m.start("d2")
            last = m.end("year") if g.get("year") else m.end("d1") if g.get("d1") else m.end("m2")
            date_text = text[first:last]
        return Dateline(m.start(), m.end(), m["place"], (g.get("agency") or "").strip() or None, date_text,
                        MONTHS.get(month.rstrip(".").lower()) if month else None,
                        int(day) if day else None, int(g["year"]) if g.get("year") else None)
    m = CAPITALS.match(text, start)
    if m and any(c.islower() for c in text[m.end():m.end() + 40]):  # a capitalised headline is no dateline
        return Dateline(m.start(), m.end(), m["place"], None, None)
    return None
