"""The production backends and their registry.

* ``bnb-fits``: the G4BNB Sanford-Wang / Feynman-scaling fits to HARP p-Be data
  at 8.9 GeV/c (:mod:`.bnb_fits`). Valid for p-Be within 2 % of 8.89 GeV/c only.
* ``urqmd``: UrQMD 3.4 through ``chromo`` (a transport model, sensible from a few
  GeV to ~100 GeV fixed-target beam energy; chromo's limit sqrt(s_NN) >= 2 GeV).
* ``sibyll``: SIBYLL 2.3d through ``chromo`` (built for high energies: use it
  above ~50 GeV; chromo's limits are sqrt(s_NN) >= 10 GeV and target A <= 20).

DPMJET, EPOS, QGSJet and chromo's Pythia 8 are refused: chromo downloads their
data files at first use, which an offline machine cannot do. chromo's Pythia 6
collides hadrons with nucleons only, not with the target nucleus.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from muphilic.beamline.production.base import (
    SPECIES_PRODUCED,
    FloatArray,
    MesonSource,
    ProductionBackend,
    ProductionError,
    check_attenuation,
    suggest_generator,
)
from muphilic.beamline.production.bnb_fits import integrated_xsec, production_model
from muphilic.beamline.production.generators import ChromoBackend
from muphilic.beamline.production.sampling import momentum_sampler
from muphilic.constants import GeV

if TYPE_CHECKING:
    from muphilic.beamline.facility import Facility

__all__ = ["BACKENDS", "BnbFits", "FitSource", "available_backends", "get_backend"]

#: The beam momentum of the HARP data the BNB fits describe, and the tolerance around it.
_BNB_P_BEAM = 8.89 * GeV
_BNB_P_TOLERANCE = 0.02

#: Names refused with the reason (chromo fetches their data files on first use).
_NEEDS_DOWNLOAD = ("dpmjet", "epos", "qgsjet", "pythia8")


# --- the BNB fits -----------------------------------------------------------------
@dataclass(frozen=True)
class FitSource(MesonSource):
    """Mesons importance-sampled from the BNB parametrisations at ``p_beam`` (MeV)."""

    p_beam: float

    def rows(self, species: str, pot: int, oversample: float) -> int:
        return max(1, math.ceil(pot * self.multiplicity[species] * oversample))

    def draw(
        self, species: str, start: int, n: int, rng: np.random.Generator
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        return momentum_sampler(species, self.p_beam).sample(rng, n)


class BnbFits(ProductionBackend):
    """The G4BNB parametrisations of p-Be -> pi, K + X at 8.89 GeV/c (:mod:`.bnb_fits`)."""

    name = "bnb-fits"

    def check(self, facility: Facility) -> None:
        t = facility.target
        p = facility.p_beam
        problems = []
        if (t.atomic_number, t.mass_number) != (4, 9):
            problems.append(f"a {t.material} target (Z = {t.atomic_number}, A = {t.mass_number})")
        if abs(p / _BNB_P_BEAM - 1.0) > _BNB_P_TOLERANCE:
            problems.append(f"protons of {p / GeV:.4g} GeV/c")
        if problems:
            raise ProductionError(
                f"production 'bnb-fits' is a fit to p-Be data at 8.9 GeV/c (HARP) and cannot "
                f"model {' and '.join(problems)} at facility {facility.name!r}; use production "
                f"= {suggest_generator(p)} (event generators through chromo: "
                "pip install 'muphilic[generators]')"
            )

    def identity(self) -> dict[str, Any]:
        return {"backend": self.name}

    def mesons(
        self,
        facility: Facility,
        *,
        pot: int,
        seed: int,
        attenuation: str = "inelastic",
        progress: bool = False,
    ) -> FitSource:
        self.check(facility)
        check_attenuation(attenuation)
        p_beam = facility.p_beam
        model = production_model()
        inel = model.sigma("inelastic", p_beam)
        if attenuation == "inelastic":
            sigma_att = inel
        else:
            sigma_att = inel - model.sigma("quasielastic", p_beam)
        mult = {s: integrated_xsec(s, p_beam) / sigma_att for s in SPECIES_PRODUCED}
        label = "bnb-fits (G4BNB Sanford-Wang and Feynman-scaling fits to HARP p-Be 8.9 GeV/c)"
        return FitSource(label, sigma_att, mult, p_beam)


# --- the registry -------------------------------------------------------------------------
BACKENDS: dict[str, ProductionBackend] = {
    "bnb-fits": BnbFits(),
    "urqmd": ChromoBackend("urqmd"),
    "sibyll": ChromoBackend("sibyll"),
}


def available_backends() -> list[str]:
    """Names of the production backends."""
    return list(BACKENDS)


def get_backend(name: str) -> ProductionBackend:
    """The production backend called ``name`` (case-insensitive).

    Raises
    ------
    ProductionError
        For a model that needs downloaded data files, or an unknown name.
    """
    key = str(name).strip().lower()
    if key in BACKENDS:
        return BACKENDS[key]
    if any(key.startswith(prefix) for prefix in _NEEDS_DOWNLOAD) or key == "pythia":
        raise ProductionError(
            f"production {name!r}: chromo downloads the data files of DPMJET, EPOS, QGSJet "
            "and Pythia 8 at first use, which an offline machine cannot do; use one of "
            f"{available_backends()}"
        )
    raise ProductionError(f"unknown production {name!r}; use one of {available_backends()}")
