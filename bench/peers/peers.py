"""Peers side by side: the tools users would pick instead, on equivalent work (issue 21).

Every definition a peer reads is generated from the example worksheets (``generate.py``), and
equivalence is checked before anything is timed:

- responses: worksheetkit, fastjsonschema and jsonschema give the same valid/invalid verdict on
  every generated response (valid ones and one-fault variants); survey-core (when Node is
  present) shows the same questions as ours for each valid response (``show_if`` ⇔
  ``visibleIf``) — SurveyJS has no notion of the envelope or of answer types, so only its
  visibility and required checks are compared;
- forms: the XForm pyxform writes has a field for every question of the worksheet and a
  ``relevant`` for every ``show_if``;
- FHIR: fhir.resources accepts every Questionnaire our export writes, and ``fhir import`` of it
  gives a worksheet with the same questions.

A worksheet whose verdicts differ stops the run (exit 2): a ratio over different work means
nothing. Times are the best of several alternated rounds (a busy machine slows both alike).
Ratio = peer time ÷ worksheetkit time, so above 1 means worksheetkit is faster.

Prints ``PEER <work>|<peer>|<ratio>|<N>`` rows and ``RESULT`` lines for the targets of issues
18 and 21 (``run_all.py`` collects both).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

import worksheetkit as wk  # noqa: E402
from worksheetkit.model import Worksheet  # noqa: E402

BIN = Path(sys.executable).parent


def version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def best(rounds: int, *fns: Callable[[], object]) -> list[float]:
    """The best time of each function over ``rounds`` alternated rounds."""
    times = [float("inf")] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            gc.collect()
            start = time.perf_counter()
            fn()
            times[i] = min(times[i], time.perf_counter() - start)
    return times


def process_time(rounds: int, *commands: Sequence[str]) -> list[float]:
    env = dict(os.environ)
    # Installed packages carry their bytecode (pip compiles it); with PYTHONDONTWRITEBYTECODE
    # every worksheetkit process would compile its modules from source (0.2-0.3 s) while the
    # peers' come from .pyc. Allow __pycache__ so both start as an installed package does; the
    # best-of rounds leave the first (compiling) round out.
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def runner(cmd: Sequence[str]) -> Callable[[], object]:
        def go() -> None:
            proc = subprocess.run(list(cmd), capture_output=True, env=env, check=False)
            if proc.returncode != 0:
                raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr.decode()[-800:]}")

        return go

    return best(rounds, *(runner(c) for c in commands))


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, float, str]] = []
        self.results: list[str] = []

    def peer(self, work: str, peer: str, ratio: float, n: str) -> None:
        self.rows.append((work, peer, ratio, n))
        print(f"PEER {work}|{peer}|{ratio:.2f}|{n}", flush=True)

    def target(self, name: str, ratio: float, op: str, goal: float, note: str = "") -> None:
        ok = ratio >= goal if op == ">=" else ratio <= goal
        line = f"RESULT {name} ratio={ratio:.2f} target{op}{goal:g} {'PASS' if ok else 'FAIL'}"
        print(line + (f" {note}" if note else ""), flush=True)


def mismatch(what: str, detail: str) -> None:
    print(f"NOT EQUIVALENT {what}: {detail}", flush=True)
    raise SystemExit(2)


# -- responses --------------------------------------------------------------------------------


def bench_responses(sheets: list[Worksheet], per_sheet: int, rounds: int, table: Table) -> None:
    import fastjsonschema
    from jsonschema import Draft202012Validator

    from worksheetkit.responses import response_json_schema, validate_response

    first_problem = _first_problem_api()
    sets = []
    for ws in sheets:
        good, bad = generate.responses(ws, per_sheet)
        schema = response_json_schema(ws)
        fast = fastjsonschema.compile(schema)
        slow = Draft202012Validator(schema)

        def fast_ok(doc: dict[str, Any], fast: Any = fast) -> bool:
            try:
                fast(doc)
            except fastjsonschema.JsonSchemaException:
                return False
            return True

        for doc in good + bad:
            ours = not any(d.severity == "error" for d in validate_response(ws, doc))
            if ours != fast_ok(doc) or ours != slow.is_valid(doc):
                mismatch(ws.id, f"verdicts differ on {json.dumps(doc)[:300]}")
            if first_problem is not None and first_problem(ws, doc) != ours:
                mismatch(ws.id, "the first-problem mode disagrees with validate_response")
        for doc in good:
            if validate_response(ws, doc):
                mismatch(ws.id, "a generated valid response has diagnostics")
        unknown = [{**d, "answers": {**d["answers"], "zz_not_a_question": 1}} for d in good]
        sets.append((ws, good, bad, unknown, fast, slow))
    n_good = sum(len(s[1]) for s in sets)
    n_bad = sum(len(s[2]) for s in sets)

    def ours_all(which: int) -> Callable[[], object]:
        def go() -> None:
            for s in sets:
                ws = s[0]
                for doc in s[which]:
                    validate_response(ws, doc)

        return go

    def ours_first(which: int) -> Callable[[], object]:
        assert first_problem is not None

        def go() -> None:
            for s in sets:
                ws = s[0]
                for doc in s[which]:
                    first_problem(ws, doc)

        return go

    def fj(which: int) -> Callable[[], object]:
        error = fastjsonschema.JsonSchemaException

        def go() -> None:
            for s in sets:
                fast = s[4]
                for doc in s[which]:
                    try:  # noqa: SIM105 - suppress() would add its own cost to the timed loop
                        fast(doc)
                    except error:
                        pass

        return go

    def js(which: int) -> Callable[[], object]:
        def go() -> None:
            for s in sets:
                slow = s[5]
                for doc in s[which]:
                    list(slow.iter_errors(doc))

        return go

    ours_v, fj_v, ours_u = best(rounds, ours_all(1), fj(1), ours_all(3))
    table.peer(
        "response validation, valid (complete verdict)",
        "fastjsonschema",
        fj_v / ours_v,
        f"{n_good} responses",
    )
    table.target("response_valid_vs_fastjsonschema", fj_v / ours_v, ">=", 1.5)
    table.target(
        "unknown_key_cost", ours_u / ours_v, "<=", 1.2, "(unknown-key response / valid response)"
    )
    ours_b, fj_b = best(rounds, ours_all(2), fj(2))
    table.peer(
        "response validation, invalid (every problem)",
        "fastjsonschema (first error)",
        fj_b / ours_b,
        f"{n_bad} responses",
    )
    if first_problem is not None:
        ours_fb, fj_b2, ours_fv, fj_v2 = best(rounds, ours_first(2), fj(2), ours_first(1), fj(1))
        table.peer(
            "response validation, invalid (first problem)",
            "fastjsonschema (first error)",
            fj_b2 / ours_fb,
            f"{n_bad} responses",
        )
        table.peer(
            "response validation, valid (first-problem mode)",
            "fastjsonschema",
            fj_v2 / ours_fv,
            f"{n_good} responses",
        )
        table.target("response_first_problem_vs_fastjsonschema", fj_b2 / ours_fb, ">=", 1.0)
    else:
        print(
            "RESULT response_first_problem_vs_fastjsonschema ratio=0 target>=1 FAIL (no first-problem mode)"
        )
    js_rounds = max(1, rounds // 3)
    ours_v, js_v = best(js_rounds, ours_all(1), js(1))
    ours_b, js_b = best(js_rounds, ours_all(2), js(2))
    table.peer(
        "response validation, valid",
        "jsonschema Draft 2020-12",
        js_v / ours_v,
        f"{n_good} responses",
    )
    table.peer(
        "response validation, invalid (every problem)",
        "jsonschema Draft 2020-12",
        js_b / ours_b,
        f"{n_bad} responses",
    )
    bench_surveyjs(sets, table)


def _first_problem_api() -> Callable[[Worksheet, Any], bool] | None:
    from worksheetkit import responses

    return getattr(responses, "is_valid_response", None)


def bench_surveyjs(sets: list[Any], table: Table) -> None:
    node = shutil.which("node")
    root = generate.ROOT
    if node is None or not (root / "node_modules" / "survey-core").is_dir():
        print("SKIP survey-core: needs Node and `npm install` (survey-core in package.json)")
        return
    from worksheetkit.responses import check_response

    payload = []
    for ws, good, _bad, _unknown, _fast, _slow in sets:
        visible = []
        for doc in good:
            # The questions ours shows for this response: every answerable one not hidden.
            result = check_response(ws, doc)
            hidden = {d.path.split("/")[2] for d in result.diagnostics if d.code == "WK409"}
            visible.append(sorted(set(generate.answerable_ids(ws.items)) - hidden))
        payload.append(
            {
                "survey": generate.survey_json(ws),
                "data": [d["answers"] for d in good],
                "visible": visible,
            }
        )
    with tempfile.TemporaryDirectory() as tmp:
        data_file = Path(tmp) / "surveys.json"
        data_file.write_text(json.dumps(payload))
        proc = subprocess.run(
            [node, str(HERE / "surveyjs.cjs"), str(data_file)],
            capture_output=True,
            text=True,
            cwd=root,
            check=False,
        )
    if proc.returncode != 0:
        print(f"SKIP survey-core: the Node run failed: {proc.stderr[-400:]}")
        return
    report = json.loads(proc.stdout)
    if report["mismatches"]:
        print(
            f"NOTE survey-core: visible questions differ on {report['mismatches']} responses "
            f"(its expression language is not ours); compared only where they agree"
        )
    # Ours on the same work: validate every valid response (checks, conditions, required).
    from worksheetkit.responses import validate_response

    def ours() -> None:
        for ws, good, *_ in sets:
            for doc in good:
                validate_response(ws, doc)

    (ours_t,) = best(5, ours)
    ratio = report["seconds"] / ours_t
    table.peer(
        "response validation, valid",
        f"SurveyJS survey-core {report['version']} (Node)",
        ratio,
        f"{report['n']} responses",
    )


# -- definitions ------------------------------------------------------------------------------


def bench_forms(paths: list[Path], rounds: int, table: Table, tmp: Path) -> None:
    from pyxform.xls2xform import convert

    from worksheetkit.rendering import render

    books = []
    for path in paths:
        ws = wk.loads(path.read_text(encoding="utf-8"))
        book = tmp / f"{path.stem}.xlsx"
        generate.write_xlsform(ws, book)
        xform = convert(xlsform=str(book), validate=False, pretty_print=False).xform
        for ident in generate.answerable_ids(ws.items):
            if not re.search(rf'nodeset="[^"]*/{re.escape(ident)}"', xform):
                mismatch(path.stem, f"the XForm has no field {ident}")
        conditions = sum(1 for _ in re.finditer(r"show_if:", path.read_text()))
        if xform.count("relevant=") < conditions:
            mismatch(path.stem, "the XForm lost a show_if condition")
        books.append((path.read_text(encoding="utf-8"), str(book)))

    def ours() -> None:
        for text, _ in books:
            render(wk.loads(text), "html")

    def peer() -> None:
        for _, book in books:
            convert(xlsform=book, validate=False, pretty_print=False)

    ours_t, peer_t = best(rounds, ours, peer)
    table.peer(
        "definition → form, in-process",
        f"pyxform {version('pyxform')} from .xlsx",
        peer_t / ours_t,
        f"{len(books)} worksheets",
    )


def bench_fhir(paths: list[Path], rounds: int, table: Table, tmp: Path) -> tuple[Path, Path] | None:
    from fhir.resources.questionnaire import Questionnaire

    from worksheetkit.fhir import import_questionnaire, to_fhir
    from worksheetkit.loading.strictjson import loads as strict_loads

    texts = []
    for path in paths:
        ws = wk.loads(path.read_text(encoding="utf-8"))
        text = json.dumps(to_fhir(ws), ensure_ascii=False, indent=2)
        Questionnaire.model_validate_json(text)  # fhir.resources accepts it
        back = import_questionnaire(strict_loads(text)).worksheet
        if back is None or generate.answerable_ids(back.items) != generate.answerable_ids(ws.items):
            mismatch(path.stem, "fhir import lost questions")
        texts.append((path.read_text(encoding="utf-8"), text))

    def load_ours() -> None:
        for yaml_text, _ in texts:
            wk.loads(yaml_text)

    def import_ours() -> None:
        for _, text in texts:
            import_questionnaire(strict_loads(text)).to_yaml()

    def peer() -> None:
        for _, text in texts:
            Questionnaire.model_validate_json(text)

    load_t, import_t, peer_t = best(rounds, load_ours, import_ours, peer)
    peer_name = f"fhir.resources {version('fhir.resources')} model_validate_json"
    n = f"{len(texts)} worksheets"
    table.peer("load + validate the definition", peer_name, peer_t / load_t, n)
    table.peer("read the same Questionnaire JSON (fhir import)", peer_name, peer_t / import_t, n)
    table.target("fhir_import_vs_fhir_resources", peer_t / import_t, ">=", 1.5)
    # One Questionnaire for the whole-process comparison: the largest example.
    largest = max(texts, key=lambda t: len(t[1]))[1]
    q = tmp / "questionnaire.json"
    q.write_text(largest, encoding="utf-8")
    return q, tmp / "imported.yaml"


def bench_processes(form: Path, questionnaire: Path, rounds: int, table: Table, tmp: Path) -> None:
    wk_cmd = (
        [str(BIN / "worksheetkit")]
        if (BIN / "worksheetkit").exists()
        else [sys.executable, "-m", "worksheetkit"]
    )
    xls2xform = BIN / "xls2xform"
    book = tmp / f"{form.stem}.xlsx"
    generate.write_xlsform(wk.loads(form.read_text(encoding="utf-8")), book)
    # The worksheet alone, as pyxform reads its workbook alone: a file inside examples/ would
    # make `render` load and check the whole pack around it.
    alone = tmp / "alone" / form.name
    alone.parent.mkdir()
    alone.write_text(form.read_text(encoding="utf-8"), encoding="utf-8")
    form = alone
    ours_t, peer_t = process_time(
        rounds,
        [*wk_cmd, "render", "--to", "html", str(form), "-o", str(tmp / "form.html")],
        [str(xls2xform), "--skip_validate", str(book), str(tmp / "form.xml")],
    )
    table.peer(
        "definition → form, whole process",
        f"xls2xform {version('pyxform')} --skip_validate",
        peer_t / ours_t,
        f"1 worksheet ({form.stem})",
    )
    table.target("render_process_vs_xls2xform", peer_t / ours_t, ">=", 1.2)
    peer_code = (
        "import sys; from fhir.resources.questionnaire import Questionnaire; "
        "Questionnaire.model_validate_json(open(sys.argv[1], encoding='utf-8').read())"
    )
    ours_t, peer_t = process_time(
        rounds,
        [*wk_cmd, "fhir", "import", str(questionnaire), "-o", str(tmp / "imported.yaml")],
        [sys.executable, "-c", peer_code, str(questionnaire)],
    )
    table.peer(
        "read the same Questionnaire JSON, whole process",
        "fhir.resources model_validate_json",
        peer_t / ours_t,
        "1 Questionnaire",
    )
    table.target("fhir_import_process_vs_fhir_resources", peer_t / ours_t, ">=", 1.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer responses and rounds")
    parser.add_argument(
        "--only", choices=["responses", "forms", "fhir", "processes"], help="one group of rows"
    )
    args = parser.parse_args()
    per_sheet, rounds, process_rounds = (20, 3, 3) if args.quick else (100, 7, 7)
    paths = generate.EXAMPLES
    print(
        "peers: "
        + ", ".join(
            f"{name} {version(name)}"
            for name in ("pyxform", "openpyxl", "fhir.resources", "fastjsonschema", "jsonschema")
        )
    )
    table = Table()
    sheets = [wk.loads(p.read_text(encoding="utf-8")) for p in paths]
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        only = args.only
        if only in (None, "responses"):
            bench_responses(sheets, per_sheet, rounds, table)
        if only in (None, "forms"):
            bench_forms(paths, rounds, table, tmp)
        if only in (None, "fhir", "processes"):
            found = bench_fhir(paths, rounds, table, tmp)
            assert found is not None
            if only != "fhir":
                form = generate.ROOT / "examples" / "worksheets" / "thought-record.yaml"
                bench_processes(form, found[0], process_rounds, table, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
