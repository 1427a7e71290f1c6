"""The one rule for every link and media address: validation (WK212) and every renderer ask it.

Allowed: ``http://`` and ``https://`` addresses with a site name, ``mailto:``, paths inside the
pack (no leading ``/`` or ``\\``, no ``..`` climbing out) and ``#fragments``. Anything else is
refused. A viewer may decode character references (``&#x61;``) and percent-encoding
(``%2e%2e``) before following a link, and browsers read ``\\`` as ``/`` and skip tabs and line
breaks, so an address is judged as written *and* as every such decoding reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

__all__ = ["ALLOWED_LINKS", "LinkProblem", "link_kind", "link_ok", "link_problem"]

#: What the rule allows, in words, for messages and hints.
ALLOWED_LINKS = (
    "only https:// (or http://) addresses, mailto: addresses, paths inside the pack "
    "(not starting with / or \\ and not leaving it with ..) and #fragments are allowed"
)

_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
# Decoding rounds: each one decodes every reading again (``&amp;#x61;`` takes two). Decoding
# never makes a text longer, so the readings are bounded by 2**(rounds+1) copies of it.
_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class LinkProblem:
    """Why an address is refused: ``said`` completes "This link …"; ``needle`` is text to
    look for in the source to point at it (lower case; may be absent from it)."""

    said: str
    needle: str


def _readings(url: str) -> list[str]:
    """``url`` as written, then as each decoding a viewer may apply reads it."""
    out = [url]
    seen = {url}
    frontier = [url]
    for _ in range(_ROUNDS):
        following: list[str] = []
        for text in frontier:
            if "%" not in text and "&" not in text:
                continue
            # Here, not at import: html's entity tables were 1.5 ms of validating a
            # worksheet, most of whose links hold neither "%" nor "&" (2026-12-05).
            import html

            for decoded in (unquote(text), html.unescape(text)):
                if decoded not in seen:
                    seen.add(decoded)
                    following.append(decoded)
        if not following:
            break
        out.extend(following)
        frontier = following
    return out


def _judge(reading: str) -> tuple[str, LinkProblem | None]:
    """The kind of one reading (``web``, ``mailto``, ``fragment``, ``relative``) or why not."""
    text = _CONTROL.sub("", reading).replace("\\", "/").lower()
    if text.startswith("#"):
        return "fragment", None
    match = _SCHEME.match(text)
    if match is not None:
        scheme = match.group(1)
        rest = text[match.end() :]
        if scheme in ("http", "https"):
            host = rest[2:].split("/")[0].split("?")[0].split("#")[0].rpartition("@")[2]
            if rest.startswith("//") and host.split(":")[0]:
                return "web", None
            return "", LinkProblem(f"writes '{scheme}:' without '//' and a site name", scheme)
        if scheme == "mailto" and rest:
            return "mailto", None
        return "", LinkProblem(f"uses '{scheme}:'", scheme)
    if text.startswith("//"):
        return "", LinkProblem("points to another site without https://", "//")
    if text.startswith("/"):
        return "", LinkProblem("starts with '/' (a path outside the pack)", "/")
    depth = 0
    for segment in text.split("?")[0].split("#")[0].split("/"):
        if segment == "..":
            depth -= 1
            if depth < 0:
                return "", LinkProblem("leaves the pack folder with '..'", "..")
        elif segment not in ("", "."):
            depth += 1
    return "relative", None


def link_problem(url: str) -> LinkProblem | None:
    """Why ``url`` may not be followed, or None when it may."""
    for reading in _readings(url):
        problem = _judge(reading)[1]
        if problem is not None:
            return problem
    return None


def link_ok(url: str) -> bool:
    """True when ``url`` is allowed (see the module docstring): the only link rule."""
    return link_problem(url) is None


def link_kind(url: str) -> str | None:
    """``web``, ``mailto``, ``fragment`` or ``relative`` for an allowed address (as written);
    None for a refused one."""
    if link_problem(url) is not None:
        return None
    return _judge(url)[0]
