"""Package data: published spectra, beamline parameters, detector definitions and
precomputed tables. Each subfolder has a README with the origin, columns and
units of every file.

Files are read through :func:`importlib.resources.files`, so they work from a
wheel, a zip or an editable install.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

__all__ = ["data_file"]


def data_file(*parts: str) -> Traversable:
    """The packaged data file ``muphilic/data/<parts...>``.

    Raises
    ------
    FileNotFoundError
        If no such file ships with the package.
    """
    path = files("muphilic.data").joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(f"muphilic ships no data file {'/'.join(parts)}")
    return path
