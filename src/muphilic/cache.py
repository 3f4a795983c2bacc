"""A small on-disk cache for expensive results (beam samples, cross-section tables).

Entries are keyed by a SHA-256 hash of their inputs, written atomically (to a
temporary file in the same folder, then :func:`os.replace`), and carry the hash
of their own bytes so that a corrupt entry is detected on read and rebuilt.

The folder is ``$MUPHILIC_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/muphilic``,
else ``~/.cache/muphilic``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "CacheEntry",
    "cache_dir",
    "cached_bytes",
    "cached_file",
    "clear_cache",
    "file_sha256",
    "input_hash",
    "list_cache",
]


def cache_dir() -> Path:
    """The cache folder (created if missing)."""
    env = os.environ.get("MUPHILIC_CACHE_DIR")
    if env:
        path = Path(env)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        path = Path(base) / "muphilic"
    path.mkdir(parents=True, exist_ok=True)
    return path


def input_hash(inputs: Mapping[str, Any]) -> str:
    """A stable SHA-256 hex digest of JSON-serialisable ``inputs``."""
    blob = json.dumps(inputs, sort_keys=True, default=repr).encode()
    return hashlib.sha256(blob).hexdigest()


def _atomic_write(path: Path, payload: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cached_bytes(kind: str, inputs: Mapping[str, Any], build: Callable[[], bytes]) -> bytes:
    """Return the cached payload for ``(kind, inputs)``, building it if needed.

    Parameters
    ----------
    kind : str
        A short name for the sort of entry (``"beam"``, ``"xsec"``); a subfolder.
    inputs : mapping
        Everything the payload depends on (including a format version).
    build : callable
        Makes the payload when there is no valid entry.

    Notes
    -----
    The file holds a 64-character hex digest of the payload, a newline, then
    the payload. A missing, truncated or corrupt entry is rebuilt. Two
    processes building the same entry both write complete files; the last
    :func:`os.replace` wins and readers never see a partial file.
    """
    folder = cache_dir() / kind
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{input_hash(inputs)}.bin"
    if path.is_file():
        blob = path.read_bytes()
        digest, _, payload = blob.partition(b"\n")
        if hashlib.sha256(payload).hexdigest().encode() == digest:
            return payload
    payload = build()
    _atomic_write(path, hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    return payload


def file_sha256(path: str | Path) -> str:
    """SHA-256 (hex) of a file's content, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    path = Path(path)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cached_file(
    kind: str, inputs: Mapping[str, Any], build: Callable[[Path], None], suffix: str = ""
) -> Path:
    """Return the path of a verified cached file for ``(kind, inputs)``, building it if needed.

    Parameters
    ----------
    kind, inputs
        As for :func:`cached_bytes`.
    build : callable
        ``build(path)`` writes the file at ``path`` (a temporary name in the cache
        folder); it is then moved into place atomically.
    suffix : str
        File name suffix (``".h5"``).

    Notes
    -----
    The file's SHA-256 is stored next to it (``.sha256``) and checked on every
    read; a missing, truncated or corrupt entry is rebuilt, never used.
    """
    folder = cache_dir() / kind
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{input_hash(inputs)}{suffix}"
    sidecar = path.with_name(path.name + ".sha256")
    if path.is_file() and sidecar.is_file() and sidecar.read_text().strip() == file_sha256(path):
        return path
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=path.name, suffix=".tmp" + suffix)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        build(tmp)
        digest = file_sha256(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _atomic_write(sidecar, digest.encode())
    return path


@dataclass(frozen=True)
class CacheEntry:
    """One cached file: its kind (subfolder), path and size."""

    kind: str
    path: Path
    size_bytes: int


def list_cache() -> list[CacheEntry]:
    """Every cached entry (checksum sidecars and temporary files excluded)."""
    root = cache_dir()
    entries = []
    for path in sorted(root.glob("*/*")):
        if (
            path.is_file()
            and not path.name.endswith((".sha256", ".tmp"))
            and ".tmp" not in path.name
        ):
            entries.append(CacheEntry(path.parent.name, path, path.stat().st_size))
    return entries


def clear_cache() -> int:
    """Delete every cached file; return how many entries were removed."""
    entries = list_cache()
    for path in cache_dir().glob("*/*"):
        if path.is_file():
            path.unlink(missing_ok=True)
    return len(entries)
