"""The direct YAML writer (rendering/_canonical.py ``_direct_yaml``) writes the bytes PyYAML's
writer writes (``_pyyaml_yaml``, libyaml's emitter) wherever it does not give up, and it does
not give up on what ``fhir import`` writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import worksheetkit as wk
from strategies import examples
from worksheetkit.fhir import import_questionnaire, to_fhir
from worksheetkit.loading.yamlsource import parse_text
from worksheetkit.model import Worksheet
from worksheetkit.rendering import _canonical
from worksheetkit.rendering._canonical import (
    _BLOCK,
    _direct_yaml,
    _emitter,
    _pyyaml_yaml,
    _simple,
    _text_style,
    canonical_yaml,
    worksheet_yaml_data,
)

ROOT = Path(__file__).resolve().parents[1]


def _worksheet(path: Path) -> Worksheet:
    ws = wk.loads(path.read_text(encoding="utf-8"))
    assert isinstance(ws, Worksheet)
    return ws


# Characters that change a text's style, folding or tag: indicators, spaces, breaks, controls,
# quotes, digits, non-ASCII letters and spaces, the BOM, text beyond the BMP.
AWKWARD = list(" -?:#,[]{}&*!|>'\"%@`.~\n\t\r\x07\x85\u2028\u00a0\ufeff\u3000é¿«🙂0123456789eE+")
WORDS = ["yes", "no", "on", "null", "true", "1e3", "0o17", "1.0", ".inf", "~", "---", "...", "a: b"]
GIVE_UP = set("\t\r\x07\x85\u2028🙂")  # double quotes or beyond the BMP: PyYAML writes them


def _texts(alphabet: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(alphabet=st.sampled_from(alphabet + list("abc xyz")), max_size=30),
        st.sampled_from(WORDS),
        # long texts of words: folding at the width
        st.lists(
            st.text(alphabet=st.sampled_from(list("abcé'-:# ")), max_size=14), max_size=25
        ).map(" ".join),
        st.lists(st.sampled_from(["line", "", " x", "x ", "a: b", "é"]), max_size=5).map("\n".join),
    )


texts = st.one_of(_texts(AWKWARD), st.text(max_size=12))
# Mostly texts the direct writer writes itself, so that most examples compare its bytes.
nice_texts = _texts([c for c in AWKWARD if c not in GIVE_UP])
scalars = st.one_of(
    nice_texts,
    nice_texts,
    nice_texts,
    texts,
    st.integers(-(10**22), 10**22),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
keys = st.one_of(
    nice_texts,
    nice_texts,
    nice_texts,
    texts,
    st.integers(-5, 1000),
    st.booleans(),
    st.text("kx", min_size=60, max_size=70),
)
documents = st.dictionaries(
    keys,
    st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=4),
            st.dictionaries(keys, inner, min_size=1, max_size=4),
        ),
        max_leaves=25,
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=examples(600), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_same_bytes_as_pyyaml_wherever_it_writes(data: dict[Any, Any]) -> None:
    direct = _direct_yaml(data)
    if direct is not None:
        assert direct == _pyyaml_yaml(data)
    assert canonical_yaml(data) == _pyyaml_yaml(data)


@settings(max_examples=examples(300), deadline=None)
@given(st.dictionaries(texts, st.recursive(texts, lambda i: st.lists(i, max_size=3)), max_size=6))
def test_texts_read_back_as_written(data: dict[str, Any]) -> None:
    text = canonical_yaml(data)
    assert parse_text(text).data == data, text


@settings(max_examples=examples(1500), deadline=None)
@given(texts)
def test_the_short_tests_agree_with_the_emitters_analysis(text: str) -> None:
    analysis = _emitter().analyze_scalar(text)
    if _simple(text):
        assert analysis.allow_block_plain
        assert not analysis.multiline
        assert not analysis.empty
    if _text_style(text) == "|" and _BLOCK.fullmatch(text):
        assert analysis.allow_block


def test_awkward_cases_give_the_same_bytes() -> None:
    shared = {"a": 1}
    cases: list[dict[Any, Any]] = [
        {"x": shared, "y": shared},  # an anchor: PyYAML writes it
        {"empty": {}, "none": []},
        {"emoji": "🙂", "u": "C:\\Users"},
        {"kept": "a\n\n", "indented": " a\nb", "tab": "a\tb", "cr": "a\rb"},
        {"k" * 200: 1, "no": "yes", 1: 2.5, False: None, None: 0, "é: x": "# y"},
        {"long": "word " * 60 + "end", "quoted": "'" + "x " * 70 + "'", "x": ["- a", "? b"]},
        {"nested": [[1, [2, {"a": [{"b": "c"}]}]], {"d": {"e": "f\ng"}}]},
    ]
    for data in cases:
        assert canonical_yaml(data) == _pyyaml_yaml(data)


def test_fhir_import_writes_every_example_directly(monkeypatch: Any) -> None:
    paths = [
        *sorted((ROOT / "examples" / "instruments").glob("*.yaml")),
        *sorted((ROOT / "examples" / "worksheets").glob("*.yaml")),
    ]
    written = 0
    for path in paths:
        result = import_questionnaire(to_fhir(_worksheet(path)))
        if result.worksheet is None:
            continue
        data = worksheet_yaml_data(result.worksheet)
        direct = _direct_yaml(data)
        assert direct is not None, path.name
        assert direct == _pyyaml_yaml(data) == result.to_yaml(), path.name
        written += 1
    assert written >= 20

    # And the import does not call PyYAML's writer.
    def refuse(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("PyYAML's writer was used")

    monkeypatch.setattr(_canonical, "_pyyaml_yaml", refuse)
    monkeypatch.setattr(yaml, "dump", refuse)
    result = import_questionnaire(to_fhir(_worksheet(paths[0])))
    assert result.worksheet is not None


def test_fhir_import_loads_only_what_it_uses(tmp_path: Path) -> None:
    """The command's start: the response validator, engine and JSON Schema, Jinja2 and the
    renderers stay unloaded (lazy package attributes, responses/ and rendering/)."""
    import json
    import subprocess
    import sys

    q = tmp_path / "q.json"
    ws = _worksheet(ROOT / "examples" / "instruments" / "phq-9.yaml")
    q.write_text(json.dumps(to_fhir(ws)), encoding="utf-8")
    code = (
        "import sys, runpy; sys.argv = ['worksheetkit', 'fhir', 'import', sys.argv[1], '-o', "
        "sys.argv[2]]\ntry:\n    runpy.run_module('worksheetkit', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('worksheetkit.responses.', "
        "'jinja2', 'worksheetkit.rendering._render', 're2'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(q), str(tmp_path / "out.yaml")],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = out.stdout.strip().splitlines()[-1]
    for module in ("validate", "_engine", "schema", "_visibility", "jinja2", "_render", "re2"):
        assert module not in loaded, loaded
    assert (tmp_path / "out.yaml").read_text(encoding="utf-8").startswith("worksheetkit: 1\n")
