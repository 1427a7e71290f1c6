"""The shared base of every document model: closed, immutable, aliases for YAML spellings."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


# ``default_factory`` of list and mapping fields. Python functions, not the ``list`` and ``dict``
# builtins: pydantic asks each factory for its signature when it builds a validator, and a
# builtin's signature is parsed from text by the tokenizer, whose regular expression is
# compiled on that first use: 6 ms of `worksheetkit validate ONE.yaml` (2026-12-04).
def empty_list() -> list[Any]:
    return []


def empty_dict() -> dict[Any, Any]:
    return {}


class Model(BaseModel):
    """Closed (unknown keys are errors) and immutable. Fields spelled like Python keywords
    (``for``, ``in``) use an alias; both spellings are accepted when constructing in Python."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        str_strip_whitespace=False,
        validate_default=False,
        hide_input_in_errors=True,  # answers are health data: never echo them in errors
        # Validators are built when a model is first used, not at import: `import
        # worksheetkit.model` took 185 ms of CPU, now 109 ms, and a command pays only for the
        # models it uses (a Worksheet and its items: 151 ms in all; 2026-12-04).
        defer_build=True,
    )
