"""Cross section of mu N -> mu N S by one-photon exchange: exact 2 -> 3 and improved WW.

Every cross section is sigma / y^2 per nucleus (the Yukawa coupling
``y S mu-bar mu`` of paper Eq. (1) set to 1), in mm^2.

* :mod:`~muphilic.emission.dump_xsec.matrix_element` - the squared matrix element
  (the lepton trace :func:`lepton_trace`, gauge invariant) and the gamma mu -> S mu
  amplitude :func:`photon_muon_amplitude_squared`;
* :mod:`~muphilic.emission.dump_xsec.x_theta_plane` - the scalar's (x, theta)
  plane and its map onto the unit square, :class:`XThetaMap`;
* :mod:`~muphilic.emission.dump_xsec.exact_integration` - the exact
  d^2 sigma / (dx dtheta) in the lab, :func:`d2sigma_exact`;
* :mod:`~muphilic.emission.dump_xsec.weizsacker_williams` - the improved
  Weizsacker-Williams approximation, :func:`d2sigma_iww` and its photon flux
  :func:`photon_flux_chi`;
* :mod:`~muphilic.emission.dump_xsec.vegas_integration` - the total cross section
  in an independent phase-space parametrisation, :func:`sigma_vegas`.

Both muon charges give the same result at this order (the charge enters squared).
Every name is importable from this package as well as from its module.
"""

from __future__ import annotations

from muphilic.emission.dump_xsec.exact_integration import (  # noqa: F401 (T_CUT outside __all__)
    T_CUT,
    d2sigma_exact,
)
from muphilic.emission.dump_xsec.matrix_element import (  # noqa: F401 (E2 outside __all__)
    E2,
    lepton_trace,
    mdot,
    photon_muon_amplitude_squared,
)
from muphilic.emission.dump_xsec.vegas_integration import sigma_vegas
from muphilic.emission.dump_xsec.weizsacker_williams import d2sigma_iww, photon_flux_chi
from muphilic.emission.dump_xsec.x_theta_plane import XThetaMap

__all__ = [
    "XThetaMap",
    "d2sigma_exact",
    "d2sigma_iww",
    "lepton_trace",
    "mdot",
    "photon_flux_chi",
    "photon_muon_amplitude_squared",
    "sigma_vegas",
]
