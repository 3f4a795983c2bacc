"""What every production backend returns: the produced-meson table of one facility.

A backend turns a facility (proton energy, target nucleus) into a
:class:`MesonSource`: the attenuation cross section of the protons, the mean
number of each meson species per proton interaction, and a way to draw meson
momenta (|p| and the polar angle to the proton's direction) with importance
weights. The beamline (:func:`muphilic.beamline.simulate`) draws the proton's
interaction point in the target, rotates the meson to the proton's direction
with a uniform azimuth (p-nucleus collisions of an unpolarised beam are
symmetric about it) and tracks it; it never asks where the mesons came from.

Normalisation. For ``rows`` drawn rows of a species with weights ``w``, the
mesons per POT of a row are ``P_int * w * multiplicity / rows``, where ``P_int``
is the interaction probability of its proton for the attenuation cross section
``sigma_att``; the weights average to one.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from muphilic.constants import GeV
from muphilic.errors import MuphilicError

if TYPE_CHECKING:
    from muphilic.beamline.facility import Facility

__all__ = [
    "ATTENUATIONS",
    "CHARGED",
    "SPECIES_PRODUCED",
    "MesonSource",
    "MesonTable",
    "ProductionBackend",
    "ProductionError",
    "check_attenuation",
    "suggest_generator",
]

FloatArray = NDArray[np.float64]

#: Species a backend reports (K0L is counted, not tracked).
SPECIES_PRODUCED = ("pi+", "pi-", "K+", "K-", "K0L")
#: Species the beamline tracks.
CHARGED = ("pi+", "pi-", "K+", "K-")
#: Proton attenuation bookkeeping (see :mod:`muphilic.beamline.target`).
ATTENUATIONS = ("inelastic", "production")


class ProductionError(MuphilicError):
    """A production backend cannot serve a facility (or is unknown); the message says why."""


def check_attenuation(attenuation: str) -> None:
    """Raise :class:`ProductionError` unless ``attenuation`` is one of :data:`ATTENUATIONS`."""
    if attenuation not in ATTENUATIONS:
        raise ProductionError(
            f"attenuation must be one of {list(ATTENUATIONS)}, got {attenuation!r}"
        )


def suggest_generator(p_beam: float) -> str:
    """Which generator backend suits a proton momentum (MeV)."""
    if p_beam <= 50.0 * GeV:
        return "'urqmd'"
    if p_beam <= 100.0 * GeV:
        return "'urqmd' or 'sibyll'"
    return "'sibyll'"


@dataclass(frozen=True)
class MesonSource(ABC):
    """Produced mesons of one backend at one facility.

    Attributes
    ----------
    label : str
        Backend, model name and version (recorded in the beam sample).
    sigma_att : float
        Proton attenuation cross section in the target (CLHEP area).
    multiplicity : mapping
        Species -> mean number per proton interaction counted by ``sigma_att``
        (all of :data:`SPECIES_PRODUCED`).
    """

    label: str
    sigma_att: float
    multiplicity: Mapping[str, float]

    @abstractmethod
    def rows(self, species: str, pot: int, oversample: float) -> int:
        """How many rows to draw for ``species`` for a sample of ``pot`` protons."""

    @abstractmethod
    def draw(
        self, species: str, start: int, n: int, rng: np.random.Generator
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Rows ``start`` to ``start + n``: (|p| in MeV, cos theta to the proton, weight)."""


@dataclass(frozen=True)
class MesonTable(MesonSource):
    """A fixed table of generated mesons (an event generator's output).

    Each generated meson is one row, repeated ``ceil(oversample)`` times (each
    copy gets its own interaction point and decay); all weights are one.

    Attributes
    ----------
    momentum, cos_theta : mapping
        Species -> |p| (MeV) and cos of the angle to the beam, per generated meson.
    """

    momentum: Mapping[str, FloatArray]
    cos_theta: Mapping[str, FloatArray]

    def rows(self, species: str, pot: int, oversample: float) -> int:
        return len(self.momentum.get(species, ())) * max(1, math.ceil(oversample))

    def draw(
        self, species: str, start: int, n: int, rng: np.random.Generator
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        p = self.momentum[species]
        idx = (start + np.arange(n)) % len(p)
        return p[idx], self.cos_theta[species][idx], np.ones(n)


class ProductionBackend(ABC):
    """A hadron-production model chosen by name: a facility in, a :class:`MesonSource` out."""

    #: The name users select it by (``[beam] production``, ``--production``).
    name: str = ""

    @abstractmethod
    def check(self, facility: Facility) -> None:
        """Raise :class:`ProductionError` if the backend cannot model ``facility``
        (the message names a backend that can)."""

    @abstractmethod
    def identity(self) -> dict[str, Any]:
        """Everything the backend's output depends on besides its inputs (cache keys)."""

    @abstractmethod
    def mesons(
        self,
        facility: Facility,
        *,
        pot: int,
        seed: int,
        attenuation: str = "inelastic",
        progress: bool = False,
    ) -> MesonSource:
        """The produced mesons for ``facility``, with the statistics of ``pot`` protons."""
