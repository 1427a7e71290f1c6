"""The JSON Schemas (Draft 2020-12) of the results' ``to_dict()`` form, one per result type.

Written by hand, next to each other, from the ``to_dict()`` methods: every object is closed
(``additionalProperties: false``) and lists every key as required, so a key that ``to_dict()``
adds or drops without this file following fails ``tests/test_results_roundtrip.py``.
"""

from __future__ import annotations

import copy
from typing import Any, Final

Schema = dict[str, Any]

# ISO 8601 as ``instant_text`` writes it: seconds, or microseconds, and a UTC offset (zones
# before 1900-ish had offsets in seconds: +00:19:32).
_OFFSET = r"[+-]\d{2}:\d{2}(:\d{2}(\.\d{6})?)?"
_INSTANT: Final[Schema] = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?" + _OFFSET + "$",
}
_UTC: Final[Schema] = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$",
}
_DATE: Final[Schema] = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_STR: Final[Schema] = {"type": "string"}
_OPT_STR: Final[Schema] = {"type": ["string", "null"]}
_INT: Final[Schema] = {"type": "integer"}
_COUNT: Final[Schema] = {"type": "integer", "minimum": 0}
_OPT_INT: Final[Schema] = {"type": ["integer", "null"]}
_NUM: Final[Schema] = {"type": "number"}
_OPT_NUM: Final[Schema] = {"type": ["number", "null"]}
_BOOL: Final[Schema] = {"type": "boolean"}
# A location inside a document: keys and list indexes from the root ([] is the root).
_PATH: Final[Schema] = {
    "type": "array",
    "items": {"oneOf": [{"type": "string"}, {"type": "integer", "minimum": 0}]},
}
# The keys Diagnostic and Problem share, in to_dict() order.
_PROBLEM: Final[dict[str, Schema]] = {
    "code": {"type": "string", "minLength": 1},
    "severity": {"enum": ["error", "warning"]},
    "message": _STR,
    "hint": _OPT_STR,
}
_PATHS: Final[dict[str, Schema]] = {
    "path": _PATH,
    "json_path": {"type": "string", "pattern": "^\\$"},
    "json_pointer": {"type": "string", "pattern": "^$|^/"},
}
_TIMING: Final[Schema] = {"enum": ["flexible", "strict"]}
_STATUSES = [
    "completed_on_time",
    "completed_late",
    "partial",
    "missed",
    "excused",
    "open",
    "upcoming",
]
_EXTRA = ["no_occurrence", "after_grace", "unknown_occurrence", "repeat", "excused"]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/{name}"}


def _list(item: Schema) -> Schema:
    return {"type": "array", "items": item}


def _map(value: Schema) -> Schema:
    return {"type": "object", "additionalProperties": value}


def _obj(description: str, properties: dict[str, Schema]) -> Schema:
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _optional(
    optional: dict[str, Schema], description: str, properties: dict[str, Schema]
) -> Schema:
    """:func:`_obj` with ``optional`` keys that may be left out."""
    out = _obj(description, properties)
    out["properties"].update(optional)
    return out


def _nullable(name: str) -> Schema:
    return {"anyOf": [_ref(name), {"type": "null"}]}


_SCORES: Final[dict[str, Schema]] = {
    "quantity": _OPT_NUM,
    "strict_rate": _OPT_NUM,
    "any_rate": _OPT_NUM,
    "quality": _OPT_NUM,
    "difficulty_weighted": _OPT_NUM,
    "obstacle_adjusted": _OPT_NUM,
    "engagement": _OPT_NUM,
    "level": _OPT_NUM,
    "streak": _obj("Streaks over scheduled occurrences.", {"current": _COUNT, "longest": _COUNT}),
    "counts": {
        "type": "object",
        "propertyNames": {"enum": _STATUSES},
        "additionalProperties": _COUNT,
    },
    "level_bias_corrected": _OPT_NUM,
    "difficulty_weighted_obstacle_adjusted": _OPT_NUM,
    "denominators": _obj(
        "How many occurrences each score is over (a score is null when its count is 0).",
        {
            "quantity": _COUNT,
            "quality": _COUNT,
            "difficulty_weighted": _COUNT,
            "obstacle_adjusted": _COUNT,
        },
    ),
    "mean_ratings": _obj(
        "Mean client ratings (0–4), null without ratings.",
        {"difficulty": _OPT_NUM, "obstacles": _OPT_NUM},
    ),
    "obstacle_excluded": _list(_STR),
}

#: Every result's object schema by its ``$defs`` name.
DEFS: Final[dict[str, Schema]] = {
    "Diagnostic": _optional(
        {"hidden": _COUNT, "hidden_errors": _COUNT},  # only on the closing WK099 line
        "One problem in a document (worksheetkit.Diagnostic).",
        {
            **_PROBLEM,
            "file": _OPT_STR,
            "line": {"type": ["integer", "null"], "minimum": 1},
            "column": {"type": ["integer", "null"], "minimum": 1},
            **_PATHS,
            "related": _list(_STR),
        },
    ),
    "Problem": _obj(
        "A fault found before it has a place in a file (worksheetkit.Problem).",
        {
            **_PROBLEM,
            **_PATHS,
            "offset": {"type": ["integer", "null"], "minimum": 0},
            "length": _COUNT,
        },
    ),
    "Occurrence": _obj(
        "One scheduled occurrence (worksheetkit.Occurrence).",
        {
            "id": _STR,
            "step": _OPT_STR,
            "worksheet": _STR,
            "opens": _INSTANT,
            "due": _INSTANT,
            "grace_until": _INSTANT,
            "opens_utc": _UTC,
            "due_utc": _UTC,
            "grace_until_utc": _UTC,
            "timezone": _OPT_STR,
            "timing": _TIMING,
            "reminders": _list(_INSTANT),
            "locked": _BOOL,
            "excused": _BOOL,
            "excused_reason": _OPT_STR,
        },
    ),
    "ScoreAlert": _obj(
        "A triggered alert (worksheetkit.responses.ScoreAlert).",
        {"severity": {"enum": ["info", "warning", "urgent"]}, "message": _STR},
    ),
    "ScoreResult": _obj(
        "One computed score (worksheetkit.responses.ScoreResult).",
        {
            "value": _OPT_NUM,
            "band": _OPT_STR,
            "alerts": _list(_ref("ScoreAlert")),
            "id": _STR,
            "label": _STR,
            "missing": _COUNT,
            "prorated": _BOOL,
            "band_severity": {"enum": ["none", "info", "warning", "urgent", None]},
        },
    ),
    "ResponseCheck": _obj(
        "Everything check-response reports (worksheetkit.responses.ResponseCheck).",
        {
            "valid": _BOOL,
            "fraction": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "diagnostics": _list(_ref("Diagnostic")),
            "scores": _map(_ref("ScoreResult")),
        },
    ),
    "PlanStep": _obj(
        "One step of a plan, in words (worksheetkit.scheduling.PlanStep).",
        dict.fromkeys(
            (
                "id",
                "title",
                "worksheet_title",
                "rationale",
                "note",
                "starts",
                "schedule",
                "unlock",
                "minutes",
            ),
            _STR,
        ),
    ),
    "PlanTask": _obj(
        "One step's tasks within one week (worksheetkit.scheduling.PlanTask).",
        {
            "step": _STR,
            "title": _STR,
            "count": _COUNT,
            "when": _STR,
            "locked": _STR,
            "excused": _COUNT,
        },
    ),
    "PlanWeek": _obj(
        "One week of a plan (worksheetkit.scheduling.PlanWeek).",
        {
            "number": _INT,
            "label": _STR,
            "first": _DATE,
            "last": _DATE,
            "starting": _list(_STR),
            "tasks": _list(_ref("PlanTask")),
        },
    ),
    "Plan": _obj(
        "An assignment's plan, week by week (worksheetkit.scheduling.Plan).",
        {
            "title": _STR,
            "summary": _STR,
            "rationale": _STR,
            "timezone": _STR,
            "language": _STR,
            "starts": _STR,
            "steps": _list(_ref("PlanStep")),
            "weeks": _list(_ref("PlanWeek")),
            "total": _COUNT,
        },
    ),
    "Change": _obj(
        "One difference between two worksheet versions (worksheetkit.diff.Change).",
        {
            "kind": {"enum": ["breaking", "compatible"]},
            "change": _STR,
            "item": _OPT_STR,
            "message": _STR,
        },
    ),
    "Affected": _obj(
        "A stored response a breaking change affects (worksheetkit.diff.Affected).",
        {"line": {"type": "integer", "minimum": 1}, "response": _OPT_STR, "changes": _list(_COUNT)},
    ),
    "WorksheetDiff": _obj(
        "Every change between two worksheet versions (worksheetkit.diff.WorksheetDiff).",
        {"old": _STR, "new": _STR, "changes": _list(_ref("Change"))},
    ),
    "Slot": _obj(
        "A scheduled occurrence as adherence sees it (worksheetkit.progress.Slot).",
        {
            "id": _STR,
            "opens": _INSTANT,
            "due": _INSTANT,
            "grace_until": _INSTANT,
            "timing": _TIMING,
            "step": _OPT_STR,
            "worksheet": _OPT_STR,
            "excused": _BOOL,
            "excused_reason": _OPT_STR,
            "difficulty": _OPT_NUM,
            "local_start": _OPT_STR,
        },
    ),
    "SubmissionRecord": _obj(
        "One response reduced to what adherence needs (worksheetkit.progress.SubmissionRecord).",
        {
            "submitted_at": _INSTANT,
            "fraction": _NUM,
            "occurrence": _OPT_STR,
            "step": _OPT_STR,
            "worksheet": _OPT_STR,
            "quality": _OPT_NUM,
            "difficulty": _OPT_NUM,
            "obstacles": _OPT_NUM,
            "obstacle_kind": {"enum": ["external", "internal", None]},
            "obstacle_note": _OPT_STR,
            "answered": _BOOL,
            "index": _INT,
            "id": _OPT_STR,
        },
    ),
    "OccurrenceResult": _obj(
        "One occurrence's status and credit (worksheetkit.progress.OccurrenceResult).",
        {
            "id": _STR,
            "status": {"enum": _STATUSES},
            "credit": _OPT_NUM,
            "step": _OPT_STR,
            "worksheet": _OPT_STR,
            "opens": _INSTANT,
            "due": _INSTANT,
            "grace_until": _INSTANT,
            "submitted_at": {"anyOf": [_INSTANT, {"type": "null"}]},
            "fraction": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "over": {"type": ["number", "null"], "exclusiveMinimum": 0},
            "planned_difficulty": _OPT_NUM,
            "obstacle": {"enum": ["external", "internal", None]},
            "excused_reason": _OPT_STR,
            "timing": _TIMING,
            "excused": _BOOL,
            "local_start": _OPT_STR,
            "submission": _nullable("SubmissionRecord"),
            "submissions": _COUNT,
            "obstacle_note": _OPT_STR,
        },
    ),
    "Extra": _obj(
        "A submission that counts for no occurrence (worksheetkit.progress.Extra).",
        {
            "submitted_at": _INSTANT,
            "reason": {"enum": _EXTRA},
            "occurrence": _OPT_STR,
            "fraction": {"type": "number", "minimum": 0, "maximum": 1},
            "submission": _ref("SubmissionRecord"),
        },
    ),
    "Scores": _obj(
        "Every score over one set of occurrences (worksheetkit.progress.Scores).", _SCORES
    ),
    "StepScores": _obj("One pathway step's scores and its n.", {**_SCORES, "n": _COUNT}),
    "Trend": _obj(
        "Weekly quantity and its slope (worksheetkit.progress.Trend).",
        {
            "slope": _OPT_NUM,
            "declining": {"type": ["boolean", "null"]},
            "weeks_used": _list(_INT),
            "weeks": _list(
                _obj(
                    "One week's quantity.",
                    {"week": _INT, "first_day": _DATE, "quantity": _OPT_NUM, "n": _COUNT},
                )
            ),
        },
    ),
    "Evaluation": _obj(
        "The adherence model's result (worksheetkit.progress.Evaluation).",
        {
            "occurrences": _list(_ref("OccurrenceResult")),
            "extra": _list(_ref("Extra")),
            "overall": _ref("Scores"),
            "steps": _map(_ref("Scores")),
            "trend": _ref("Trend"),
            "step_weighted": _map(_OPT_NUM),
        },
    ),
    "Point": _obj(
        "One value of a series (worksheetkit.progress.Point).",
        {
            "occurrence": _OPT_STR,
            "submitted_at": _INSTANT,
            "value": _NUM,
            "row": {"type": ["integer", "null"], "minimum": 0},
            "band": _OPT_STR,
        },
    ),
    "WeekMean": _obj(
        "One week's mean of a series.",
        {"week": _INT, "first_day": _DATE, "mean": _NUM, "n": _COUNT},
    ),
    "Series": _obj(
        "An item's, column's or score's values over time (worksheetkit.progress.Series).",
        {
            "id": _STR,
            "kind": {"enum": ["item", "column", "score"]},
            "worksheet": _STR,
            "label": _STR,
            "min": _OPT_NUM,
            "max": _OPT_NUM,
            "points": _list(_ref("Point")),
            "weekly": _list(_ref("WeekMean")),
        },
    ),
    "ObstacleReport": _obj(
        "An obstacle the client reported (worksheetkit.progress.ObstacleReport).",
        {
            "occurrence": _OPT_STR,
            "submitted_at": _INSTANT,
            "kind": _STR,
            "note": _OPT_STR,
            "status": {"enum": [*_STATUSES, None]},
        },
    ),
    "RaisedAlert": _obj(
        "An alert a score raised on one response (worksheetkit.progress.RaisedAlert).",
        {
            "occurrence": _OPT_STR,
            "submitted_at": _INSTANT,
            "worksheet": _STR,
            "score": _STR,
            "severity": {"enum": ["info", "warning", "urgent"]},
            "message": _STR,
        },
    ),
    "AdherenceReport": _optional(
        {"extra_practice_not_listed": {"type": "integer", "minimum": 1}},  # left out when 0
        "Adherence of one assignment as of one instant (worksheetkit.AdherenceReport).",
        {
            **_SCORES,
            "occurrences": _list(_ref("OccurrenceResult")),
            "steps": _map(_ref("StepScores")),
            "assignment": _STR,
            "as_of": _INSTANT,
            "timezone": _STR,
            "start": _DATE,
            "policy": _obj(
                "The knobs of the model.",
                {
                    "threshold": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                    "late_credit": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                },
            ),
            "weighting": _obj(
                "Scores are occurrence-weighted; step_weighted is the plain mean over steps.",
                {
                    "shown": {"const": "occurrence_weighted"},
                    "step_weighted": {"anyOf": [_map(_OPT_NUM), {"type": "null"}]},
                },
            ),
            "engagement_key": _obj(
                "The engagement scoring key (a heuristic).",
                {"name": _STR, "heuristic": {"const": True}},
            ),
            "trend": _ref("Trend"),
            "extra_practice": _list(_ref("Extra")),
            "obstacles": _list(_ref("ObstacleReport")),
            "alerts": _list(_ref("RaisedAlert")),
            "series": _list(_ref("Series")),
            "diagnostics": _list(_ref("Diagnostic")),
        },
    ),
}

# -- results described from their fields (JsonResult) -------------------------------------------


def _of_hint(hint: Any, defs: dict[str, Schema]) -> Schema:
    """The schema of a value of type ``hint`` as ``_results.to_data`` writes it; nested
    dataclasses are added to ``defs`` under their class name."""
    import collections.abc
    import dataclasses
    import datetime as dt
    import types
    import typing
    from pathlib import PurePath

    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return {}
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin in (typing.Union, types.UnionType):
        arms = [_of_hint(a, defs) for a in args if a is not type(None)]
        if type(None) in args:
            arms.append({"type": "null"})
        return arms[0] if len(arms) == 1 else {"anyOf": arms}
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        prefix = [_of_hint(a, defs) for a in args]
        return {"type": "array", "prefixItems": prefix, "items": False, "minItems": len(args)}
    if origin in (tuple, list):
        return _list(_of_hint(args[0], defs))
    if origin in (dict, collections.abc.Mapping):
        return _map(_of_hint(args[1], defs))
    simple = {bool: _BOOL, int: _INT, float: _NUM, str: _STR}
    if hint in simple:
        return dict(simple[hint])
    if isinstance(hint, type) and issubclass(hint, dt.datetime):
        return dict(_INSTANT)
    if isinstance(hint, type) and issubclass(hint, dt.date):
        return dict(_DATE)
    if isinstance(hint, type) and issubclass(hint, PurePath):
        return dict(_STR)
    name = getattr(hint, "__name__", "")
    if name in DEFS:  # a result with its own schema (Diagnostic …)
        return _ref(name)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if name not in defs:
            defs[name] = {}  # a placeholder while its fields are described
            defs[name] = _of_dataclass(hint, defs)
        return _ref(name)
    if isinstance(hint, type):  # a document model: its own published schema
        return {"type": "object", "description": f"a {name} document (schemas/{name.lower()}.json)"}
    raise TypeError(f"no schema for {hint!r}")  # pragma: no cover - a new field type


def _of_dataclass(cls: type, defs: dict[str, Schema]) -> Schema:
    from ._results import _hints, _serialised_fields

    hints = _hints(cls)
    doc = (cls.__doc__ or cls.__name__).strip().split("\n\n")[0]
    return _obj(
        " ".join(doc.split()),
        {key: _of_hint(hints[name], defs) for name, key, _ in _serialised_fields(cls)},
    )


def _described(path: str) -> None:
    """Add the schema of the class at ``module:Class`` (and of the dataclasses it holds) to
    ``DEFS``."""
    import importlib

    module, _, attr = path.partition(":")
    cls = getattr(importlib.import_module(module), attr)
    found: dict[str, Schema] = {}
    DEFS[cls.__name__] = _of_dataclass(cls, found)
    for name, schema in found.items():
        DEFS.setdefault(name, schema)


#: Results whose schema is read from their fields (``_results.JsonResult``), built on first use.
DESCRIBED: Final[dict[str, tuple[str, str]]] = {
    "cost": ("Cost", "worksheetkit.expressions.cost:Cost"),
    "lint-run": ("LintRun", "worksheetkit.lint.engine:LintRun"),
    "validation-run": ("ValidationRun", "worksheetkit.validation:ValidationRun"),
    "fhir-export": ("ExportResult", "worksheetkit.fhir.export:ExportResult"),
    "fhir-import": ("ImportResult", "worksheetkit.fhir.importer:ImportResult"),
    "site": ("SiteResult", "worksheetkit.site:SiteResult"),
    "report-view": ("View", "worksheetkit.reports:View"),
    "submission": ("Submission", "worksheetkit.intake:Submission"),
    "urgent-alert": ("UrgentAlert", "worksheetkit.intake:UrgentAlert"),
}


#: Published name → (``$defs`` name, the class as ``module:Class``), in the order listed.
RESULTS: Final[dict[str, tuple[str, str]]] = {
    "diagnostic": ("Diagnostic", "worksheetkit.errors:Diagnostic"),
    "problem": ("Problem", "worksheetkit.errors:Problem"),
    "occurrence": ("Occurrence", "worksheetkit.scheduling:Occurrence"),
    "plan": ("Plan", "worksheetkit.scheduling:Plan"),
    "plan-step": ("PlanStep", "worksheetkit.scheduling:PlanStep"),
    "plan-week": ("PlanWeek", "worksheetkit.scheduling:PlanWeek"),
    "plan-task": ("PlanTask", "worksheetkit.scheduling:PlanTask"),
    "score": ("ScoreResult", "worksheetkit.responses:ScoreResult"),
    "score-alert": ("ScoreAlert", "worksheetkit.responses:ScoreAlert"),
    "response-check": ("ResponseCheck", "worksheetkit.responses:ResponseCheck"),
    "report": ("AdherenceReport", "worksheetkit.progress:AdherenceReport"),
    "evaluation": ("Evaluation", "worksheetkit.progress:Evaluation"),
    "occurrence-result": ("OccurrenceResult", "worksheetkit.progress:OccurrenceResult"),
    "slot": ("Slot", "worksheetkit.progress:Slot"),
    "submission-record": ("SubmissionRecord", "worksheetkit.progress:SubmissionRecord"),
    "extra-practice": ("Extra", "worksheetkit.progress:Extra"),
    "scores": ("Scores", "worksheetkit.progress:Scores"),
    "trend": ("Trend", "worksheetkit.progress:Trend"),
    "series": ("Series", "worksheetkit.progress:Series"),
    "series-point": ("Point", "worksheetkit.progress:Point"),
    "series-week": ("WeekMean", "worksheetkit.progress:WeekMean"),
    "obstacle-report": ("ObstacleReport", "worksheetkit.progress:ObstacleReport"),
    "raised-alert": ("RaisedAlert", "worksheetkit.progress:RaisedAlert"),
    "diff": ("WorksheetDiff", "worksheetkit.diff:WorksheetDiff"),
    "diff-change": ("Change", "worksheetkit.diff:Change"),
    "diff-affected": ("Affected", "worksheetkit.diff:Affected"),
    **DESCRIBED,
}


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.removeprefix("#/$defs/")
            if name not in found:
                found.add(name)
                _refs(DEFS[name], found)
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def build(name: str) -> Schema:
    """The schema of result ``name``: its object schema, with the ``$defs`` it refers to."""
    root, path = RESULTS[name]
    if root not in DEFS:
        _described(path)
    out = copy.deepcopy(DEFS[root])
    used: set[str] = set()
    _refs(out, used)
    if used:
        out["$defs"] = {n: copy.deepcopy(DEFS[n]) for n in sorted(used)}
    return out
