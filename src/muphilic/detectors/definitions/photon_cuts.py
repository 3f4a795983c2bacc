"""The photon selection of a detector: the track-mass cut of Eq. (6) and energy thresholds."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from muphilic.detectors.definitions.fields import (
    FloatArray,
    TrackMassMode,
    _fail,
    _finite_positive,
)
from muphilic.errors import shown

__all__ = ["PhotonCuts"]


@dataclass(frozen=True)
class PhotonCuts:
    """Selection cuts on the two photons of S -> gamma gamma.

    Parameters
    ----------
    track_mass : float or None
        Constant threshold f of the "track mass" cut m_gg > f(E1 + E2)
        (paper Eq. (6)), MeV. ``None`` for no cut.
    track_mass_table : tuple of (E1 + E2, f) pairs or None
        The same threshold as a function of the summed photon energy, MeV,
        interpolated linearly and constant beyond the end points. At most one
        of ``track_mass`` and ``track_mass_table`` may be given.
    track_mass_applies_to : {"reconstructed", "true"}
        ``"reconstructed"`` (default): the cut is applied to the smeared m_gg,
        i.e. bins (or parts of bins) below f(E_S) are removed for each scalar.
        ``"true"``: the cut acts on the true m_gg = m_S, removing every scalar
        with m_S <= f(E_S). See :mod:`muphilic.detectors.photons`.
    e_high_min, e_low_min : float
        Minimum lab energies of the harder and softer photon, MeV (0: no cut).
    """

    track_mass: float | None = None
    track_mass_table: tuple[tuple[float, float], ...] | None = None
    track_mass_applies_to: TrackMassMode = "reconstructed"
    e_high_min: float = 0.0
    e_low_min: float = 0.0

    def __post_init__(self) -> None:
        if self.track_mass is not None and self.track_mass_table is not None:
            raise _fail("cuts.track_mass_MeV", "give a constant or a table, not both")
        if self.track_mass is not None:
            object.__setattr__(
                self,
                "track_mass",
                _finite_positive("cuts.track_mass_MeV", self.track_mass, allow_zero=True),
            )
        if self.track_mass_table is not None:
            table = tuple(
                (
                    _finite_positive("cuts.track_mass_MeV", float(e), allow_zero=True),
                    _finite_positive("cuts.track_mass_MeV", float(f), allow_zero=True),
                )
                for e, f in self.track_mass_table
            )
            energies = [e for e, _ in table]
            if len(table) < 2 or any(b <= a for a, b in itertools.pairwise(energies)):
                raise _fail(
                    "cuts.track_mass_MeV",
                    "a table needs at least two [E1+E2, f] pairs with increasing E1+E2",
                )
            object.__setattr__(self, "track_mass_table", table)
        if self.track_mass_applies_to not in ("reconstructed", "true"):
            raise _fail(
                "cuts.track_mass_applies_to",
                f"must be 'reconstructed' or 'true', got {shown(self.track_mass_applies_to)}",
            )
        for name, key in (
            ("e_high_min", "cuts.photon_energy_high_min_MeV"),
            ("e_low_min", "cuts.photon_energy_low_min_MeV"),
        ):
            object.__setattr__(
                self, name, _finite_positive(key, getattr(self, name), allow_zero=True)
            )

    @property
    def has_track_mass_cut(self) -> bool:
        """Whether a track-mass cut (Eq. (6)) is configured."""
        return self.track_mass is not None or self.track_mass_table is not None

    def track_mass_threshold(self, energy_sum: ArrayLike) -> FloatArray:
        """The threshold f(E1 + E2) of Eq. (6), MeV (0 where there is no cut).

        Parameters
        ----------
        energy_sum : array_like
            E1 + E2 (= E_S for the true decay), MeV.
        """
        e = np.asarray(energy_sum, dtype=np.float64)
        if self.track_mass_table is not None:
            points = np.asarray(self.track_mass_table, dtype=np.float64)
            return np.interp(e, points[:, 0], points[:, 1])
        value = 0.0 if self.track_mass is None else self.track_mass
        return np.full(e.shape, value, dtype=np.float64)
