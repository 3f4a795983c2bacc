"""Scalar emission in charged meson decays: K+- and pi+- -> mu+- nu S (paper Fig. 2, left).

* :mod:`~muphilic.emission.meson_decays.channels` - the mesons (:data:`KAON`,
  :data:`PION`) and their measured BR(M -> mu nu);
* :mod:`~muphilic.emission.meson_decays.rates` - the matrix element, the Dalitz
  integral, widths and branching ratios (normalised to the measured BR(M -> mu nu));
* :mod:`~muphilic.emission.meson_decays.sampling` - decays in flight, isotropic
  (:func:`sample_decays`) or aimed at a detector (:func:`aim_decays`), with the
  rest-frame direction regions of :mod:`~muphilic.emission.meson_decays.directions`;
* :mod:`~muphilic.emission.meson_decays.lab_angles` - the lab angular distribution
  of the scalar from one parent.

Every name is importable from this package as well as from its module.
"""

from __future__ import annotations

from muphilic.emission.meson_decays.channels import (
    KAON,
    PION,
    MesonChannel,
    MesonDecayError,
    meson_channel,
    threshold,
)
from muphilic.emission.meson_decays.lab_angles import lab_angle_cdf, lab_angular_density
from muphilic.emission.meson_decays.rates import (
    branching_ratio,
    branching_ratios,
    coupling_at_unit_branching_ratio,
    dalitz_density,
    differential_branching_ratio,
    matrix_element_squared,
    width_mu_nu,
    width_mu_nu_s,
)
from muphilic.emission.meson_decays.sampling import (
    DecayProducts,
    aim_decays,
    decay_products,
    sample_decays,
)

__all__ = [
    "KAON",
    "PION",
    "DecayProducts",
    "MesonChannel",
    "MesonDecayError",
    "aim_decays",
    "branching_ratio",
    "branching_ratios",
    "coupling_at_unit_branching_ratio",
    "dalitz_density",
    "decay_products",
    "differential_branching_ratio",
    "lab_angle_cdf",
    "lab_angular_density",
    "matrix_element_squared",
    "meson_channel",
    "sample_decays",
    "threshold",
    "width_mu_nu",
    "width_mu_nu_s",
]
