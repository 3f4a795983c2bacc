"""Atomic file writes: a file is either absent, its old self, or complete.

Every file the package writes goes through :func:`atomic_write` (one file) or
:func:`staged_files` (a set of files written together). The bytes go to a
temporary file in the target folder (same file system), are flushed to disk,
and only then renamed into place with :func:`os.replace`, which is atomic on
POSIX and Windows. A failure at any point - a full disk, a killed process, an
exception while building the content - leaves the target untouched and removes
the temporary file (a killed process leaves one ``NAME.tmp.XXXX`` behind, which
names what it was for).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from muphilic.errors import MuphilicError

__all__ = [
    "OutputFolderError",
    "atomic_write",
    "check_writable_folder",
    "save_figure",
    "staged_files",
]

#: Infix of every temporary file the package creates: ``NAME.tmp.XXXXXXXX``.
TMP_INFIX = ".tmp."


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: The process's file-creation mask, read once at import (reading it means setting it).
_UMASK = _read_umask()


class OutputFolderError(MuphilicError):
    """An output folder cannot be used (not a folder, not writable, holds foreign files)."""


def atomic_write(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` atomically; returns the path.

    Parameters
    ----------
    path : str or Path
        Target file; its folder must exist.
    data : bytes or str
        Content (``str`` is written as UTF-8).

    Raises
    ------
    OSError
        If the folder is not writable or the disk is full; the target then keeps
        its previous content (or stays absent) and no temporary file is left.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + TMP_INFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            with contextlib.suppress(OSError):  # not every file system has modes
                os.fchmod(handle.fileno(), 0o666 & ~_UMASK)  # as a plain open() would
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.filename is None:  # a failed write() names no file; name the target
            raise OSError(exc.errno, f"cannot write ({exc.strerror or exc})", str(path)) from exc
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def check_writable_folder(folder: str | Path) -> Path:
    """Create ``folder`` if needed and prove that files can be created in it.

    Raises
    ------
    OutputFolderError
        If ``folder`` is a file, or cannot be created or written to.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputFolderError(f"{folder}: exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".muphilic-write-test" + TMP_INFIX)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputFolderError(f"{folder}: cannot write files here ({exc.strerror})") from None
    return folder


@contextmanager
def staged_files(folder: str | Path) -> Iterator[Path]:
    """A temporary folder inside ``folder`` whose files move into ``folder`` together.

    Write every file of a set into the yielded staging folder. When the block
    ends without an exception, each file is fsynced and renamed into ``folder``
    (renames within one file system need no space and do not fail for a full
    disk); if the block raises, the staging folder is removed and ``folder`` is
    left exactly as it was.
    """
    folder = check_writable_folder(folder)
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=".muphilic-staging" + TMP_INFIX))
    try:
        yield staging
        for item in sorted(staging.iterdir()):
            with item.open("rb") as handle:
                os.fsync(handle.fileno())
        for item in sorted(staging.iterdir()):
            os.replace(item, folder / item.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def save_figure(fig: Any, path: str | Path, **savefig_kwargs: Any) -> Path:
    """Render a matplotlib figure in memory, then write it atomically to ``path``.

    The format follows the file's suffix (``.png``, ``.pdf``, ...).
    """
    path = Path(path)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=path.suffix.lstrip(".").lower(), **savefig_kwargs)
    return atomic_write(path, buffer.getvalue())
