"""What a result was made with: time, package version and commit, dependency versions.

:func:`software_record` is written into every ``run.json`` and ``contours.json``
so that a number in a paper can be traced to the code and libraries that made it.
"""

from __future__ import annotations

import datetime
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from muphilic import __version__

__all__ = ["DEPENDENCIES", "git_commit", "software_record"]

#: Distributions whose versions are recorded (those not installed are left out).
DEPENDENCIES = (
    "numpy",
    "scipy",
    "h5py",
    "matplotlib",
    "contourpy",
    "hepunits",
    "particle",
    "vegas",
    "click",
    "rich",
    "pyyaml",
    "tomli-w",
    "dask",
    "distributed",
    "uproot",
    "numba",
    "chromo",
)


@cache
def git_commit() -> str | None:
    """The git commit of the package source, when it runs from a git checkout of muphilic.

    ``None`` for an installed wheel (no repository), or when git is missing.
    A checkout with uncommitted changes gives ``"<hash>+dirty"``.
    """
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists() or not (root / "src" / "muphilic").is_dir():
        return None
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+dirty" if dirty else head or None


def _versions() -> dict[str, str]:
    out = {}
    for name in DEPENDENCIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def software_record() -> dict[str, Any]:
    """UTC time, muphilic version and commit, and the versions of its dependencies."""
    return {
        "created_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "muphilic_version": __version__,
        "git_commit": git_commit(),
        "dependencies": _versions(),
    }
