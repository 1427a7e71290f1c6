"""A non-Python validator agrees: ajv (strict mode, Draft 2020-12) compiles every schema and
calls every document valid or invalid exactly as the library does.

ONE node process compiles the published schemas (schemas/*.json, schemas/results/*.json) and the
per-worksheet response schema of every example worksheet and of tests/cases/responses/worksheet.yaml
with ``new Ajv2020({strict: true})`` + ajv-formats, then validates:

- every example document against its published schema, targeted broken documents (values out of
  range, unknown keys and item types) and hypothesis-generated worksheets;
- every response fixture (tests/cases/responses, examples/responses *.json and *.jsonl) and
  hypothesis-generated responses (well-formed and hostile) against their worksheet's schema;
- real results' ``to_dict()`` (occurrences, a plan, response checks, a report, diagnostics)
  against their result schema, and each with an extra key (refused).

The library's verdict is the reference. Cases the schema cannot state are listed in
docs/responses.md ("What the schema cannot say") and are filtered out by :func:`_expressible`.
"""

from __future__ import annotations

import copy
import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import worksheetkit as wk
from strategies import answers_for, examples, hostile_responses, response_for, worksheets
from worksheetkit.errors import WorksheetError
from worksheetkit.loading.yamlsource import parse_text
from worksheetkit.model import Worksheet
from worksheetkit.responses import response_json_schema, validate_response
from worksheetkit.responses._plan import plan_for
from worksheetkit.validation import loads

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
EXAMPLES = ROOT / "examples"
CASES = ROOT / "tests" / "cases" / "responses"
NODE = shutil.which("node")
AJV = ROOT / "node_modules" / "ajv" / "dist" / "2020.js"

pytestmark = [
    pytest.mark.skipif(
        NODE is None or not AJV.is_file(),
        reason="node and the npm test tools (ajv, ajv-formats) are not installed",
    ),
    pytest.mark.slow,  # Node and every schema: seconds
]

_RUNNER = r"""
const fs = require("fs");
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const compiled = {};
const errors = {};
for (const [name, schema] of Object.entries(input.schemas)) {
  const ajv = new Ajv2020({strict: true, allErrors: true});
  addFormats(ajv);
  try {
    compiled[name] = ajv.compile(schema);
  } catch (e) {
    errors[name] = String(e && e.message);
  }
}
const verdicts = input.documents.map(([name, data]) => {
  const validate = compiled[name];
  return validate ? validate(data) : null;
});
process.stdout.write(JSON.stringify({errors, verdicts}));
"""


def _ajv(schemas: dict[str, Any], documents: list[tuple[str, Any]]) -> dict[str, Any]:
    assert NODE is not None
    payload = json.dumps({"schemas": schemas, "documents": documents}, allow_nan=False)
    done = subprocess.run(
        [NODE, "-e", _RUNNER],
        input=payload,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out: dict[str, Any] = json.loads(done.stdout)
    return out


def _collect(strategy: st.SearchStrategy[Any], n: int) -> list[Any]:
    """``n`` deterministic examples of ``strategy`` (the same ones on every run)."""
    found: list[Any] = []

    @settings(
        max_examples=examples(n),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(value: Any) -> None:
        found.append(value)

    run()
    return found


def _as_json(data: Any) -> Any:
    # What a YAML-aware editor sees: JSON types (dates as strings), string keys.
    return json.loads(json.dumps(data, default=str))


def _finite(value: Any) -> bool:
    """JSON has no NaN/Infinity, and JavaScript numbers are doubles: integers beyond 2**53
    are not the same number in both (docs/responses.md)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) <= 2**53
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


# -- published schemas ---------------------------------------------------------------------------


def _example_documents() -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for path in sorted(EXAMPLES.rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".json") or not path.is_file():
            continue
        parsed = parse_text(path.read_text(encoding="utf-8"), str(path))
        assert parsed.data is not None, parsed.diagnostics
        default = "pack" if path.name == "pack.yaml" else "worksheet"
        out.append((str(path.relative_to(ROOT)), _as_json(parsed.data)))
        out[-1] = (f"{parsed.data.get('kind', default)}.json", out[-1][1])
    return out


def _broken(kind_data: tuple[str, Any]) -> list[tuple[str, Any]]:
    """Documents the library refuses, each one change away from a valid example."""
    kind, data = kind_data
    out: list[tuple[str, Any]] = []

    def change(edit: Any) -> None:
        doc = copy.deepcopy(data)
        edit(doc)
        out.append((kind, doc))

    if kind == "worksheet.json":
        change(lambda d: d.update(estimated_minutes=1e20))
        change(lambda d: d.update(estimated_minutes=0))
        change(lambda d: d.update(colour="red"))
        change(
            lambda d: d.setdefault("items", []).append(
                {"id": "zz_new", "type": "txt", "label": "X"}
            )
        )
        change(
            lambda d: d.setdefault("items", []).append(
                {"id": "zz_new", "type": "rating", "min": 0, "max": 10, "step": 0, "label": "X"}
            )
        )
        change(
            lambda d: d.setdefault("items", []).append(
                {"id": "zz_new", "type": "table", "max_rows": 1001, "label": "X", "columns": []}
            )
        )
    if kind == "assignment.json":
        change(lambda d: d.setdefault("plan", {}).update(confidence=11))
        change(lambda d: d.setdefault("plan", {}).update(confidence=-0.5))
        if "schedule" in data:
            change(lambda d: d["schedule"].update(every=0))
            change(lambda d: d["schedule"].update(count=100001))
    return out


def _library_accepts(kind: str, data: Any) -> bool:
    if kind == "pack.json":  # a pack file is read with its folder; its model is the reference
        from worksheetkit.model import MODELS

        try:
            MODELS["pack"].model_validate(data)
        except ValueError:
            return False
        return True
    try:
        loads(json.dumps(data), source="doc.json")
    except WorksheetError:
        return False
    return True


# -- per-worksheet response schemas --------------------------------------------------------------


def _example_worksheets() -> dict[str, Worksheet]:
    out: dict[str, Worksheet] = {}
    paths = [
        *sorted((EXAMPLES / "worksheets").glob("*.yaml")),
        *sorted((EXAMPLES / "instruments").glob("*.yaml")),
        CASES / "worksheet.yaml",
    ]
    for path in paths:
        doc = wk.load(path)
        assert isinstance(doc, Worksheet)
        out[doc.id] = doc
    return out


def _response_fixtures() -> list[tuple[str, Any]]:
    """(worksheet id, response): the corpus answers cases.everything, the examples name theirs."""
    docs: list[tuple[str, Any]] = [
        ("cases.everything", json.loads(p.read_text(encoding="utf-8")))
        for p in sorted(CASES.glob("*/*.json"))
    ]
    for path in sorted((EXAMPLES / "responses").glob("*.json*")):
        lines = path.read_text(encoding="utf-8").splitlines() if path.suffix == ".jsonl" else None
        for data in (
            [json.loads(x) for x in lines if x] if lines else [json.loads(path.read_text())]
        ):
            docs.append((data["worksheet"].split("@")[0], data))
    return docs


def _expressible(ws: Worksheet, data: Any) -> bool:
    """False for the cases docs/responses.md lists as beyond JSON Schema."""
    if not _finite(data):
        return False
    plan = plan_for(ws)
    for d in validate_response(ws, data):
        if d.severity != "error":
            continue
        parts = ["", *(str(p) for p in d.path)]
        if d.code == "WK402" and len(parts) > 2 and parts[1] == "answers":
            field = plan.fields.get(parts[2])
            if field is None or field.conditions:
                return False  # visibility depends on other answers
            if len(parts) > 4 and field.columns:
                column = field.columns.get(parts[4])
                if column is None or column.conditions:
                    return False
    return True


def _library_valid(ws: Worksheet, data: Any) -> bool:
    return not any(d.severity == "error" for d in validate_response(ws, data))


@st.composite
def _generated_responses(draw: st.DrawFn) -> tuple[dict[str, Any], list[Any]]:
    data = draw(worksheets())
    responses = [
        response_for(data, draw(answers_for(data)), draft=draw(st.booleans())),
        *draw(st.lists(hostile_responses(data), min_size=1, max_size=3)),
    ]
    return data, responses


# -- one node run for the whole module ----------------------------------------------------------


@pytest.fixture(scope="module")
def run() -> dict[str, Any]:
    schemas: dict[str, Any] = {
        p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(SCHEMAS.glob("*.json"))
    }
    # (schema name, document, library verdict, label)
    cases: list[tuple[str, Any, bool, str]] = []

    examples = _example_documents()
    for kind, data in examples:
        cases.append((kind, data, _library_accepts(kind, data), f"example {data.get('id')}"))
        for bad_kind, bad in _broken((kind, data)):
            cases.append((bad_kind, bad, _library_accepts(bad_kind, bad), f"broken {kind}"))
    for i, data in enumerate(_collect(worksheets(), 40)):
        cases.append(("worksheet.json", data, _library_accepts("worksheet.json", data), f"gen {i}"))

    sheets = _example_worksheets()
    for ws_id, ws in sheets.items():
        schemas[f"response:{ws_id}"] = response_json_schema(ws)
    for ws_id, data in _response_fixtures():
        ws = sheets[ws_id]
        assert _expressible(ws, data), data
        cases.append((f"response:{ws.id}", data, _library_valid(ws, data), "fixture"))
    for i, (ws_data, responses) in enumerate(_collect(_generated_responses(), 60)):
        ws = loads(json.dumps(ws_data), source="gen.json")
        assert isinstance(ws, Worksheet)
        name = f"response:gen{i}"
        schemas[name] = response_json_schema(ws)
        for data in responses:
            if _expressible(ws, data):
                cases.append((name, data, _library_valid(ws, data), f"generated {i}"))

    for path in sorted((SCHEMAS / "results").glob("*.json")):
        schemas[f"results/{path.name}"] = json.loads(path.read_text(encoding="utf-8"))
    for name, data, label in _result_documents():
        cases.append((f"results/{name}.json", data, True, label))
        cases.append((f"results/{name}.json", {**data, "unexpected": 1}, False, f"{label} + key"))

    out = _ajv(schemas, [(name, data) for name, data, _, _ in cases])
    return {"schemas": schemas, "cases": cases, **out}


def _result_documents() -> list[tuple[str, Any, str]]:
    """Real results' to_dict() (issue 15): occurrences, a plan, PHQ-9 checks, a report and
    diagnostics of the example pack; the library writes them, so they are valid."""
    import datetime as dt

    from worksheetkit.responses import check_response
    from worksheetkit.scheduling import plan

    pack = wk.load_pack(EXAMPLES)
    assignment = wk.load(EXAMPLES / "assignments" / "thought-record-london.yaml")
    phq9 = pack.worksheet("instruments.phq-9@1")
    out: list[tuple[str, Any, str]] = [
        ("occurrence", o.to_dict(), f"occurrence {o.id}")
        for o in wk.occurrences(assignment, pack=pack)[:5]
    ]
    out.append(("plan", plan(assignment, pack).to_dict(), "plan"))
    for path in sorted((EXAMPLES / "responses").glob("phq-9-*.json")):
        checked = check_response(phq9, json.loads(path.read_text(encoding="utf-8")))
        out.append(("response-check", checked.to_dict(), path.name))
    report = wk.adherence(
        assignment,
        EXAMPLES / "responses" / "synthetic-thought-record-london.jsonl",
        dt.date(2026, 12, 20),
        pack=pack,
    )
    out.append(("report", report.to_dict(), "report"))
    out += [("diagnostic", d.to_dict(), d.code) for d in wk.validate(CASES.parent / "invalid")[:10]]
    return out


def test_every_schema_compiles_in_ajv_strict_mode(run: dict[str, Any]) -> None:
    assert run["errors"] == {}
    names = set(run["schemas"])
    assert {
        "worksheet.json",
        "pathway.json",
        "pack.json",
        "assignment.json",
        "response.json",
        "results/occurrence.json",
        "results/score.json",
        "results/report.json",
    } <= names
    assert sum(n.startswith("response:") and "gen" not in n for n in names) >= 27


def test_ajv_and_the_library_agree_on_every_document(run: dict[str, Any]) -> None:
    disagreements = [
        f"{label} ({name}): library {'accepts' if ours else 'refuses'}, ajv "
        f"{'accepts' if theirs else 'refuses'}: {json.dumps(data)[:300]}"
        for (name, data, ours, label), theirs in zip(run["cases"], run["verdicts"], strict=True)
        if ours != theirs
    ]
    assert disagreements == []


def test_the_corpus_covers_both_verdicts(run: dict[str, Any]) -> None:
    verdicts = [ours for _, _, ours, _ in run["cases"]]
    refused_published = [
        c for c in run["cases"] if not c[0].startswith(("response:", "results/")) and not c[2]
    ]
    responses = [c for c in run["cases"] if c[0].startswith("response:")]
    assert len(refused_published) >= 20
    assert sum(verdicts) >= 100
    assert verdicts.count(False) >= 80
    assert len(responses) >= 200


def test_out_of_range_values_are_refused_by_schema_and_library(run: dict[str, Any]) -> None:
    """The two limits the published schemas once let through (issue 16)."""
    refused = {
        json.dumps(data.get("estimated_minutes") if name == "worksheet.json" else data["plan"])
        for (name, data, ours, _), theirs in zip(run["cases"], run["verdicts"], strict=True)
        if not ours and not theirs and name in ("worksheet.json", "assignment.json")
    }
    assert "1e+20" in refused
    assert any('"confidence": 11' in r for r in refused)
