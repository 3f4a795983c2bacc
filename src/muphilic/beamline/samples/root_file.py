"""Beam samples as ROOT files: :func:`read_root` reads flat trees (TTree or RNTuple).

The branches follow the schema of :mod:`~muphilic.beamline.samples.schema`
(GeV, cm). Needs the optional dependency ``uproot`` (``pip install muphilic[root]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from muphilic.beamline.samples.schema import MUON_COLUMNS, PARENT_COLUMNS, SampleFormatError
from muphilic.beamline.samples.tables import _muons_of, _parents_of, _require_file
from muphilic.events import MuonSample, ParentSample

__all__ = ["read_root"]


def read_root(
    path: str | Path,
    tree: str | Sequence[str] = "parents",
    *,
    kind: str = "parents",
    pot: float | None = None,
) -> dict[str, ParentSample] | MuonSample:
    """Read flat ROOT trees (TTree or RNTuple) whose branches follow the module's schema.

    Parameters
    ----------
    path : str or Path
        ROOT file.
    tree : str or sequence of str
        Tree name, or several trees whose rows are concatenated (per species
        for parents). A tree named after a species (``"pi+"``) must hold only
        that species.
    kind : {"parents", "muons"}
        Which schema the trees follow.
    pot : float, optional
        POT of an unweighted tree (or to divide existing weights by).

    Raises
    ------
    SampleFormatError
        If the file is missing, a folder, not ROOT, truncated or corrupt, lacks
        a tree or a branch, or has an unphysical row (the message names it).

    Requires the optional dependency ``uproot`` (``pip install muphilic[root]``).
    """
    if kind not in ("parents", "muons"):
        raise SampleFormatError(f"kind must be 'parents' or 'muons', got {kind!r}")
    path = Path(path)
    trees = [tree] if isinstance(tree, str) else list(tree)
    if not trees:
        raise SampleFormatError(f"{path}: no tree name given")
    wanted = PARENT_COLUMNS if kind == "parents" else MUON_COLUMNS
    tables = _root_tables(path, trees, wanted)
    named = zip(trees, tables, strict=True)
    if kind == "muons":
        return _muons_of(((t, f"{path}:{name}") for name, t in named), pot)
    return _parents_of(((t, f"{path}:{name}", name) for name, t in named), pot, str(path))


def _root_tables(
    path: Path, trees: Sequence[str], wanted: Sequence[str]
) -> list[dict[str, object]]:
    """The columns ``wanted`` (those present) of each tree of a ROOT file."""
    try:
        import uproot
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("reading ROOT files needs uproot: pip install 'muphilic[root]'") from exc
    _require_file(path)
    try:
        with uproot.open(path) as f:
            tables = []
            for name in trees:
                if name not in f:
                    raise SampleFormatError(f"{path}: no tree named {name!r}")
                t = f[name]
                if not callable(getattr(t, "arrays", None)):  # a TTree or an RNTuple
                    raise SampleFormatError(f"{path}: {name!r} is not a tree")
                present = [c for c in wanted if c in t]
                tables.append(dict(t.arrays(present, library="np")))
    except SampleFormatError:
        raise
    except Exception as exc:  # uproot reports a damaged file with many exception types
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise SampleFormatError(f"{path}: not a readable ROOT file ({detail})") from exc
    return tables
