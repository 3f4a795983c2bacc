"""muphilic: where accelerator neutrino experiments can see a muon-philic scalar.

A scalar S with ``L = y S mu-bar mu`` (m_S < 2 m_mu) is made in K/pi -> mu nu S
decays and in mu N -> mu N S scattering in the beam dump of the Fermilab
Booster Neutrino Beam, flies to MiniBooNE, MicroBooNE or SBND and decays there
to two photons. muphilic computes the expected signal and recasts the published
diphoton-mass spectra into limits in the (m_S, y) plane.

All quantities are in the CLHEP units of :mod:`hepunits` (MeV, mm, ns = 1);
see :mod:`muphilic.constants`.
"""

from __future__ import annotations

import importlib
from typing import Any

from muphilic.errors import MuphilicError
from muphilic.g2 import G2_2023, G2_2025, delta_a_mu
from muphilic.scalar import ModelRangeError, Scalar, ctau, decay_length, lifetime, width

__version__ = "0.1.0"

#: The rest of the API, imported on first use so that ``import muphilic`` stays light:
#: ``muphilic.reach(...)``, ``muphilic.detectors.MINIBOONE``, ``muphilic.RunConfig()``...
_LAZY = {
    "reach": ("muphilic.pipeline", "reach"),
    "write_outputs": ("muphilic.pipeline", "write_outputs"),
    "ReachResult": ("muphilic.pipeline", "ReachResult"),
    "RunConfig": ("muphilic.config", "RunConfig"),
    "load_config": ("muphilic.config", "load_config"),
    "expected_signal": ("muphilic.signal", "expected_signal"),
    "simulate": ("muphilic.beamline", "simulate"),
}
_SUBPACKAGES = (
    "beamline",
    "config",
    "constants",
    "detectors",
    "emission",
    "events",
    "pipeline",
    "recast",
    "signal",
)

__all__ = [
    "G2_2023",
    "G2_2025",
    "ModelRangeError",
    "MuphilicError",
    "ReachResult",
    "RunConfig",
    "Scalar",
    "__version__",
    "ctau",
    "decay_length",
    "delta_a_mu",
    "expected_signal",
    "lifetime",
    "load_config",
    "reach",
    "simulate",
    "width",
    "write_outputs",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    if name in _SUBPACKAGES:
        return importlib.import_module(f"muphilic.{name}")
    raise AttributeError(f"module 'muphilic' has no attribute {name!r}")
