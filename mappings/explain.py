"""Plain-text explanation of an extraction: every fact, its sentence, span and rule."""
from __future__ import annotations

from .model import Extraction


def explain(x: Extraction) -> str:
    label = lambda key: x.entities[key].label  # noqa: E731
    lines = [f"# {x.article.source_file}  (date {x.date or 'unknown'}: {x.date_basis})", ""]
    for n, m in enumerate(x.meetings, 1):
        head = " + ".join(label(p) for p in m.participants)
        where = f" in {label(m.location)}" if m.location else ""
        when = f" on {m.date}" if m.date else ""
        lines.append(f"meeting {n}: {head}{where}{when} [{m.status.lower()}]")
        lines += _evidence(x, m.evidence)
    for n, p in enumerate(x.positions, 1):
        action = f" ({p.action.lower()})" if p.action else ""
        verb = "supports" if p.stance == "Support" else "opposes"
        lines.append(f"position {n}: {label(p.holder)} {verb} {label(p.topic)}{action}")
        lines += _evidence(x, p.evidence)
    if not x.meetings and not x.positions:
        lines.append("no meeting or position found")
    lines.append("")
    return "\n".join(lines) + "\n"


def _evidence(x: Extraction, evidence) -> list[str]:
    out = []
    for ev in evidence:
        span = x.article.text[ev.start:ev.end]
        out.append(f"    rule     {ev.rule}")
        out.append(f"    matched  \"{span}\"  (characters {ev.start}-{ev.end})")
        out.append(f"    sentence \"{ev.sentence.text}\"")
        if ev.cited:
            out.append(f"    sources  {', '.join(x.entities[c].label for c in ev.cited)}")
    return out
