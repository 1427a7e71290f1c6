"""The placeholder sentences ``worksheetkit new`` writes, which lint reports when left in (WL016).

They live here, not in the CLI, so the library can recognise them and the blank worksheet is
written from the very same text (a test keeps the two together).
"""

from __future__ import annotations

from typing import Final

SUMMARY: Final = "One line that says what this practice is."
RATIONALE: Final = "Why the client is asked to do this, in plain words."
RATIONALE_MORE: Final = "Clients who understand the reason are more likely to do the practice."
INSTRUCTIONS: Final = "How to do it: when, where and for how long."
AUTHOR: Final = "Your name"

#: Each placeholder and the hint saying what to write in its place (AUTHOR counts only as a
#: whole entry of ``source.authors``).
PLACEHOLDERS: Final[dict[str, str]] = {
    SUMMARY: "Write, in one line, what this practice is.",
    RATIONALE: "Write, in one or two plain sentences, how this practice helps the client.",
    INSTRUCTIONS: "Write how to do it: when, where and for how long.",
    AUTHOR: "Write the author's name (or your clinic's).",
}
