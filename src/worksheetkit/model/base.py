"""The shared base of every document model: closed, immutable, aliases for YAML spellings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


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
    )
