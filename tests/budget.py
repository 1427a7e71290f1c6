"""Deterministic work budgets for tests: count Python function calls instead of timing.

A wall-clock bound fails on a busy machine and passes on a fast one; the number of Python
function calls a piece of work makes is the same on every run. A hang or a quadratic blow-up
shows as calls far beyond the budget, and ``counted`` stops the work once it passes the budget
(so a runaway case fails at once instead of running on).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")


class OverBudget(AssertionError):
    """The work made more calls than its budget allowed."""


def counted(budget: int, fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, int]:
    """``(fn(*args, **kwargs), Python calls it made)``; raises ``OverBudget`` as soon as the
    count passes ``budget``. Only Python-level calls are counted (C functions are not), and no
    per-line tracing is switched on, so the overhead is one small callback per call."""
    calls = 0
    previous = sys.gettrace()

    def tracer(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal calls
        calls += 1  # settrace's global function sees only "call" events
        if calls > budget:
            sys.settrace(None)
            raise OverBudget(f"more than {budget:,} calls")

    sys.settrace(tracer)
    try:
        result = fn(*args, **kwargs)
    finally:
        sys.settrace(previous)
    return result, calls
