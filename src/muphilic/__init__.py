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

from muphilic.g2 import G2_2023, G2_2025, delta_a_mu
from muphilic.scalar import ModelRangeError, Scalar, ctau, decay_length, lifetime, width

__version__ = "0.1.0"

__all__ = [
    "G2_2023",
    "G2_2025",
    "ModelRangeError",
    "Scalar",
    "__version__",
    "ctau",
    "decay_length",
    "delta_a_mu",
    "lifetime",
    "width",
]
