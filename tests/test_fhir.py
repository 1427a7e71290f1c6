"""FHIR R4 interoperability: export, import, round trips, responses, third-party fixtures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from strategies import examples
from worksheetkit import Worksheet, WorksheetError, load_pack, loads
from worksheetkit.expressions import evaluate, parse
from worksheetkit.fhir import (
    export_questionnaire,
    from_fhir,
    import_questionnaire,
    import_response,
    response_from_fhir,
    response_to_fhir,
    to_fhir,
    worksheet_to_yaml,
)
from worksheetkit.fhir.fhirpath import Scope, to_fhirpath

R4B = pytest.importorskip("fhir.resources.R4B.questionnaire")
R4B_QR = pytest.importorskip("fhir.resources.R4B.questionnaireresponse")

ROOT = Path(__file__).resolve().parent.parent
# A copy of ../shared/fixtures/fhir (CC0), kept in the repository so the tests need nothing else.
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fhir"
EXTRA = Path(__file__).resolve().parent / "fixtures_fhir_extra" / "pack"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def all_worksheets() -> list[Worksheet]:
    found: list[Worksheet] = []
    for folder in (ROOT / "examples", EXTRA):
        if (folder / "pack.yaml").is_file():
            found.extend(load_pack(folder, strict=False).worksheets)
    return found


WORKSHEETS = all_worksheets()


def ws_id(ws: Worksheet) -> str:
    return f"{ws.id}@{ws.version}"


def codes(diagnostics: list[Any]) -> list[str]:
    return [d.code for d in diagnostics]


def find(items: list[dict[str, Any]], link_id: str) -> dict[str, Any]:
    for item in items:
        if item.get("linkId") == link_id:
            return item
        if item.get("item"):
            try:
                return find(item["item"], link_id)
            except KeyError:
                pass
    raise KeyError(link_id)


def ext(element: dict[str, Any], url_tail: str) -> Any:
    for e in element.get("extension", []):
        if e["url"].endswith(url_tail):
            return next(v for k, v in e.items() if k.startswith("value"))
    raise KeyError(url_tail)


@pytest.fixture(scope="module")
def every() -> Worksheet:
    return load_pack(EXTRA).worksheet("fhir.every_type")


@pytest.fixture(scope="module")
def every_q(every: Worksheet) -> dict[str, Any]:
    return to_fhir(every)


# -- every example ------------------------------------------------------------------------------


def test_the_corpus_is_not_empty() -> None:
    assert len(WORKSHEETS) >= 2


@pytest.mark.parametrize("worksheet", WORKSHEETS, ids=ws_id)
def test_export_validates_against_r4_models(worksheet: Worksheet) -> None:
    resource = to_fhir(worksheet)
    model = R4B.Questionnaire.model_validate(resource)
    assert model.url.endswith(f"/Questionnaire/{resource['id']}")
    assert model.version == worksheet.version
    # every linkId is unique (FHIR que-2)
    seen: list[str] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            seen.append(item["linkId"])
            walk(item.get("item", []))

    walk(resource["item"])
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("worksheet", WORKSHEETS, ids=ws_id)
def test_export_import_export_is_stable(worksheet: Worksheet) -> None:
    first = export_questionnaire(worksheet)
    imported = import_questionnaire(first.resource)
    assert imported.worksheet is not None, imported.diagnostics
    # nothing the export wrote is misunderstood on the way back
    assert not [d for d in imported.diagnostics if d.code in ("WK715", "WK714", "WK718")]
    second = to_fhir(imported.worksheet)
    assert json.dumps(second, sort_keys=False) == json.dumps(first.resource, sort_keys=False)


@pytest.mark.parametrize("worksheet", WORKSHEETS, ids=ws_id)
def test_imported_yaml_is_a_valid_worksheet(worksheet: Worksheet) -> None:
    imported = import_questionnaire(to_fhir(worksheet))
    text = imported.to_yaml()
    again = loads(text, source="imported.yaml")
    assert isinstance(again, Worksheet)
    assert text.startswith("worksheetkit: 1\nkind: worksheet\n")
    assert again == imported.worksheet  # the YAML says exactly what was imported
    assert worksheet_to_yaml(again) == text  # deterministic


def test_export_is_deterministic(every: Worksheet) -> None:
    assert json.dumps(to_fhir(every)) == json.dumps(to_fhir(every))


def test_core_does_not_import_fhir_resources() -> None:
    code = (
        "import sys, worksheetkit.fhir as f; from worksheetkit import load_pack;"
        f"ws = load_pack({str(EXTRA)!r}).worksheets[0]; f.from_fhir(f.to_fhir(ws));"
        "print(any(m.startswith('fhir.resources') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- the export mapping -------------------------------------------------------------------------


def test_questionnaire_metadata(every: Worksheet, every_q: dict[str, Any]) -> None:
    assert every_q["resourceType"] == "Questionnaire"
    assert every_q["url"] == "https://worksheetkit.example/Questionnaire/fhir.every-type"
    assert every_q["version"] == "1.2.0"
    assert every_q["name"] == "FhirEveryType"
    assert every_q["status"] == "active"
    assert every_q["language"] == "en"
    assert every_q["title"] == "Every item type"
    translation = every_q["_title"]["extension"][0]
    assert translation["url"] == "http://hl7.org/fhir/StructureDefinition/translation"
    assert {"url": "lang", "valueCode": "es"} in translation["extension"]
    assert {"url": "content", "valueString": "Todos los tipos"} in translation["extension"]
    custom = to_fhir(every, base_url="https://clinic.example/fhir/")
    assert custom["url"] == "https://clinic.example/fhir/Questionnaire/fhir.every-type"


def test_derived_from_for_templates() -> None:
    short = load_pack(EXTRA).worksheet("fhir.short")
    q = to_fhir(short)
    assert q["derivedFrom"] == ["https://worksheetkit.example/Questionnaire/fhir.every-type|1.2.0"]
    assert from_fhir(q).derived_from == "fhir.every-type@1.2.0"
    assert "priorities" not in json.dumps(q)


def test_item_types(every_q: dict[str, Any]) -> None:
    items = every_q["item"]
    assert find(items, "situation")["type"] == "text"
    assert find(items, "situation")["maxLength"] == 2000
    assert find(items, "code")["type"] == "string"
    assert ext(find(items, "code"), "/regex") == "^[A-Z]{3}$"
    assert find(items, "hours")["type"] == "decimal"
    assert ext(find(items, "hours"), "/maxValue") == 24
    assert find(items, "weight")["type"] == "integer"
    assert ext(find(items, "weight"), "/minValue") == 20
    assert find(items, "exercised")["type"] == "boolean"
    assert find(items, "day")["type"] == "date"
    assert find(items, "at")["type"] == "time"
    assert find(items, "at")["initial"] == [{"valueTime": "20:00:00"}]
    assert find(items, "when")["type"] == "dateTime"
    assert find(items, "how_long")["type"] == "string"
    assert find(items, "mood")["type"] == "open-choice"
    feelings = find(items, "feelings")
    assert feelings["repeats"] is True
    assert ext(feelings, "itemControl")["coding"][0]["code"] == "check-box"
    assert ext(feelings["answerOption"][2], "optionExclusive") is True
    assert feelings["answerOption"][0]["initialSelected"] is True


def test_likert_carries_ordinal_values(every_q: dict[str, Any]) -> None:
    interest = find(every_q["item"], "interest")
    assert interest["type"] == "choice"
    assert ext(interest, "itemControl")["coding"][0]["code"] == "radio-button"
    options = interest["answerOption"]
    assert [ext(o, "/ordinalValue") for o in options] == [0, 1, 2]
    assert options[1]["valueCoding"]["code"] == "1"
    assert options[1]["valueCoding"]["display"] == "Several days"
    assert "Varios días" in json.dumps(options[1]["valueCoding"]["_display"], ensure_ascii=False)


def test_rating_is_a_slider_with_bounds_and_step(every_q: dict[str, Any]) -> None:
    suds = find(every_q["item"], "suds")
    assert suds["type"] == "integer"
    assert ext(suds, "itemControl")["coding"][0]["code"] == "slider"
    assert ext(suds, "/minValue") == 0
    assert ext(suds, "/maxValue") == 100
    assert ext(suds, "sliderStepValue") == 10
    lower = find(suds["item"], "suds-lower")
    assert lower["text"] == "None"
    assert ext(lower, "itemControl")["coding"][0]["code"] == "lower"


def test_table_is_a_repeating_gtable_group(every_q: dict[str, Any]) -> None:
    log = find(every_q["item"], "log")
    assert log["type"] == "group"
    assert log["repeats"] is True
    assert ext(log, "itemControl")["coding"][0]["code"] == "gtable"
    assert ext(log, "minOccurs") == 1
    assert ext(log, "maxOccurs") == 5
    assert [c["linkId"] for c in log["item"]] == ["log.activity", "log.pleasure", "log.why"]
    # a column condition on a sibling column stays structured
    assert log["item"][2]["enableWhen"] == [
        {"question": "log.pleasure", "operator": ">=", "answerInteger": 8}
    ]


def test_notes_sections_media_and_help(every_q: dict[str, Any]) -> None:
    items = every_q["item"]
    assert items[0]["linkId"] == "worksheet-instructions"
    note = find(items, "note-1")
    assert note["type"] == "display"
    assert ext(note["_text"], "rendering-markdown") == "Think of **one** moment today."
    details = find(items, "details")
    assert details["type"] == "group"
    assert find(details["item"], "details-help")["text"] == "Optional part."
    media = find(items, "media-18.2")
    assert media["type"] == "display"
    attachment = ext(media, "itemMedia")
    assert attachment == {
        "contentType": "audio/mpeg",
        "url": "https://example.org/breathing.mp3",
        "title": "Audio",
    }
    assert find(items, "media-18.2-transcript")["text"] == "Breathe in."


def test_media_xhtml_is_escaped() -> None:
    ws = loads(
        """
worksheetkit: 1
id: t.media
version: 1.0.0
title: T
items:
  - type: media
    kind: image
    url: "https://example.org/a.png?x=\\"><script>alert(1)</script>"
    alt: 'a "quoted" <b>alt</b>'
"""
    )
    q = to_fhir(ws)
    xhtml = ext(q["item"][0]["_text"], "rendering-xhtml")
    assert "<script>" not in xhtml
    assert "<b>" not in xhtml
    assert "&lt;script&gt;" in xhtml
    assert "&quot;quoted&quot;" in xhtml


def test_simple_show_if_becomes_enable_when(every_q: dict[str, Any]) -> None:
    items = every_q["item"]
    assert find(items, "how_long")["enableWhen"] == [
        {"question": "exercised", "operator": "=", "answerBoolean": True}
    ]
    interest = find(items, "interest")
    assert interest["enableWhen"] == [
        {"question": "mood", "operator": "exists", "answerBoolean": True},
        {"question": "hours", "operator": ">=", "answerDecimal": 6},
    ]
    assert interest["enableBehavior"] == "all"


def test_other_show_if_becomes_enable_when_expression(every_q: dict[str, Any]) -> None:
    down = find(every_q["item"], "down")
    expression = ext(down, "enableWhenExpression")
    assert expression["language"] == "text/fhirpath"
    assert expression["expression"] == (
        "iif(((%resource.repeat(item).where(linkId='interest').answer.value.code.toDecimal())"
        " >= 1) or (%resource.repeat(item).where(linkId='feelings').answer.value.code contains"
        " 'tired'), true, false)"  # always a boolean, as SDC asks
    )
    assert "enableWhen" not in down


def test_scores_become_calculated_items(every_q: dict[str, Any]) -> None:
    total = find(every_q["item"], "total")
    assert total["type"] == "decimal"
    assert total["readOnly"] is True
    calc = ext(total, "calculatedExpression")
    # 'down' is reverse-scored 0..2: FHIR sees 2 - value
    assert "(2 - (%resource.repeat(item).where(linkId='down')" in calc["expression"]
    assert ".sum()" in calc["expression"]
    assert calc["expression"].startswith("iif(")  # the missing-answer rule around it


def test_export_warnings_name_what_was_left_out(every: Worksheet) -> None:
    result = export_questionnaire(every)
    by_code = {d.code: d for d in result.diagnostics}
    assert set(codes(result.diagnostics)) >= {"WK701", "WK703", "WK704", "WK705"}
    assert all(d.severity == "warning" for d in result.diagnostics)
    assert by_code["WK703"].json_path == "$.items[16]"
    assert "bands" in by_code["WK704"].message
    assert "estimated_minutes" in by_code["WK705"].message
    row_label = [d for d in result.diagnostics if d.json_path == "$.items[17].items[0].row_label"]
    assert row_label
    assert row_label[0].code == "WK701"


def test_untranslatable_column_condition_is_reported() -> None:
    ws = loads(
        """
worksheetkit: 1
id: t.cols
version: 1.0.0
title: T
items:
  - id: t
    type: table
    label: T
    columns:
      - {id: a, type: number}
      - {id: b, type: text, show_if: "a + 1 > 3"}
"""
    )
    result = export_questionnaire(ws)
    assert codes(result.diagnostics) == ["WK702"]
    assert result.diagnostics[0].json_path == "$.items[0].columns[1].show_if"
    column = find(result.resource["item"], "t.b")
    assert "enableWhen" not in column
    assert "extension" not in column


# -- FHIRPath ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("answered(a)", "%resource.repeat(item).where(linkId='a').answer.value.exists()"),
        ("a == null", "(%resource.repeat(item).where(linkId='a').answer.value).empty()"),
        ("c == 'x'", "%resource.repeat(item).where(linkId='c').answer.value.code = 'x'"),
        (
            "not (a > 2)",
            "iif((%resource.repeat(item).where(linkId='a').answer.value) > 2, false, true)",
        ),
        ("sum(a, 1)", "(%resource.repeat(item).where(linkId='a').answer.value).combine(1).sum()"),
        ("t.v", "%resource.repeat(item).where(linkId='t').item.where(linkId='t.v').answer.value"),
        ("if(a > 1, 'it''s', 'no')", None),
    ],
)
def test_fhirpath_translation(source: str, expected: str | None) -> None:
    ws = loads(
        """
worksheetkit: 1
id: t.fp
version: 1.0.0
title: T
items:
  - {id: a, type: number, label: A}
  - {id: c, type: choice, label: C, options: [x, y]}
  - {id: t, type: table, label: T, columns: [{id: v, type: number}]}
"""
    )
    assert isinstance(ws, Worksheet)
    items = {i.id: i for i in ws.items}  # type: ignore[union-attr]
    if expected is None:
        return
    assert to_fhirpath(parse(source), Scope(items)) == expected


def test_fhirpath_string_literals_are_escaped() -> None:
    from worksheetkit.fhir.fhirpath import literal

    assert literal("it's \\ \n") == "'it\\'s \\\\ \\n'"


# -- importing third-party Questionnaires ----------------------------------------------------------


def test_phq9_imports_as_likert_items_with_a_sum_score() -> None:
    result = import_questionnaire(fixture("questionnaire-sdc-profile-example-PHQ9.json"))
    ws = result.worksheet
    assert ws is not None
    section = ws.items[0]
    assert section.type == "section"
    questions = section.items  # type: ignore[union-attr]
    assert [q.id for q in questions] == [f"h1_t1_q{n}" for n in range(1, 10)]
    assert all(q.type == "likert" for q in questions)
    assert all(q.scale == "frequency-4" for q in questions)  # type: ignore[union-attr]
    assert [s.id for s in ws.scores] == ["h1_ts"]
    assert ws.scores[0].formula == "sum(" + ", ".join(q.id for q in questions) + ")"
    assert result.link_ids["H1/T1/Q1"] == "h1_t1_q1"
    renamed = [d for d in result.diagnostics if d.code == "WK711"]
    assert renamed[0].json_path == "$.item[0].item[0].linkId"
    assert "'H1/T1/Q1'" in renamed[0].message
    assert "'h1_t1_q1'" in renamed[0].message
    assert "WK717" in codes(result.diagnostics)
    assert not [d for d in result.diagnostics if d.severity == "error"]


def test_phq9_response_scores_ten_not_the_stored_thirteen() -> None:
    questionnaire = fixture("questionnaire-sdc-profile-example-PHQ9.json")
    ws = from_fhir(questionnaire)
    imported = import_response(fixture("questionnaireresponse-sdc-profile-example-PHQ9.json"), ws)
    answers = imported.response["answers"]
    assert answers == {
        "h1_t1_q1": 0,
        "h1_t1_q2": 0,
        "h1_t1_q3": 0,
        "h1_t1_q4": 1,
        "h1_t1_q5": 2,
        "h1_t1_q6": 1,
        "h1_t1_q7": 3,
        "h1_t1_q8": 2,
        "h1_t1_q9": 1,
    }
    assert evaluate(parse(ws.scores[0].formula), answers) == 10
    from worksheetkit.responses import score, validate_response

    assert score(ws, imported.response)["h1_ts"].value == 10
    assert validate_response(ws, imported.response) == []
    mismatch = [d for d in imported.diagnostics if d.code == "WK742"]
    assert len(mismatch) == 1
    assert mismatch[0].json_path == "$.item[0].item[9]"
    assert "13" not in mismatch[0].message  # no health data
    assert "10" not in mismatch[0].message
    exact = response_from_fhir(
        fixture("questionnaireresponse-sdc-profile-example-PHQ9.json"),
        ws,
        questionnaire=questionnaire,
    )
    assert exact["answers"] == answers
    assert exact["submitted_at"] == "2019-08-21T20:36:57.544Z"


def test_unresolvable_value_sets_are_reported_with_their_fhir_path() -> None:
    result = import_questionnaire(fixture("questionnaire-sdc-test-all-data-types.json"))
    assert result.worksheet is not None
    value_sets = [d for d in result.diagnostics if d.code == "WK712"]
    assert [d.json_path for d in value_sets] == [
        "$.item[0].item[11].answerValueSet",
        "$.item[0].item[12].answerValueSet",
        "$.item[0].item[13].answerValueSet",
        "$.item[0].item[14].answerValueSet",
    ]
    assert "866d7924e20711d48c540020182939f7" in value_sets[0].message
    attachment = [d for d in result.diagnostics if d.code == "WK714" and "attachment" in d.message]
    assert attachment[0].json_path == "$.item[0].item[10].type"
    types = {i.id: i.type for i in result.worksheet.items[0].items if getattr(i, "id", None)}  # type: ignore[union-attr]
    assert types["id_boolean"] == "yesno"
    assert types["id_datetime"] == "datetime"
    assert types["id_integer"] == "number"
    assert types["id_choice"] == "text"
    notes = [i for i in result.worksheet.items[0].items if i.type == "note"]  # type: ignore[union-attr]
    assert notes[1].text == "this is a **string** with markdown emphasis"  # type: ignore[union-attr]


def test_repeatable_nested_groups_become_a_table() -> None:
    result = import_questionnaire(fixture("questionnaire-sdc-test-repeatable-nested-groups.json"))
    assert result.worksheet is not None
    table = result.worksheet.items[0].items[1]  # type: ignore[union-attr]
    assert table.type == "table"
    assert [c.label for c in table.columns] == ["Service type", "Text box", "Text box - group 2"]
    nested = [d for d in result.diagnostics if d.code == "WK715"]
    assert nested[0].json_path == "$.item[0].item[1].item[2]"


def test_required_fields_and_coded_options() -> None:
    ws = from_fhir(fixture("questionnaire-sdc-test-required-field.json"))
    group = ws.items[0]
    assert group.id == "grp"  # type: ignore[union-attr]
    by_id = {i.id: i for i in group.items}  # type: ignore[union-attr]
    assert all(i.required for i in by_id.values())
    assert by_id["radio2"].type == "choice"
    assert [(o.value, o.label) for o in by_id["radio2"].options] == [("1", "One"), ("2", "Two")]  # type: ignore[union-attr]


def test_not_a_questionnaire_is_an_error() -> None:
    result = import_questionnaire(fixture("questionnaireresponse-sdc-profile-example-PHQ9.json"))
    assert result.worksheet is None
    assert codes(result.diagnostics) == ["WK710"]
    with pytest.raises(WorksheetError):
        from_fhir({"resourceType": "Patient"})


def test_unsupported_features_are_reported_with_paths() -> None:
    q = {
        "resourceType": "Questionnaire",
        "status": "active",
        "id": "odd",
        "item": [
            {"linkId": "a", "text": "A", "type": "string", "initial": [{"valueInteger": 3}]},
            {
                "linkId": "b",
                "text": "B",
                "type": "choice",
                "extension": [
                    {
                        "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
                        "sdc-questionnaire-answerExpression",
                        "valueExpression": {"language": "text/fhirpath", "expression": "x"},
                    }
                ],
                "answerOption": [{"valueString": "x"}],
            },
            {
                "linkId": "c",
                "text": "C",
                "type": "string",
                "enableWhen": [{"question": "zzz", "operator": "exists", "answerBoolean": True}],
            },
            {
                "linkId": "d",
                "text": "D",
                "type": "string",
                "extension": [
                    {
                        "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
                        "sdc-questionnaire-enableWhenExpression",
                        "valueExpression": {"language": "text/fhirpath", "expression": "%age > 18"},
                    }
                ],
            },
            {
                "linkId": "e",
                "text": "E",
                "type": "integer",
                "enableWhen": [{"question": "a", "operator": "=", "answerString": "yes"}],
            },
        ],
    }
    result = import_questionnaire(q)
    assert result.worksheet is not None
    paths = {(d.code, d.json_path) for d in result.diagnostics}
    assert ("WK714", "$.item[0].initial") in paths
    assert ("WK714", "$.item[1].extension") in paths
    assert ("WK715", "$.item[2].enableWhen[0]") in paths
    assert ("WK715", "$.item[3].extension") in paths
    e = result.worksheet.items[4]
    assert e.show_if == "a == 'yes'"


def test_enable_when_imports_as_show_if() -> None:
    q = {
        "resourceType": "Questionnaire",
        "status": "active",
        "id": "ew",
        "item": [
            {"linkId": "n", "text": "N", "type": "integer"},
            {
                "linkId": "c",
                "text": "C",
                "type": "choice",
                "repeats": True,
                "answerOption": [
                    {"valueCoding": {"code": "x", "display": "X"}},
                    {"valueCoding": {"code": "y", "display": "Y"}},
                ],
            },
            {
                "linkId": "q",
                "text": "Q",
                "type": "string",
                "enableBehavior": "any",
                "enableWhen": [
                    {"question": "n", "operator": ">", "answerInteger": 3},
                    {"question": "c", "operator": "=", "answerCoding": {"code": "y"}},
                    {"question": "n", "operator": "exists", "answerBoolean": False},
                ],
            },
        ],
    }
    ws = from_fhir(q)
    assert ws.items[2].show_if == "n > 3 or selected(c, 'y') or not answered(n)"


def test_link_id_collisions_get_suffixes() -> None:
    q = {
        "resourceType": "Questionnaire",
        "status": "active",
        "id": "dup",
        "item": [
            {"linkId": "a-b", "text": "1", "type": "string"},
            {"linkId": "a.b", "text": "2", "type": "string"},
            {"linkId": "1x", "text": "3", "type": "string"},
        ],
    }
    result = import_questionnaire(q)
    assert result.link_ids == {"a-b": "a_b", "a.b": "a_b_2", "1x": "q_1x"}


def test_contained_value_set_with_translations() -> None:
    q = {
        "resourceType": "Questionnaire",
        "status": "active",
        "id": "vs",
        "language": "en",
        "contained": [
            {
                "resourceType": "ValueSet",
                "id": "yn",
                "status": "active",
                "expansion": {
                    "timestamp": "2020-01-01",
                    "contains": [
                        {
                            "code": "y",
                            "display": "Yes",
                            "designation": [{"language": "fr", "value": "Oui"}],
                        },
                        {
                            "code": "n",
                            "display": "No",
                            "designation": [{"language": "fr", "value": "Non"}],
                        },
                    ],
                },
            }
        ],
        "item": [{"linkId": "q", "text": "Q", "type": "choice", "answerValueSet": "#yn"}],
    }
    ws = from_fhir(q)
    options = ws.items[0].options  # type: ignore[union-attr]
    assert [(o.value, o.label) for o in options] == [
        ("y", {"en": "Yes", "fr": "Oui"}),
        ("n", {"en": "No", "fr": "Non"}),
    ]


# -- responses -----------------------------------------------------------------------------------


def test_response_round_trip(every: Worksheet) -> None:
    response = {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": "fhir.every_type",
        "version": "1.2.0",
        "id": "r-1",
        "submitted_at": "2026-12-01T20:21:00+00:00",
        "answers": {
            "situation": "At work",
            "hours": 7.5,
            "weight": 70,
            "exercised": True,
            "at": "07:30",
            "day": "2026-12-01",
            "how_long": "PT20M",
            "mood": {"other": "bored"},
            "feelings": ["tense", "tired"],
            "interest": 1,
            "down": 2,
            "suds": 40,
            "priorities": ["family", "work"],
            "log": [
                {"activity": "Walk", "pleasure": 9, "why": "Sun"},
                {"activity": "Read", "pleasure": 5},
            ],
        },
    }
    from worksheetkit.responses import validate_response

    assert validate_response(every, response) == []
    qr = response_to_fhir(response, every)
    R4B_QR.QuestionnaireResponse.model_validate(qr)
    assert qr["questionnaire"] == "https://worksheetkit.example/Questionnaire/fhir.every-type|1.2.0"
    assert qr["status"] == "completed"
    assert find(qr["item"], "interest")["answer"] == [
        {"valueCoding": {"code": "1", "display": "Several days"}}
    ]
    assert find(qr["item"], "mood")["answer"] == [{"valueString": "bored"}]
    assert find(qr["item"], "at")["answer"] == [{"valueTime": "07:30:00"}]
    rows = [i for i in find(qr["item"], "details")["item"] if i["linkId"] == "log"]
    assert len(rows) == 2
    total = find(qr["item"], "total")
    assert total["answer"] == [{"valueDecimal": 1}]  # 1 + (2 - 2): 'down' is reverse-scored
    back = import_response(qr, every)
    assert back.diagnostics == []
    assert back.response["answers"] == response["answers"]
    assert back.response["submitted_at"] == "2026-12-01T20:21:00+00:00"


# -- hostile or odd input never crashes the importer ---------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
_KEYS = st.sampled_from(
    [
        "linkId",
        "text",
        "type",
        "item",
        "answerOption",
        "answerValueSet",
        "enableWhen",
        "enableBehavior",
        "initial",
        "extension",
        "repeats",
        "required",
        "_text",
        "prefix",
    ]
)
_TYPES = st.sampled_from(
    [
        "group",
        "display",
        "string",
        "text",
        "choice",
        "open-choice",
        "integer",
        "decimal",
        "boolean",
        "date",
        "time",
        "dateTime",
        "quantity",
        "attachment",
        "url",
        "odd",
    ]
)


@st.composite
def _items(draw: st.DrawFn, depth: int = 0) -> list[Any]:
    out = []
    for n in range(draw(st.integers(0, 3))):
        item: dict[str, Any] = {
            "linkId": draw(st.text(max_size=6)) or f"x{n}",
            "type": draw(_TYPES),
            "text": draw(st.text(max_size=6)),
        }
        item.update(draw(st.dictionaries(_KEYS, _JSON, max_size=3)))
        if depth < 2 and draw(st.booleans()):
            item["item"] = draw(_items(depth + 1))
        out.append(item)
    return out


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=_items(), extra=st.dictionaries(st.text(max_size=8), _JSON, max_size=3))
def test_import_never_raises(items: list[Any], extra: dict[str, Any]) -> None:
    q = {**extra, "resourceType": "Questionnaire", "status": "active", "item": items}
    result = import_questionnaire(q)
    assert all(d.code.startswith("WK") for d in result.diagnostics)
    if result.worksheet is not None:
        assert loads(result.to_yaml()) == result.worksheet
        import_response({"resourceType": "QuestionnaireResponse", "item": items}, result.worksheet)
