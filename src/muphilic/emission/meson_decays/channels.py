"""The decaying mesons: K+- and pi+- -> mu+- nu (S) as :class:`MesonChannel` records.

Each channel carries the meson's PDG code and mass, its decay constant and CKM
element (they enter only the tree-level widths) and the measured BR(M -> mu nu)
that normalises every branching ratio of :mod:`muphilic.emission.meson_decays`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.constants import (
    BR_K_TO_MU_NU,
    BR_PI_TO_MU_NU,
    CKM_VUD,
    CKM_VUS,
    F_K,
    F_PI,
    m_K,
    m_mu,
    m_pi,
)
from muphilic.errors import MuphilicError

__all__ = [
    "KAON",
    "PION",
    "MesonChannel",
    "MesonDecayError",
    "meson_channel",
    "threshold",
]

FloatArray = NDArray[np.float64]


class MesonDecayError(MuphilicError):
    """An input to the meson-decay emission is invalid (species, mass, geometry)."""


@dataclass(frozen=True)
class MesonChannel:
    """A charged pseudoscalar meson decaying to mu nu (S).

    Attributes
    ----------
    name : str
        ``"kaon"`` or ``"pion"`` (also the :class:`ScalarSample` channel label).
    pdgid : int
        PDG code of the positive meson.
    mass : float
        Meson mass, MeV.
    decay_constant : float
        f_M, MeV (only enters :func:`width_mu_nu`).
    ckm : float
        |V_us| or |V_ud| (only enters :func:`width_mu_nu`).
    br_mu_nu : float
        Measured BR(M -> mu nu), the normalisation of every branching ratio here.
    """

    name: str
    pdgid: int
    mass: float
    decay_constant: float
    ckm: float
    br_mu_nu: float


KAON = MesonChannel("kaon", 321, m_K, F_K, CKM_VUS, BR_K_TO_MU_NU)
PION = MesonChannel("pion", 211, m_pi, F_PI, CKM_VUD, BR_PI_TO_MU_NU)


def meson_channel(which: str | int | MesonChannel) -> MesonChannel:
    """The :class:`MesonChannel` for ``"kaon"``/``"pion"``, a PDG id (+-321, +-211) or itself."""
    if isinstance(which, MesonChannel):
        return which
    if isinstance(which, str):
        table = {"kaon": KAON, "k": KAON, "pion": PION, "pi": PION}
        if which.lower() in table:
            return table[which.lower()]
    elif isinstance(which, int | np.integer):
        if abs(int(which)) == 321:
            return KAON
        if abs(int(which)) == 211:
            return PION
    raise MesonDecayError(
        f"meson must be 'kaon', 'pion', a PDG id +-321/+-211 or a MesonChannel, got {which!r}"
    )


def threshold(meson: str | int | MesonChannel) -> float:
    """Kinematic end point m_M - m_mu of m_S, MeV."""
    ch = meson_channel(meson)
    return ch.mass - m_mu


def _check_mass(mass: ArrayLike) -> FloatArray:
    m_s = np.asarray(mass, dtype=np.float64)
    if not np.all(np.isfinite(m_s)) or np.any(m_s <= 0):
        raise MesonDecayError(f"scalar mass must be positive and finite, got {mass!r}")
    return m_s
