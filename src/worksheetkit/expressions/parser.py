"""Parsing expression text into a syntax tree, with clinician-readable syntax errors (WK301).

A hand-written tokenizer and precedence-climbing parser rather than a grammar library: it
gives exact offsets for every token, messages phrased for the person who typed the formula
("Expected a value after '>='"), and a hard bound on nesting that is checked *before* Python's
own recursion limit could be reached, whatever the input.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Final, Literal, NoReturn

from ..errors import Problem
from .nodes import (
    COMPARISONS,
    PRECEDENCE,
    Binary,
    BinaryOp,
    Call,
    ColumnRef,
    Const,
    Expr,
    ListExpr,
    Name,
    Unary,
    depth,
)
from .problems import SYNTAX, ExpressionSyntaxError

MAX_LENGTH: Final = 2000
MAX_DEPTH: Final = 64

KEYWORDS: Final = frozenset({"and", "or", "not", "in", "true", "false", "null"})
_OPERATORS: Final = ("==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ",")
_ESCAPES: Final = {"n": "\n", "t": "\t", "r": "\r"}
_SMART_QUOTES: Final = "‘’‚‛“”„‟′″"

TokenKind = Literal["number", "text", "name", "column", "keyword", "op", "end"]


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str  # the source spelling
    offset: int
    value: object = None  # numbers and decoded text


def _fail(message: str, offset: int, length: int, hint: str | None = None) -> NoReturn:
    raise ExpressionSyntaxError(Problem(SYNTAX, message, hint=hint, offset=offset, length=length))


def _column(offset: int) -> int:
    return offset + 1


def _is_name_start(ch: str) -> bool:
    return ch == "_" or "a" <= ch <= "z"


def _is_name_char(ch: str) -> bool:
    return ch == "_" or "a" <= ch <= "z" or "A" <= ch <= "Z" or "0" <= ch <= "9"


def _describe_char(ch: str) -> str:
    if ch == "\x00":
        return "a NUL character (U+0000)"
    if ch.isprintable() and not ch.isspace():
        return f"'{ch}'"
    return f"the invisible character U+{ord(ch):04X}"


def tokenize(source: str) -> list[Token]:
    """Split ``source`` into tokens, ending with an ``end`` token; raises on bad characters."""
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch.isspace():
            i += 1
            continue
        start = i
        if "0" <= ch <= "9":
            i = _scan_number(source, i, tokens)
            continue
        if ch in "'\"":
            i = _scan_text(source, i, tokens)
            continue
        if _is_name_start(ch) or "A" <= ch <= "Z":
            while i < n and _is_name_char(source[i]):
                i += 1
            word = source[start:i]
            if not _is_name_start(word[0]):
                hint = (
                    f"Write '{word.lower()}' in lowercase."
                    if word.lower() in KEYWORDS
                    else "Item ids start with a lowercase letter or '_'."
                )
                _fail(f"'{word}' is not a valid name", start, len(word), hint)
            if i < n and source[i] == ".":
                i = _scan_column(source, start, i, tokens)
                continue
            kind: TokenKind = "keyword" if word in KEYWORDS else "name"
            tokens.append(Token(kind, word, start))
            continue
        two = source[i : i + 2]
        if two == "<>":
            _fail("'<>' is not an operator", i, 2, "Use '!=' for 'is not equal to'.")
        if two in ("&&", "||"):
            word = "and" if two == "&&" else "or"
            _fail(f"'{two}' is not an operator", i, 2, f"Use '{word}'.")
        if two == "=>":
            _fail("'=>' is not an operator", i, 2, "Use '>=' for 'at least'.")
        if two == "=<":
            _fail("'=<' is not an operator", i, 2, "Use '<=' for 'at most'.")
        op = next((o for o in _OPERATORS if source.startswith(o, i)), None)
        if op is not None:
            tokens.append(Token("op", op, i))
            i += len(op)
            continue
        if ch == "=":
            _fail("A single '=' is not an operator", i, 1, "Use '==' to compare two values.")
        if ch == "!":
            _fail("'!' is not an operator", i, 1, "Use 'not' or '!='.")
        if ch in "&|":
            _fail(f"'{ch}' is not an operator", i, 1, f"Use '{'and' if ch == '&' else 'or'}'.")
        if ch == ".":
            if i + 1 < n and source[i + 1].isdigit():
                _fail(
                    "A number cannot start with '.'",
                    i,
                    1,
                    "Write a digit before the decimal point, like 0.5.",
                )
            _fail("Unexpected '.'", i, 1, "Columns are written table.column, with no spaces.")
        if ch in _SMART_QUOTES:
            _fail(
                f"Curly quote {ch} cannot start or end text",
                i,
                1,
                "Use straight quotes: 'text' or \"text\".",
            )
        _fail(f"Unexpected character: {_describe_char(ch)}", i, 1)
    tokens.append(Token("end", "", n))
    return tokens


def _scan_number(source: str, i: int, tokens: list[Token]) -> int:
    start, n = i, len(source)
    while i < n and source[i].isascii() and source[i].isdigit():
        i += 1
    is_decimal = False
    if i < n and source[i] == ".":
        i += 1
        if not (i < n and source[i].isascii() and source[i].isdigit()):
            _fail(
                f"Expected a digit after the decimal point in '{source[start:i]}'",
                start,
                i - start,
                "Write 2 or 2.5, not 2.",
            )
        while i < n and source[i].isascii() and source[i].isdigit():
            i += 1
        is_decimal = True
    if i < n and (_is_name_char(source[i]) or source[i] == "."):
        end = i
        while end < n and (_is_name_char(source[end]) or source[end] == "."):
            end += 1
        _fail(
            f"'{source[start:end]}' is not a number",
            start,
            end - start,
            "Numbers are digits with at most one decimal point, like 12 or 0.5.",
        )
    text = source[start:i]
    value: int | float = float(text) if is_decimal else int(text)
    if not math.isfinite(float(text)) or abs(float(text)) >= 1e300:
        _fail("This number is too large", start, i - start)
    tokens.append(Token("number", text, start, value))
    return i


def _scan_text(source: str, i: int, tokens: list[Token]) -> int:
    quote_char, start, n = source[i], i, len(source)
    i += 1
    out: list[str] = []
    while True:
        if i >= n:
            _fail(
                f"Text opened with {quote_char} at column {_column(start)} has no closing "
                f"{quote_char}",
                start,
                n - start,
                f"Add a closing {quote_char}.",
            )
        ch = source[i]
        if ch == quote_char:
            i += 1
            break
        if ch == "\x00":
            _fail("Text cannot contain a NUL character (U+0000)", i, 1)
        if ch == "\\":
            if i + 1 >= n:
                _fail("A backslash cannot end the expression", i, 1)
            nxt = source[i + 1]
            if nxt == "u":
                digits = source[i + 2 : i + 6]
                if len(digits) != 4 or any(c not in "0123456789abcdefABCDEF" for c in digits):
                    _fail(
                        "Expected four hex digits after \\u",
                        i,
                        min(6, n - i),
                        "Write a character code like \\u00e9.",
                    )
                out.append(chr(int(digits, 16)))
                i += 6
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    tokens.append(Token("text", source[start:i], start, "".join(out)))
    return i


def _scan_column(source: str, start: int, dot: int, tokens: list[Token]) -> int:
    n = len(source)
    i = dot + 1
    if not (i < n and _is_name_start(source[i])):
        _fail(
            f"Expected a column id after '{source[start:i]}'",
            start,
            i - start,
            "Columns are written table.column, with no spaces.",
        )
    col_start = i
    while i < n and _is_name_char(source[i]):
        i += 1
    if i < n and source[i] == ".":
        end = i
        while end < n and (_is_name_char(source[end]) or source[end] == "."):
            end += 1
        _fail(
            f"'{source[start:end]}' has more than one dot",
            start,
            end - start,
            "Only table.column is allowed; item ids themselves cannot contain dots.",
        )
    table, column = source[start:dot], source[col_start:i]
    for word, at in ((table, start), (column, col_start)):
        if word in KEYWORDS:
            _fail(f"'{word}' is a keyword and cannot be used as an id", at, len(word))
    tokens.append(Token("column", source[start:i], start))
    return i


def _spelling(token: Token) -> str:
    return "the end of the expression" if token.kind == "end" else f"'{token.text}'"


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.pos = 0
        self.level = 0

    # -- token helpers ------------------------------------------------------------------------

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def previous(self) -> Token | None:
        return self.tokens[self.pos - 1] if self.pos > 0 else None

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != "end":
            self.pos += 1
        return token

    def at_op(self, *ops: str) -> bool:
        token = self.peek()
        return token.kind in ("op", "keyword") and token.text in ops

    def end_of(self, token: Token) -> int:
        return token.offset + len(token.text)

    # -- grammar ------------------------------------------------------------------------------

    def parse(self) -> Expr:
        if self.peek().kind == "end":
            _fail("The expression is empty", 0, len(self.source))
        expr = self.expression(0)
        token = self.peek()
        if token.kind != "end":
            if token.text in (")", "]"):
                opener = "(" if token.text == ")" else "["
                _fail(f"'{token.text}' has no matching '{opener}'", token.offset, 1)
            before = self.previous()
            hint = "Did you forget an operator (and, or, ==, +) or a comma between them?"
            after = f" after '{before.text}'" if before is not None else ""
            _fail(
                f"Unexpected {_spelling(token)}{after}",
                token.offset,
                len(token.text),
                hint,
            )
        return expr

    def binding_power(self, token: Token) -> int:
        if token.kind in ("op", "keyword") and token.text in PRECEDENCE and token.text != "not":
            return PRECEDENCE[token.text]
        return 0

    def expression(self, rbp: int) -> Expr:
        self.level += 1
        if self.level > MAX_DEPTH:
            token = self.peek()
            _fail(
                f"This expression is nested too deeply (more than {MAX_DEPTH} levels)",
                token.offset,
                len(token.text),
                "Split it into simpler parts.",
            )
        left = self.prefix()
        while self.binding_power(self.peek()) > rbp:
            op_token = self.advance()
            op: BinaryOp = op_token.text  # type: ignore[assignment]
            power = PRECEDENCE[op]
            right = self.operand(op_token, power)
            left = Binary(
                op, left, right, left.offset, self.end_of(self.previous_or(op_token)) - left.offset
            )
            nxt = self.peek()
            if op in COMPARISONS and nxt.kind in ("op", "keyword") and nxt.text in COMPARISONS:
                _fail(
                    f"Comparisons cannot be chained: '{op}' is followed by '{nxt.text}'",
                    nxt.offset,
                    len(nxt.text),
                    "Join two comparisons with 'and', like: x >= 1 and x <= 5.",
                )
        self.level -= 1
        return left

    def previous_or(self, fallback: Token) -> Token:
        return self.previous() or fallback

    def operand(self, after: Token, power: int) -> Expr:
        """The expression that must follow ``after`` (an operator, '(' or ',')."""
        if self.starts_value(self.peek()):
            return self.expression(power)
        token = self.peek()
        _fail(
            f"Expected a value after '{after.text}'",
            token.offset,
            len(token.text),
            "A value is a number, 'text', an item id, a function call or a parenthesis."
            if token.kind == "end"
            else f"Found {_spelling(token)} instead.",
        )

    def starts_value(self, token: Token) -> bool:
        if token.kind in ("number", "text", "name", "column"):
            return True
        if token.kind == "keyword":
            return token.text in ("true", "false", "null", "not")
        return token.kind == "op" and token.text in ("(", "[", "-")

    def prefix(self) -> Expr:
        token = self.peek()
        if not self.starts_value(token):
            before = self.previous()
            if before is None:
                _fail(
                    f"Expected a value at the start, found {_spelling(token)}",
                    token.offset,
                    len(token.text),
                )
            _fail(f"Expected a value after '{before.text}'", token.offset, len(token.text))
        self.advance()
        if token.kind == "number":
            return Const(token.value, token.offset, len(token.text))  # type: ignore[arg-type]
        if token.kind == "text":
            return Const(token.value, token.offset, len(token.text))  # type: ignore[arg-type]
        if token.kind == "column":
            table, _, column = token.text.partition(".")
            return ColumnRef(table, column, token.offset, len(token.text))
        if token.kind == "keyword":
            if token.text == "not":
                operand = self.operand(token, PRECEDENCE["not"])
                return Unary("not", operand, token.offset, self.end_of_last() - token.offset)
            value = {"true": True, "false": False, "null": None}[token.text]
            return Const(value, token.offset, len(token.text))
        if token.kind == "name":
            if self.at_op("("):
                return self.call(token)
            return Name(token.text, token.offset, len(token.text))
        if token.text == "-":
            nxt = self.peek()
            if nxt.kind == "number":
                # Fold "-3" into one literal so the JSON form of a negative number is a number.
                self.advance()
                value = -nxt.value  # type: ignore[operator]
                return Const(value, token.offset, self.end_of(nxt) - token.offset)
            operand = self.operand(token, PRECEDENCE["neg"])
            return Unary("-", operand, token.offset, self.end_of_last() - token.offset)
        if token.text == "(":
            inner = self.operand(token, 0)
            self.expect_close(token, ")")
            return inner
        # "[": a list literal
        items = self.sequence(token, "]")
        return ListExpr(tuple(items), token.offset, self.end_of_last() - token.offset)

    def end_of_last(self) -> int:
        last = self.previous()
        return self.end_of(last) if last is not None else 0

    def call(self, name: Token) -> Call:
        opener = self.advance()
        args = self.sequence(opener, ")")
        return Call(name.text, tuple(args), name.offset, self.end_of_last() - name.offset)

    def sequence(self, opener: Token, closer: str) -> list[Expr]:
        """Comma-separated values up to ``closer``; the opener is already consumed."""
        items: list[Expr] = []
        if self.at_op(closer):
            self.advance()
            return items
        after = opener
        while True:
            items.append(self.operand(after, 0))
            if self.at_op(","):
                after = self.advance()
                continue
            self.expect_close(opener, closer)
            return items

    def expect_close(self, opener: Token, closer: str) -> None:
        token = self.peek()
        if token.kind == "op" and token.text == closer:
            self.advance()
            return
        what = "parenthesis" if opener.text == "(" else "bracket"
        if token.kind == "end":
            _fail(
                f"Unclosed {what} opened at column {_column(opener.offset)}",
                token.offset,
                0,
                f"Add a closing '{closer}'.",
            )
        _fail(
            f"Expected '{closer}' to close the {what} opened at column "
            f"{_column(opener.offset)}, found {_spelling(token)}",
            token.offset,
            len(token.text),
            "Did you forget a comma or an operator?",
        )


def parse(source: str) -> Expr:
    """Parse expression text; raises :class:`ExpressionSyntaxError` (WK301) when it is invalid.

    Offsets in the tree and in the error are 0-based character offsets into ``source``; the
    column numbers quoted in messages are 1-based and count from the start of the expression.
    """
    if not isinstance(source, str):
        raise TypeError(f"parse() needs a str, not {type(source).__name__}")
    return _parsed(source)


# The trees are immutable (frozen dataclasses), so one parse of a text serves every caller:
# `fhir import` parses each condition and formula when translating it and again when its
# worksheet is checked (the check's parses were a quarter of it: 26 example imports,
# 2026-12-05). Texts that do not parse raise each time (exceptions are not kept).
@functools.lru_cache(maxsize=1024)
def _parsed(source: str) -> Expr:
    if len(source) > MAX_LENGTH:
        _fail(
            f"This expression is longer than {MAX_LENGTH:,} characters",
            MAX_LENGTH,
            len(source) - MAX_LENGTH,
            "Split it into several scores or conditions.",
        )
    expr = _Parser(source).parse()
    if depth(expr) > MAX_DEPTH:
        _fail(
            f"This expression is nested too deeply (more than {MAX_DEPTH} levels)",
            0,
            len(source),
            "Split it into simpler parts; use sum(…) instead of a long chain of '+'.",
        )
    return expr
