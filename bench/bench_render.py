"""Rendering a 30-item worksheet to HTML costs no more than loading it from YAML (ratio ≤ 1.0).

In one process, after one warm-up of each (templates compiled once, as in a server):

* baseline: ``loads(yaml_text)`` — parse, build the model, run every validation check;
* target: ``render(worksheet, "html")`` — the full standalone page (views, Markdown, template,
  inlined CSS and runtime script).

Usage: python bench/bench_render.py [--quick]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from worksheetkit import Worksheet, loads
from worksheetkit.rendering import render

TARGET = 0.8  # issue 18 (was 1.0)

TYPES = [
    """  - id: q{n}
    type: text
    label: "Question {n}: what happened, and who was there?"
    help: "Write a **few words**; see [the guide](https://example.org/guide)."
    multiline: true
    max_length: 500""",
    """  - id: q{n}
    type: likert
    label: "Question {n}: how often did this happen?"
    scale: frequency-4
    required: true""",
    """  - id: q{n}
    type: rating
    label: "Question {n}: how strong was it?"
    min: 0
    max: 100
    step: 10
    anchors: {{0: Not at all, 100: Worst ever}}""",
    """  - id: q{n}
    type: checklist
    label: "Question {n}: which did you notice?"
    options: [headache, tiredness, restlessness, {{value: none, label: None of these, exclusive: true}}]""",
    """  - id: q{n}
    type: choice
    label: "Question {n}: main mood"
    options: [sad, anxious, angry, calm]
    other: true
    show_if: "answered(q{prev})\"""",
    """  - id: q{n}
    type: table
    label: "Question {n}: exposures"
    min_rows: 1
    max_rows: 5
    columns:
      - {{id: step, type: text, label: Step}}
      - {{id: suds, type: rating, min: 0, max: 100, step: 10, label: SUDS}}""",
]


def worksheet_yaml(items: int = 30) -> str:
    lines = [
        "worksheetkit: 1",
        "id: bench.thirty-items",
        "version: 1.0.0",
        "title: Thirty items",
        "summary: A worksheet with thirty items of every common kind.",
        "rationale: Measuring the renderer against the loader.",
        "instructions: |",
        "  Fill in what applies. **Take your time.**",
        "estimated_minutes: 20",
        "items:",
    ]
    for n in range(1, items + 1):
        lines.append(TYPES[(n - 1) % len(TYPES)].format(n=n, prev=max(n - 1, 1)))
    lines += [
        "scores:",
        "  - id: total",
        "    label: Total",
        '    formula: "sum(q2, q8, q14, q20, q26)"',
    ]
    return "\n".join(lines) + "\n"


def best_of(fn: Callable[[], object], repeats: int, number: int) -> tuple[float, float]:
    """Best and median seconds per call over ``repeats`` runs of ``number`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return min(times), statistics.median(times)


def main() -> int:
    quick = "--quick" in sys.argv
    text = worksheet_yaml(30)
    ws = loads(text, source="bench.yaml")
    assert isinstance(ws, Worksheet)
    assert len(ws.items) == 30
    render(ws, "html")  # warm-up: templates compiled once per process
    repeats, number = (3, 10) if quick else (7, 40)
    load_best, load_median = best_of(lambda: loads(text, source="bench.yaml"), repeats, number)
    render_best, render_median = best_of(lambda: render(ws, "html"), repeats, number)
    ratio = render_best / load_best
    print(f"load from YAML : best {load_best * 1e3:7.2f} ms  median {load_median * 1e3:7.2f} ms")
    print(
        f"render to HTML : best {render_best * 1e3:7.2f} ms  median {render_median * 1e3:7.2f} ms"
    )
    print(f"page size      : {len(render(ws, 'html')) / 1024:.0f} KiB")
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"RESULT render_html_vs_load ratio={ratio:.2f} target<={TARGET:.1f} {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
