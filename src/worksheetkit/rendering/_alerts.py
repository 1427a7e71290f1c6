"""The alerts a response raised, for every view a clinician reads (HTML banner, Markdown block).

An alert is shown whatever the answers hide: the scoring engine decides which alerts fired, and
this module only says them in words — severity as a word (never colour alone), the clinician's
message, the score and the items its condition reads. Nothing here depends on show_if.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._text import Localiser
from .._text import md_escape as esc
from ..model import Response, Section, Table, Worksheet, display_label

SEVERITY_ORDER = {"urgent": 0, "warning": 1, "info": 2}

# The banner's own words, per interface language (English for the others).
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Alerts — read before the answers",
        "title_urgent": "Urgent alert — read before the answers",
        "urgent": "Urgent",
        "warning": "Warning",
        "info": "Note",
        "score": "Score",
        "items": "Item",
        "band": "{score} is in the band “{band}”.",
    },
    "es": {
        "title": "Alertas — leer antes de las respuestas",
        "title_urgent": "Alerta urgente — leer antes de las respuestas",
        "urgent": "Urgente",
        "warning": "Aviso",
        "info": "Nota",
        "score": "Puntuación",
        "items": "Ítem",
        "band": "{score} está en la banda «{band}».",
    },
}


def alert_words(language: str) -> dict[str, str]:
    return WORDS.get(language) or WORDS.get(language.split("-")[0].lower()) or WORDS["en"]


@dataclass(frozen=True)
class AlertView:
    """One raised alert, in words."""

    severity: str  # urgent | warning | info
    severity_text: str
    message: str
    score: str  # the score's label
    items: tuple[tuple[str, str], ...] = ()  # (item id, item label) the condition reads


def _labels(ws: Worksheet, loc: Localiser) -> dict[str, str]:
    out: dict[str, str] = {}

    def walk(items: list[Any], path: str) -> None:
        for i, item in enumerate(items):
            p = f"{path}[{i}]"
            if isinstance(item, Section):
                walk(item.items, f"{p}.items")
            elif getattr(item, "id", None) and item.type not in ("note", "media"):
                out[item.id] = loc.text(display_label(item), f"{p}.label")
                if isinstance(item, Table):
                    for k, col in enumerate(item.columns):
                        out.setdefault(
                            col.id, loc.text(display_label(col), f"{p}.columns[{k}].label")
                        )

    walk(ws.items, "$.items")
    return out


def _refs(source: str) -> list[str]:
    from ..expressions import ExpressionSyntaxError, parse, references

    try:
        return sorted(references(parse(source)))
    except ExpressionSyntaxError:
        return []


def response_alerts(ws: Worksheet, response: Response, loc: Localiser) -> list[AlertView]:
    """Every alert the worksheet's scores raise on this response, most severe first.

    Also a band marked ``severity: urgent`` or ``warning`` (the score fell in it). The order
    within one severity is the worksheet's.
    """
    if not ws.scores:
        return []
    from ..model import text_in
    from ..responses import score as score_response

    words = alert_words(loc.language)
    labels = _labels(ws, loc)
    results = score_response(ws, response, language=loc.language)
    out: list[AlertView] = []
    for i, s in enumerate(ws.scores):
        result = results.get(s.id)
        if result is None:
            continue
        score_label = loc.text(s.label, f"$.scores[{i}].label") or s.id
        fired = list(result.alerts)
        # The engine keeps the declared order; walk the declarations to learn what each read.
        k = 0
        for alert in s.alerts:
            if k >= len(fired):
                break
            message = text_in(alert.message, loc.language, ws.language)
            if fired[k].message != message or fired[k].severity != alert.severity:
                continue
            ids = [r for r in _refs(alert.when) if r in labels]
            out.append(
                AlertView(
                    alert.severity,
                    words.get(alert.severity, alert.severity),
                    message,
                    score_label,
                    tuple((r, labels[r]) for r in ids),
                )
            )
            k += 1
        for extra in fired[k:]:  # never drop an alert the engine raised
            out.append(
                AlertView(
                    extra.severity, words.get(extra.severity, extra.severity), extra.message,
                    score_label,
                )
            )  # fmt: skip
        if result.band_severity in ("urgent", "warning") and result.band:
            out.append(
                AlertView(
                    result.band_severity,
                    words[result.band_severity],
                    words["band"].format(score=score_label, band=result.band),
                    score_label,
                )
            )
    out.sort(key=lambda a: SEVERITY_ORDER.get(a.severity, 3))
    return out


def alerts_markdown(alerts: list[AlertView], language: str) -> str:
    """The alert block for a Markdown view (a quote block, words before anything else).

    Empty when nothing was raised. Text is escaped so an alert message cannot become markup.
    """
    if not alerts:
        return ""
    words = alert_words(language)
    urgent = any(a.severity == "urgent" for a in alerts)
    lines = [f"> **{esc(words['title_urgent' if urgent else 'title'])}**", ">"]
    for a in alerts:
        line = f"> - **{esc(a.severity_text.upper())}:** {esc(a.message)}"
        line += f" ({esc(words['score'])}: {esc(a.score)}"
        if a.items:
            named = "; ".join(f"{label} ({ident})" for ident, label in a.items)
            line += f"; {esc(words['items'])}: {esc(named)}"
        lines.append(line + ")")
    return "\n".join(lines) + "\n\n"
