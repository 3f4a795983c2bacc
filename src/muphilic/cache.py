"""A small on-disk cache for expensive results (beam samples, cross-section tables).

Entries are keyed by a SHA-256 hash of their inputs, written atomically (to a
temporary file in the same folder, then :func:`os.replace`), and carry the hash
of their own bytes so that a corrupt entry is detected on read and rebuilt.

The folder is ``$MUPHILIC_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/muphilic``,
else ``~/.cache/muphilic``.

The cache only ever lists or deletes what it wrote itself:

* its folder carries a ``CACHEDIR.TAG`` of muphilic (the `Cache Directory Tagging
  Specification <https://bford.info/cachedir/>`_, so backup tools skip it too).
  A new or empty folder is tagged on first use; a folder that holds other files
  and no tag is refused, and so are the file-system root, the home folder, its
  parents and the system folders, whatever they hold;
* an entry is a file ``KIND/<64 hex digits><suffix>`` that carries its checksum
  (inside, for ``.bin`` entries; in ``NAME.sha256`` beside it, for files); a
  leftover of a killed run is ``<entry name>.tmp.XXXX``. Any other file in the
  folder is the user's and is never listed or touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from muphilic.errors import MuphilicError
from muphilic.files import TMP_INFIX, atomic_write

__all__ = [
    "CacheEntry",
    "CacheFolderError",
    "cache_dir",
    "cached_bytes",
    "cached_file",
    "clear_cache",
    "file_sha256",
    "input_hash",
    "list_cache",
]

TAG_NAME = "CACHEDIR.TAG"
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by muphilic.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_KIND = re.compile(r"[a-z][a-z0-9_-]*")
_ENTRY = re.compile(r"[0-9a-f]{64}(\.[A-Za-z0-9]+)?(\.sha256)?")
_TEMPORARY = re.compile(r"[0-9a-f]{64}.*" + re.escape(TMP_INFIX) + r".*")
_SYSTEM_FOLDERS = frozenset(
    Path(p)
    for p in (
        "/",
        "/bin",
        "/boot",
        "/dev",
        "/etc",
        "/home",
        "/lib",
        "/lib64",
        "/media",
        "/mnt",
        "/opt",
        "/proc",
        "/root",
        "/run",
        "/sbin",
        "/srv",
        "/sys",
        "/tmp",
        "/usr",
        "/var",
        "/Users",
        "/System",
        "/Library",
        "/Applications",
        "/private",
        "/Volumes",
    )
)


class CacheFolderError(MuphilicError):
    """The cache folder is not muphilic's own (or is a system or home folder)."""


def _is_entry(path: Path) -> bool:
    """Whether ``path`` is an entry the cache wrote: named by a hash and checksummed.

    A ``.bin`` entry begins with the hex SHA-256 of its payload and a newline; any
    other entry has a ``NAME.sha256`` file beside it holding the hex SHA-256.
    """
    if not _ENTRY.fullmatch(path.name) or path.name.endswith(".sha256"):
        return False
    try:
        if path.suffix == ".bin":
            with path.open("rb") as handle:
                head = handle.read(65)
            return re.fullmatch(rb"[0-9a-f]{64}\n", head) is not None
        sidecar = path.with_name(path.name + ".sha256")
        return re.fullmatch(r"[0-9a-f]{64}\s*", sidecar.read_text()) is not None
    except (OSError, UnicodeDecodeError):
        return False


def _is_own_file(path: Path) -> bool:
    if _TEMPORARY.fullmatch(path.name):
        return True
    if path.name.endswith(".sha256"):
        return _is_entry(path.with_name(path.name.removesuffix(".sha256")))
    return _is_entry(path)


def _foreign_files(root: Path) -> list[Path]:
    """Files under ``root`` that do not look like cache entries (the first few)."""
    foreign: list[Path] = []
    for item in root.iterdir():
        if item.name == TAG_NAME or item.name.startswith(TAG_NAME + TMP_INFIX):
            continue  # the tag, or another process writing it right now
        if not item.is_dir() or item.is_symlink() or not _KIND.fullmatch(item.name):
            foreign.append(item)
        else:
            foreign.extend(p for p in item.iterdir() if not _is_own_file(p))
        if len(foreign) >= 3:
            break
    return foreign


def _is_tagged(root: Path) -> bool:
    tag = root / TAG_NAME
    try:
        return tag.is_file() and "muphilic" in tag.read_text(errors="replace")
    except OSError:
        return False


def cache_dir() -> Path:
    """The cache folder (created and tagged if new or empty).

    Raises
    ------
    CacheFolderError
        If the folder is a system or home folder, is not a folder, or holds files
        that muphilic did not write and carries no muphilic ``CACHEDIR.TAG``.
    """
    env = os.environ.get("MUPHILIC_CACHE_DIR")
    if env:
        path, source = Path(env).expanduser(), "MUPHILIC_CACHE_DIR"
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        path, source = Path(base) / "muphilic", "the cache folder"
    resolved = path.resolve()
    home = Path.home().resolve()
    if resolved in _SYSTEM_FOLDERS or resolved == home or resolved in home.parents:
        raise CacheFolderError(
            f"{source}={path}: a system or home folder cannot be the cache; "
            "give a folder of its own, e.g. ~/.cache/muphilic"
        )
    if resolved.exists() and not resolved.is_dir():
        raise CacheFolderError(f"{source}={path}: exists and is not a folder")
    path.mkdir(parents=True, exist_ok=True)
    if not _is_tagged(path):
        foreign = _foreign_files(path)
        if foreign:
            names = ", ".join(p.name for p in foreign)
            raise CacheFolderError(
                f"{source}={path}: holds files muphilic did not write ({names}, ...) and no "
                f"muphilic {TAG_NAME}; give an empty or new folder"
            )
        atomic_write(path / TAG_NAME, _TAG)
    return path


def _kind_folder(kind: str) -> Path:
    if not _KIND.fullmatch(kind):
        raise ValueError(f"cache kind must be lower-case letters, digits, - or _, got {kind!r}")
    folder = cache_dir() / kind
    folder.mkdir(exist_ok=True)
    return folder


def input_hash(inputs: Mapping[str, Any]) -> str:
    """A stable SHA-256 hex digest of JSON-serialisable ``inputs``."""
    blob = json.dumps(inputs, sort_keys=True, default=repr).encode()
    return hashlib.sha256(blob).hexdigest()


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
    folder = _kind_folder(kind)
    path = folder / f"{input_hash(inputs)}.bin"
    if path.is_file():
        blob = path.read_bytes()
        digest, _, payload = blob.partition(b"\n")
        if hashlib.sha256(payload).hexdigest().encode() == digest:
            return payload
    payload = build()
    atomic_write(path, hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
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
    folder = _kind_folder(kind)
    if not re.fullmatch(r"(\.[A-Za-z0-9]+)?", suffix):
        raise ValueError(f"cache suffix must be a dot and letters or digits, got {suffix!r}")
    path = folder / f"{input_hash(inputs)}{suffix}"
    sidecar = path.with_name(path.name + ".sha256")
    if path.is_file() and sidecar.is_file() and sidecar.read_text().strip() == file_sha256(path):
        return path
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=path.name + TMP_INFIX)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        build(tmp)
        digest = file_sha256(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    atomic_write(sidecar, digest.encode())
    return path


@dataclass(frozen=True)
class CacheEntry:
    """One file of the cache: its kind (subfolder), path, size, and whether it is
    the leftover temporary file of an interrupted write."""

    kind: str
    path: Path
    size_bytes: int
    temporary: bool = False


def list_cache() -> list[CacheEntry]:
    """Every cached entry and leftover temporary file (checksum sidecars excluded).

    Only files named like the cache's own are listed; anything else in the folder
    is left alone.
    """
    root = cache_dir()
    entries = []
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or folder.is_symlink() or not _KIND.fullmatch(folder.name):
            continue
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.is_symlink() or path.name.endswith(".sha256"):
                continue
            temporary = _TEMPORARY.fullmatch(path.name) is not None
            if temporary or _is_entry(path):
                entries.append(CacheEntry(folder.name, path, path.stat().st_size, temporary))
    return entries


def clear_cache() -> int:
    """Delete every cached entry, its checksum and leftover temporary files.

    Returns the number of entries and temporary files removed. Files the cache
    did not write, and the folder itself, are kept.
    """
    entries = list_cache()
    for entry in entries:
        entry.path.unlink(missing_ok=True)
        if not entry.temporary:
            entry.path.with_name(entry.path.name + ".sha256").unlink(missing_ok=True)
    for folder in {entry.path.parent for entry in entries}:
        if not any(folder.iterdir()):
            folder.rmdir()
    return len(entries)
