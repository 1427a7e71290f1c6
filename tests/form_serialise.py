"""What a browser sends when the rendered HTML form is submitted without JavaScript.

A small model of the HTML standard's "constructing the entry list" for the controls the
renderer writes: enabled ``input`` (text, number, date, time, datetime-local, hidden; radio and
checkbox when checked), ``textarea`` (line breaks normalised to CRLF, as browsers send them) and
``select`` (the selected option, else the first). Controls without a name are not sent.
"""

from __future__ import annotations

from html.parser import HTMLParser

_VALUE_INPUTS = {"text", "number", "date", "time", "datetime-local", "hidden", "range", "email"}


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self.in_form = 0
        self._textarea: tuple[str, list[str]] | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: tuple[str | None, bool, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.in_form += 1
            return
        if not self.in_form or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.pairs.append((name, a.get("value", "on")))
            elif kind in _VALUE_INPUTS:
                self.pairs.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = (name, [])
        elif tag == "select" and name:
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None:
            self._option[2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form -= 1
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            text = "".join(parts).replace("\r\n", "\n").replace("\n", "\r\n")
            self.pairs.append((name, text))
            self._textarea = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value, selected, parts = self._option
            self._select[1].append((value if value is not None else "".join(parts), selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            chosen = [v for v, s in options if s]
            if chosen:
                self.pairs.append((name, chosen[-1]))
            elif options:
                self.pairs.append((name, options[0][0]))
            self._select = None


def serialise(html: str) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser submits for the form(s) in ``html``, in order."""
    parser = _Form()
    parser.feed(html)
    parser.close()
    return parser.pairs
