"""Samples of particles that flow between the stages of the physics chain.

Every stage hands the next one a frozen dataclass of NumPy arrays:

* :class:`ParentSample` - decaying mesons from the beamline (decay vertex,
  four-momentum at decay, weight per proton on target);
* :class:`MuonSample` - muons from those decays that enter the beam dump;
* :class:`ScalarSample` - scalars S for one mass, weight per POT per y^2.

Conventions (all units CLHEP/:mod:`hepunits`: MeV, mm, ns)
-----------------------------------------------------------
* Coordinates: right-handed, ``z`` along the proton beam axis, origin at the
  upstream end of the horn (the frame of the BNB GEANT4 geometry; the target
  spans z = 34.9-746.1 mm). Detector baselines are measured along ``z``.
* Four-momenta are ``(N, 4)`` arrays ordered ``(E, px, py, pz)``; positions
  are ``(N, 3)`` arrays ``(x, y, z)``.
* Weights are non-negative; the expected number of anything is
  ``sum(weight) * N_POT`` (times ``y**2`` for scalars).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from muphilic.errors import MuphilicError

__all__ = ["MuonSample", "ParentSample", "SampleError", "ScalarSample"]

FloatArray = NDArray[np.float64]


class SampleError(MuphilicError):
    """A sample's arrays are inconsistent or unphysical."""


def _as_float_array(name: str, value: object, shape_tail: tuple[int, ...]) -> FloatArray:
    array = np.ascontiguousarray(value, dtype=np.float64)
    if array.ndim != 1 + len(shape_tail) or array.shape[1:] != shape_tail:
        raise SampleError(
            f"{name} must have shape (N, {', '.join(map(str, shape_tail))})"
            if shape_tail
            else f"{name} must be one-dimensional, got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise SampleError(f"{name} contains NaN or infinite values")
    return array


def _check_common(p4: FloatArray, position: FloatArray, weight: FloatArray) -> None:
    n = p4.shape[0]
    if position.shape[0] != n or weight.shape[0] != n:
        raise SampleError(
            f"arrays disagree in length: p4 {n}, position {position.shape[0]}, "
            f"weight {weight.shape[0]}"
        )
    if np.any(weight < 0):
        raise SampleError("weights must be non-negative")
    if np.any(p4[:, 0] <= 0):
        raise SampleError("energies (p4[:, 0]) must be positive")


@dataclass(frozen=True)
class ParentSample:
    """Charged (or neutral) mesons at the point where they decay.

    Parameters
    ----------
    pdgid : int
        PDG code of the species (211, -211, 321, -321, 130).
    p4 : (N, 4) array
        Four-momentum at the decay vertex, MeV.
    vertex : (N, 3) array
        Decay vertex, mm.
    weight : (N,) array
        Decays per proton on target represented by each entry.
    """

    pdgid: int
    p4: FloatArray
    vertex: FloatArray
    weight: FloatArray

    def __post_init__(self) -> None:
        object.__setattr__(self, "p4", _as_float_array("p4", self.p4, (4,)))
        object.__setattr__(self, "vertex", _as_float_array("vertex", self.vertex, (3,)))
        object.__setattr__(self, "weight", _as_float_array("weight", self.weight, ()))
        _check_common(self.p4, self.vertex, self.weight)

    def __len__(self) -> int:
        return int(self.weight.shape[0])


@dataclass(frozen=True)
class MuonSample:
    """Muons entering the beam dump (or stopped by the decay-pipe wall).

    Parameters
    ----------
    p4 : (N, 4) array
        Four-momentum where the muon enters the dump, MeV.
    position : (N, 3) array
        Entry point, mm.
    weight : (N,) array
        Muons per proton on target represented by each entry.
    charge : (N,) array of int
        +1 or -1.
    """

    p4: FloatArray
    position: FloatArray
    weight: FloatArray
    charge: NDArray[np.int8] = field(default_factory=lambda: np.zeros(0, dtype=np.int8))

    def __post_init__(self) -> None:
        object.__setattr__(self, "p4", _as_float_array("p4", self.p4, (4,)))
        object.__setattr__(self, "position", _as_float_array("position", self.position, (3,)))
        object.__setattr__(self, "weight", _as_float_array("weight", self.weight, ()))
        _check_common(self.p4, self.position, self.weight)
        charge = np.asarray(self.charge, dtype=np.int8)
        if charge.size == 0:
            charge = np.ones(len(self.weight), dtype=np.int8)
        if charge.shape != self.weight.shape or not np.all(np.abs(charge) == 1):
            raise SampleError("charge must be +1 or -1 for every muon")
        object.__setattr__(self, "charge", charge)

    def __len__(self) -> int:
        return int(self.weight.shape[0])


@dataclass(frozen=True)
class ScalarSample:
    """Scalars S of one mass from one production channel.

    Parameters
    ----------
    mass : float
        m_S, MeV.
    channel : str
        ``"kaon"``, ``"pion"`` or ``"muon"`` (dump scattering), or a user label.
    p4 : (N, 4) array
        Lab four-momentum, MeV.
    vertex : (N, 3) array
        Production point, mm.
    weight : (N,) array
        Scalars per proton on target per y^2 represented by each entry
        (including any forced-direction weight, so that a detector only needs
        the ray of each scalar).
    """

    mass: float
    channel: str
    p4: FloatArray
    vertex: FloatArray
    weight: FloatArray

    def __post_init__(self) -> None:
        object.__setattr__(self, "p4", _as_float_array("p4", self.p4, (4,)))
        object.__setattr__(self, "vertex", _as_float_array("vertex", self.vertex, (3,)))
        object.__setattr__(self, "weight", _as_float_array("weight", self.weight, ()))
        if not (np.isfinite(self.mass) and self.mass > 0):
            raise SampleError(f"mass must be positive, got {self.mass}")
        _check_common(self.p4, self.vertex, self.weight)

    def __len__(self) -> int:
        return int(self.weight.shape[0])

    @property
    def momentum(self) -> FloatArray:
        """|p|, MeV (from the stored energy and the mass)."""
        return np.sqrt(np.maximum(self.p4[:, 0] ** 2 - self.mass**2, 0.0))

    @property
    def direction(self) -> FloatArray:
        """(N, 3) unit vectors along the momentum."""
        p3 = self.p4[:, 1:]
        return p3 / np.linalg.norm(p3, axis=1, keepdims=True)

    @property
    def beta_gamma(self) -> FloatArray:
        """beta * gamma = |p| / m_S."""
        return self.momentum / self.mass
