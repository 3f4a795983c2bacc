"""The cache: atomic writes, damaged entries rebuilt, two processes at once.

Every test points ``MUPHILIC_CACHE_DIR`` at its own temporary folder.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import muphilic
from muphilic.cache import cache_dir, cached_bytes, cached_file, clear_cache, list_cache

SRC = str(Path(muphilic.__file__).resolve().parents[1])


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MUPHILIC_CACHE_DIR", str(folder))
    return folder


class Counter:
    """A build function that counts its calls and returns a fixed payload."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.calls = 0

    def __call__(self) -> bytes:
        self.calls += 1
        return self.payload


def _entry(kind: str) -> Path:
    (path,) = [p for p in (cache_dir() / kind).iterdir() if p.suffix == ".bin"]
    return path


# --- cached_bytes -------------------------------------------------------------------
def test_bytes_built_once_then_read():
    build = Counter(b"table" * 100)
    assert cached_bytes("xsec", {"m": 1}, build) == build.payload
    assert cached_bytes("xsec", {"m": 1}, build) == build.payload
    assert build.calls == 1
    # different inputs, different entry
    assert cached_bytes("xsec", {"m": 2}, Counter(b"other")) == b"other"


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: blob[: len(blob) // 2],  # truncated payload
        lambda blob: blob[:10],  # truncated digest
        lambda blob: b"",  # empty file
        lambda blob: blob[:-1] + bytes([blob[-1] ^ 0x01]),  # one flipped bit
        lambda blob: b"0" * 64 + b"\n" + blob[65:],  # wrong digest
        lambda blob: blob + b"extra",  # appended bytes
    ],
)
def test_bytes_damaged_entry_is_rebuilt(damage):
    build = Counter(b"payload-" * 50)
    cached_bytes("xsec", {"m": 1}, build)
    path = _entry("xsec")
    path.write_bytes(damage(path.read_bytes()))
    assert cached_bytes("xsec", {"m": 1}, build) == build.payload
    assert build.calls == 2
    # the rebuilt entry is whole again: digest line + payload
    digest, _, payload = path.read_bytes().partition(b"\n")
    assert payload == build.payload
    assert digest == hashlib.sha256(build.payload).hexdigest().encode()


def test_bytes_failed_build_leaves_nothing():
    def broken() -> bytes:
        raise RuntimeError("build failed")

    with pytest.raises(RuntimeError):
        cached_bytes("xsec", {"m": 1}, broken)
    assert list_cache() == []
    assert not any((cache_dir() / "xsec").iterdir())


# --- cached_file --------------------------------------------------------------------
def _writer(content: bytes):
    calls = []

    def build(path: Path) -> None:
        calls.append(path)
        path.write_bytes(content)

    return build, calls


def test_file_built_once_with_checksum():
    build, calls = _writer(b"beam sample")
    path = cached_file("beam", {"pot": 10}, build, suffix=".h5")
    assert path.suffix == ".h5" and path.read_bytes() == b"beam sample"
    assert cached_file("beam", {"pot": 10}, build, suffix=".h5") == path
    assert len(calls) == 1
    # built under a temporary name, then moved into place
    assert calls[0] != path and calls[0].parent == path.parent
    sidecar = path.with_name(path.name + ".sha256")
    assert sidecar.read_text().strip() == hashlib.sha256(b"beam sample").hexdigest()


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(p.read_bytes()[:3]),  # truncated
        lambda p: p.write_bytes(b"BEAM SAMPLE"),  # same length, other bytes
        lambda p: p.with_name(p.name + ".sha256").unlink(),  # checksum lost
        lambda p: p.with_name(p.name + ".sha256").write_text("0" * 64),  # wrong checksum
        lambda p: p.unlink(),  # file lost, checksum left
    ],
)
def test_file_damaged_entry_is_rebuilt(damage):
    build, calls = _writer(b"beam sample")
    path = cached_file("beam", {"pot": 10}, build, suffix=".h5")
    damage(path)
    assert cached_file("beam", {"pot": 10}, build, suffix=".h5") == path
    assert len(calls) == 2
    assert path.read_bytes() == b"beam sample"


def test_file_failed_build_leaves_no_temporary():
    def broken(path: Path) -> None:
        path.write_bytes(b"half")
        raise RuntimeError("simulation crashed")

    with pytest.raises(RuntimeError):
        cached_file("beam", {"pot": 10}, broken, suffix=".h5")
    assert list(cache_dir().glob("beam/*")) == []


# --- list and clear -----------------------------------------------------------------
def test_list_and_clear():
    cached_bytes("xsec", {"m": 1}, Counter(b"a"))
    cached_bytes("xsec", {"m": 2}, Counter(b"b"))
    build, _ = _writer(b"c" * 1000)
    beam = cached_file("beam", {"pot": 1}, build, suffix=".h5")
    # a stray temporary file of an interrupted write is listed as such, and cleared
    stray = cache_dir() / "beam" / (beam.name + ".tmp.abc123")
    stray.write_bytes(b"partial")
    entries = list_cache()
    assert sorted(e.kind for e in entries if not e.temporary) == ["beam", "xsec", "xsec"]
    assert [e.path for e in entries if e.temporary] == [stray]
    assert {e.path for e in entries if e.kind == "beam" and not e.temporary} == {beam}
    assert next(e.size_bytes for e in entries if e.path == beam) == 1000
    assert clear_cache() == 4
    assert list_cache() == []
    assert list(cache_dir().glob("*/*")) == []  # sidecars and temporaries went too


# --- two processes at once ----------------------------------------------------------
_CHILD = textwrap.dedent(
    """
    import hashlib, sys, time
    from pathlib import Path
    from muphilic.cache import cached_bytes, cached_file

    payload = bytes(range(256)) * 4000          # 1 MB, the same in both processes
    start = float(sys.argv[1])

    def slow_bytes():
        time.sleep(0.3)                          # both processes are inside build()
        return payload

    def slow_file(path):
        with open(path, "wb") as handle:
            for i in range(0, len(payload), 65536):
                handle.write(payload[i : i + 65536])
                time.sleep(0.02)                 # a slow, chunked writer

    while time.time() < start:                   # start together
        time.sleep(0.001)
    for round_ in range(3):
        got = cached_bytes("xsec", {"round": round_}, slow_bytes)
        assert got == payload, "cached_bytes returned a wrong payload"
        path = cached_file("beam", {"round": round_}, slow_file, suffix=".h5")
        assert Path(path).read_bytes() == payload, "cached_file returned a wrong file"
    print("ok")
    """
)


def test_two_processes_build_the_same_entries(cache):
    import time

    env = {**os.environ, "PYTHONPATH": SRC, "MUPHILIC_CACHE_DIR": str(cache)}
    start = f"{time.time() + 1.5:.3f}"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, start],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [p.communicate(timeout=60) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert out.strip() == "ok"
    payload = bytes(range(256)) * 4000
    # the cache holds exactly the three entries of each kind, each valid, no leftovers
    entries = list_cache()
    assert sorted(e.kind for e in entries) == ["beam"] * 3 + ["xsec"] * 3
    assert not [p for p in cache.glob("*/*") if ".tmp" in p.name]
    for round_ in range(3):
        never = Counter(b"must not be rebuilt")
        assert cached_bytes("xsec", {"round": round_}, never) == payload
        assert never.calls == 0
        path = cached_file("beam", {"round": round_}, lambda p: pytest.fail("rebuilt"), ".h5")
        assert path.read_bytes() == payload
