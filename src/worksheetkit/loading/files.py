"""Reading a file safely: inside a given folder (after resolving links), a regular file, bounded.

A pack is shared between clinics, so a file in it may be a symbolic link to ``/etc/passwd``, to
``..`` or to ``/dev/zero``. Every command reads files through :func:`read_bounded`, which
refuses such files with a :class:`FileRefused` instead of following them.
"""

from __future__ import annotations

import os
import stat
from typing import Final

__all__ = ["FileRefused", "inside", "overwrites", "read_bounded", "regular_inside", "within"]

_NOFOLLOW: Final = getattr(os, "O_NOFOLLOW", 0)
# O_NONBLOCK: opening a named pipe must not wait for a writer (it is refused just after).
_FLAGS: Final = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0)


class FileRefused(OSError):
    """Why a file was not read. ``reason`` is ``outside``, ``special``, ``linked`` (a hard
    link, refused inside a ``root``), ``large`` or ``unreadable``; ``message`` is a sentence for people."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def inside(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """True when ``path``, every link resolved, is ``root`` or lies under it."""
    real = os.path.realpath(path)
    top = os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def within(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """True when ``path`` (its nearest existing folder, links resolved) is ``root`` or lies
    under it, comparing folders by device and inode: ``./x``, links and a disk that folds
    case (``PACK`` for ``pack``) are all caught."""
    try:
        top = os.stat(root)
    except OSError:
        return False
    here = os.path.realpath(path)
    while True:
        try:
            info = os.stat(here)
        except OSError:
            info = None  # not written yet: look at its folder
        if info is not None and (info.st_dev, info.st_ino) == (top.st_dev, top.st_ino):
            return True
        parent = os.path.dirname(here)
        if parent == here:
            return False
        here = parent


def overwrites(output: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """True when writing ``output`` would replace an existing file of the folder ``root``: its
    name lies in ``root`` (the folder holding it resolved, compared by inode), it is a link
    into ``root``, or it is another name (hard link) of a file there. A name that does not
    exist yet replaces nothing."""
    if not os.path.lexists(output):
        return False
    folder = os.path.dirname(os.path.abspath(output))
    if within(folder, root) or within(os.path.realpath(output), root):
        return True
    try:
        info = os.stat(output)
    except OSError:
        return False
    if info.st_nlink < 2:
        return False
    key = (info.st_dev, info.st_ino)
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            try:
                found = os.stat(os.path.join(dirpath, name), follow_symlinks=False)
            except OSError:
                continue
            if (found.st_dev, found.st_ino) == key:
                return True
    return False


def regular_inside(path: str | os.PathLike[str], root: str | os.PathLike[str] | None) -> str:
    """Why ``path`` may not be read (``""`` when it may): a link leaving ``root``, or not a
    regular file (a folder, a device such as /dev/zero, a pipe)."""
    if root is not None and not inside(path, root):
        return "outside"
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return ""  # missing or unreadable: the reader reports it
    return "" if stat.S_ISREG(mode) else "special"


def read_bounded(
    path: str | os.PathLike[str],
    limit: int,
    *,
    root: str | os.PathLike[str] | None = None,
) -> bytes:
    """The bytes of ``path``: a regular file (links resolved; inside ``root`` when given) of at
    most ``limit`` bytes. Raises :class:`FileRefused` otherwise; never reads more than
    ``limit + 1`` bytes, never blocks on a pipe, never follows a link swapped in meanwhile."""
    name = str(path)
    if root is not None and not inside(path, root):
        raise FileRefused(
            "outside", f"{name} is a symbolic link to something outside the pack; not read"
        )
    # With a root, open the resolved name without following links (one swapped in after the
    # check is refused); without one, a link the user named is theirs to follow.
    target = os.path.realpath(path) if root is not None else path
    try:
        fd = os.open(target, _FLAGS if root is not None else _FLAGS & ~_NOFOLLOW)
    except OSError as exc:
        raise FileRefused("unreadable", f"cannot read {name}: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
            raise FileRefused("special", f"{name} is {kind}, not a regular file; not read")
        if root is not None and info.st_nlink > 1:
            # A hard link may share its contents with a file outside ``root``; checked on the
            # open file, so a link made after the pack was walked is refused too.
            raise FileRefused("linked", f"{name} has more than one name (a hard link); not read")
        if info.st_size > limit:
            raise FileRefused("large", f"{name} is larger than the {_size(limit)} limit; not read")
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:  # the file grew while being read
            raise FileRefused("large", f"{name} is larger than the {_size(limit)} limit; not read")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit // (1024 * 1024)} MB"
    return f"{limit // 1024} KB"
