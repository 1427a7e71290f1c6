"""Benchmark: validating responses to a 20-item worksheet, worksheetkit vs jsonschema.

Both validators check the same responses (valid and invalid) in the same process: ours with
``validate_response``, the baseline with jsonschema's Draft 2020-12 validator on the schema that
``response_json_schema`` generates (all errors collected, as ours does). Target: ours is at
least 15× faster (issue 18; was 10×). Prints ``RESULT response_validate ratio=<baseline/ours> target>=15 PASS|FAIL``.
"""

from __future__ import annotations

import argparse
import random
import textwrap
import time
from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator

import worksheetkit as wk
from worksheetkit.model import Worksheet
from worksheetkit.responses import response_json_schema, validate_response

WORKSHEET = """
worksheetkit: 1
id: bench.twenty
version: 1.0.0
title: Twenty items
items:
  - {id: situation, type: text, label: Situation, required: true, max_length: 2000}
  - {id: thought, type: text, label: Thought, multiline: true, max_length: 2000}
  - {id: mood, type: rating, label: Mood, min: 0, max: 10, required: true}
  - {id: suds, type: rating, label: SUDS, min: 0, max: 100, step: 5}
  - {id: sleep, type: number, label: Sleep, min: 0, max: 24, step: 0.5}
  - {id: steps, type: number, label: Steps, integer: true, min: 0}
  - {id: exercised, type: yesno, label: Exercised}
  - {id: day, type: date, label: Day}
  - {id: bedtime, type: time, label: Bedtime}
  - {id: feeling, type: choice, label: Feeling, options: [sad, anxious, angry, calm], other: true}
  - {id: q1, type: likert, label: Q1, scale: frequency-4, required: true}
  - {id: q2, type: likert, label: Q2, scale: frequency-4, required: true}
  - {id: q3, type: likert, label: Q3, scale: frequency-4, required: true}
  - {id: q4, type: likert, label: Q4, scale: agreement-5}
  - {id: helped, type: checklist, label: Helped, options: [walk, call, music, read], max_selected: 3}
  - {id: order, type: ranking, label: Order, options: [a, b, c]}
  - {id: balanced, type: text, label: Balanced, show_if: "mood >= 5"}
  - {id: code, type: text, label: Code, pattern: "[A-Z]{3}-[0-9]{2}"}
  - {id: took, type: duration, label: Took}
  - id: log
    type: table
    label: Log
    max_rows: 10
    columns:
      - {id: what, type: text, required: true}
      - {id: before, type: rating, min: 0, max: 100, step: 10}
      - {id: after, type: rating, min: 0, max: 100, step: 10}
scores:
  - {id: total, label: Total, formula: "sum(q1, q2, q3)"}
"""


def responses(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        answers: dict[str, Any] = {
            "situation": "At work, in a meeting" * rng.randint(1, 5),
            "thought": "They think I am useless",
            "mood": rng.randint(0, 10),
            "suds": rng.choice([0, 25, 50, 75, 100]),
            "sleep": rng.choice([6, 6.5, 7, 7.5, 8]),
            "steps": rng.randint(0, 20000),
            "exercised": rng.random() < 0.5,
            "day": "2026-12-01",
            "bedtime": "23:15",
            "feeling": rng.choice(["sad", "anxious", {"other": "numb"}]),
            "q1": rng.randint(0, 3),
            "q2": rng.randint(0, 3),
            "q3": rng.randint(0, 3),
            "q4": rng.randint(1, 5),
            "helped": rng.sample(["walk", "call", "music", "read"], rng.randint(0, 3)),
            "order": ["c", "a", "b"],
            "code": "ABC-12",
            "took": "PT20M",
            "log": [{"what": "lift", "before": 70, "after": 40} for _ in range(rng.randint(0, 4))],
        }
        if answers["mood"] >= 5:
            answers["balanced"] = "Maybe they were busy"
        if i % 4 == 3:  # a quarter are invalid in some way
            answers[rng.choice(["mood", "q1", "sleep"])] = rng.choice([99, "x", -1])
        out.append(
            {
                "worksheetkit": 1,
                "kind": "response",
                "worksheet": "bench.twenty",
                "version": "1.0.0",
                "started_at": "2026-12-01T20:05:00+00:00",
                "submitted_at": "2026-12-01T20:21:00+00:00",
                "answers": answers,
            }
        )
    return out


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer responses and repeats")
    args = parser.parse_args()
    n, repeats = (200, 7) if args.quick else (2000, 7)
    ws = wk.loads(textwrap.dedent(WORKSHEET))
    assert isinstance(ws, Worksheet)
    data = responses(n)
    validator = Draft202012Validator(response_json_schema(ws))
    # Same verdicts, or the comparison means nothing.
    for doc in data:
        ours = not any(d.severity == "error" for d in validate_response(ws, doc))
        assert ours == validator.is_valid(doc), doc
    # Alternate the two so a busy machine slows both alike; keep the best run of each.
    ours_t = base_t = float("inf")
    for _ in range(repeats):
        ours_t = min(ours_t, best_of(1, lambda: [validate_response(ws, d) for d in data]))
        base_t = min(base_t, best_of(1, lambda: [list(validator.iter_errors(d)) for d in data]))
    ratio = base_t / ours_t
    print(f"responses: {n} (20 items each; {sum(1 for i in range(n) if i % 4 == 3)} invalid)")
    print(f"worksheetkit validate_response: {ours_t / n * 1e6:8.1f} µs per response")
    print(f"jsonschema Draft 2020-12:       {base_t / n * 1e6:8.1f} µs per response")
    print(
        f"RESULT response_validate ratio={ratio:.2f} target>=15 {'PASS' if ratio >= 15 else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
