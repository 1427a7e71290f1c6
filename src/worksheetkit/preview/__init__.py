"""``worksheetkit preview``: a local, read-only authoring studio for a pack.

Optional: needs the ``preview`` extra (Starlette, uvicorn, watchfiles). ``import worksheetkit``
never imports this package. ``create_app(folder)`` gives the ASGI app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module 'worksheetkit.preview' has no attribute {name!r}")
