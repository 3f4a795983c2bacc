"""``muphilic scalar`` and ``muphilic xsec``: the scalar's properties and its production
cross section in muon scattering."""

from __future__ import annotations

from typing import Any

import click

from muphilic.cli.common import OptionError, _emit, _json_option
from muphilic.cli.entry import app
from muphilic.constants import m, s
from muphilic.errors import MuphilicError


@app.command()
@click.option("--mass", type=float, default=40.0, show_default=True, help="Scalar mass m_S, MeV.")
@click.option("--coupling", type=float, default=1e-4, show_default=True, help="Yukawa coupling y.")
@_json_option
def scalar(mass: float, coupling: float, as_json: bool) -> None:
    """Width, lifetime, decay length, g-2 contribution and meson branching ratios.

    Valid inputs: ``MASS_RANGE_MeV`` (1e-9 MeV <= m_S < 2 m_mu) and
    1e-100 <= y <= min(sqrt(4 pi), y at which a meson branching ratio reaches 1).
    """
    from muphilic.emission.meson_decays import branching_ratios
    from muphilic.scalar import Scalar, check_coupling, check_mass

    try:
        check_mass(mass)
    except MuphilicError as err:
        raise OptionError("--mass", str(err)) from None
    try:
        check_coupling(mass, coupling)
    except MuphilicError as err:
        raise OptionError("--coupling", str(err)) from None
    point = Scalar(mass=mass, coupling=coupling)
    payload: dict[str, Any] = {
        "mass_MeV": mass,
        "coupling": coupling,
        "width_MeV": point.width,
        "tau_s": point.lifetime / s,
        "ctau_m": point.ctau / m,
        "delta_a_mu": point.delta_a_mu,
        **branching_ratios(mass, coupling),
    }
    _emit(payload, as_json, f"S with m_S = {mass:g} MeV, y = {coupling:g}")


@app.command()
@click.option("--mass", type=float, required=True, help="Scalar mass m_S, MeV.")
@click.option("--energy", type=float, required=True, help="Muon energy E_mu, GeV.")
@click.option("--target", default="Fe", show_default=True, help="Target nucleus (Fe, Cu, Pb, ...).")
@_json_option
def xsec(mass: float, energy: float, target: str, as_json: bool) -> None:
    """Cross section sigma/y^2 of mu N -> mu N S per nucleus: exact and improved WW.

    Valid inputs: ``MASS_RANGE_MeV`` and E_thr (1 + 1e-3) <= E_mu <= 10 GeV
    (``summary_energy_range``).
    """
    from muphilic.emission.form_factors import get_target
    from muphilic.emission.muon_scattering import xsec_summary
    from muphilic.scalar import check_mass

    try:
        check_mass(mass)
    except MuphilicError as err:
        raise OptionError("--mass", str(err)) from None
    try:
        get_target(target)
    except MuphilicError as err:
        raise OptionError("--target", str(err)) from None
    try:
        payload = xsec_summary(mass, energy, target=target)
    except MuphilicError as err:
        raise OptionError("--energy", str(err)) from None
    _emit(payload, as_json, f"mu {target} -> mu {target} S, m_S = {mass:g} MeV, E = {energy:g} GeV")
