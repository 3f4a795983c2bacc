"""A synthetic signal model for tests, benchmarks and examples of the recast.

Not the package's physics prediction (that comes from the beamline, emission
and detector stages): a closed-form stand-in with the right structure, so the
statistics, scans and contours can be exercised on their own.

For one mass m_S and coupling y the number of detected signal events is

    N(m, y) = A y^2 [exp(-L / lambda) - exp(-(L + Delta L) / lambda)],
    lambda = beta gamma c tau(m, y),

(production proportional to y^2, decay inside a detector between L and
L + Delta L along the flight path, one typical boost), spread over m_gg with
a Gaussian of fractional width ``resolution`` around m_S. The bracket is
written as exp(-L/lambda) * (-expm1(-Delta L/lambda)) so long lifetimes keep their
precision (DESIGN key idea 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from muphilic.constants import MeV, m
from muphilic.recast.spectra import gaussian_peak_fractions
from muphilic.scalar import ctau

__all__ = ["ToySignal"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ToySignal:
    """Callable ``mass -> signal events, shape (K couplings, n_bins)``.

    Attributes
    ----------
    edges_MeV : tuple[float, ...]
        m_gg bin edges of the spectrum, MeV.
    couplings : tuple[float, ...]
        The K couplings y of the scan.
    amplitude : float
        A: events per y^2 for a decay probability of 1.
    baseline : float
        Distance L to the detector (internal length units).
    length : float
        Flight path Delta L through the detector (internal length units).
    boost : float
        Typical beta gamma of the scalars.
    resolution : float
        Fractional m_gg resolution.
    """

    edges_MeV: tuple[float, ...]
    couplings: tuple[float, ...]
    amplitude: float = 1e12
    baseline: float = 541.0 * m
    length: float = 10.0 * m
    boost: float = 20.0
    resolution: float = 0.15

    def yield_events(self, mass: float) -> FloatArray:
        """Total signal events N(m, y) for every coupling, shape (K,)."""
        y = np.asarray(self.couplings, dtype=np.float64)
        lam = self.boost * ctau(mass, y)
        with np.errstate(over="ignore", under="ignore"):
            p_decay = np.exp(-self.baseline / lam) * -np.expm1(-self.length / lam)
        return self.amplitude * y**2 * p_decay

    def __call__(self, mass: float) -> FloatArray:
        shape = gaussian_peak_fractions(self.edges_MeV, mass / MeV, self.resolution)
        return np.outer(self.yield_events(mass), shape)
