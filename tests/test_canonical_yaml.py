"""The YAML writer (rendering/_canonical.py, used by ``fhir import``) runs on libyaml's emitter;
it must write the same bytes as PyYAML's pure-Python one."""

from __future__ import annotations

from pathlib import Path

import yaml

import worksheetkit as wk
from worksheetkit.fhir import import_questionnaire, to_fhir
from worksheetkit.rendering._canonical import _Dumper, _tidy, canonical_yaml

ROOT = Path(__file__).resolve().parents[1]
TRICKY = [
    "plain",
    "two\nlines",
    "trailing space \nline",
    "carriage\rreturn",
    "tab\tinside",
    "bell\x07",
    "nel\x85 and \u2028 separator",
    "  leading spaces",
    "yes",
    "null",
    "1.0",
    "émoji 🙂 ünïcode",
    "a: colon",
    "- dash",
    "# hash",
    "x" * 250,
    "word " * 60,
    "",
]


def test_the_writer_uses_libyaml() -> None:
    assert issubclass(_Dumper, yaml.CSafeDumper)


def test_same_bytes_as_the_pure_python_emitter_on_every_example() -> None:
    paths = sorted((ROOT / "examples").glob("*/*.yaml"))
    worksheets = [
        wk.loads(p.read_text(encoding="utf-8"))
        for p in paths
        if "worksheet" in p.parent.name or "instrument" in p.parent.name
    ]
    assert len(worksheets) >= 20
    for ws in worksheets:
        back = import_questionnaire(to_fhir(ws)).worksheet
        if back is None:
            continue
        data = {
            "worksheetkit": 1,
            "kind": "worksheet",
            **_tidy(back.model_dump(mode="python", by_alias=True, exclude_defaults=True)),
        }
        assert canonical_yaml(data) == canonical_yaml(data, pure_python=True)


def test_same_bytes_on_awkward_texts() -> None:
    data = {
        "texts": TRICKY,
        "nested": {t[:20] or "empty": t for t in TRICKY},
        "numbers": [0, 1.5, -2, 10**20],
    }
    assert canonical_yaml(data) == canonical_yaml(data, pure_python=True)
    assert yaml.safe_load(canonical_yaml(data)) == data


def test_escape_rule_is_the_one_it_replaced() -> None:
    from worksheetkit.rendering._canonical import _ESCAPE

    def before(value: str) -> bool:  # the rule as written before the regular expression
        return any(ch in value for ch in "\x85\u2028\u2029\r") or any(
            ord(ch) < 0x20 and ch not in "\n\t" for ch in value
        )

    for code in range(0x3000):
        ch = chr(code)
        assert bool(_ESCAPE.search(f"a{ch}b")) is before(f"a{ch}b"), hex(code)


def test_to_yaml_returns_the_text_the_import_checked() -> None:
    from worksheetkit.fhir import worksheet_to_yaml

    for path in sorted((ROOT / "examples" / "instruments").glob("*.yaml")):
        result = import_questionnaire(to_fhir(wk.loads(path.read_text(encoding="utf-8"))))
        assert result.worksheet is not None
        assert result._yaml is not None
        assert result.to_yaml() == worksheet_to_yaml(result.worksheet)


class _PyYAMLRepresenter(yaml.CSafeDumper):
    """libyaml's emitter with PyYAML's own representer for every value (the writer builds dict,
    list and text nodes itself)."""


_PyYAMLRepresenter.add_representer(str, _Dumper.yaml_representers[str])


def _dumped(data: object, dumper: type) -> str:
    text: str = yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
    return text


def test_the_nodes_built_here_are_pyyamls_own() -> None:
    shared = {"a": 1}
    row = [1, 2]
    cases: list[object] = [
        {"x": shared, "y": shared, "rows": [row, row], "row": row},  # anchors and aliases
        {"empty": {}, "none": [], "null": None, "float": 1.5, "whole": 2.0, "big": 10**20},
        {"yes": True, "no": False, "texts": TRICKY, "nested": [[{"k": [{"deep": []}]}]]},
        [1, "two", {"three": [3]}],
        {1: "int key", None: "null key", False: "bool key", 2.5: "float key"},
    ]
    for path in sorted((ROOT / "examples" / "worksheets").glob("*.yaml"))[:8]:
        cases.append(yaml.safe_load(path.read_text(encoding="utf-8")))
    for data in cases:
        assert _dumped(data, _Dumper) == _dumped(data, _PyYAMLRepresenter)
    # Sorted keys or flow style: PyYAML's representer decides, so nothing changes either.
    for data in cases[:3]:
        for options in ({"sort_keys": True}, {"default_flow_style": None}):
            assert yaml.dump(data, Dumper=_Dumper, **options) == yaml.dump(
                data, Dumper=_PyYAMLRepresenter, **options
            )


# Texts that YAML 1.2 (the reader's core schema) reads as numbers but PyYAML's 1.1 resolver
# writes plain: they must be quoted, or they come back as numbers.
READ_AS_NUMBERS = ["1e20", "1E3", "+.5e3", "-2e-3", "0o17", "7e1"]


def test_texts_the_reader_would_type_are_quoted() -> None:
    from worksheetkit.loading.yamlsource import parse_text

    data = {"texts": READ_AS_NUMBERS, "1e3": "key", "numbers": [1, 1.5, 1e20, True, None]}
    for pure in (False, True):
        text = canonical_yaml(data, pure_python=pure)
        assert parse_text(text).data == data, text


def test_every_import_reads_back_as_the_data_written() -> None:
    """What lets ``fhir import`` check the data instead of reading its YAML again."""
    from worksheetkit.loading.yamlsource import parse_text
    from worksheetkit.rendering import worksheet_yaml_data
    from worksheetkit.validation.objects import _plain

    paths = [
        *sorted((ROOT / "examples" / "instruments").glob("*.yaml")),
        *sorted((ROOT / "examples" / "worksheets").glob("*.yaml")),
    ]
    checked = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if "\nextends:" in text or text.startswith("extends:"):
            continue
        result = import_questionnaire(to_fhir(wk.loads(text)))
        assert result.worksheet is not None, path.name
        written = worksheet_yaml_data(result.worksheet)
        assert parse_text(result.to_yaml()).data == _plain(written), path.name
        checked += 1
    assert checked >= 20
