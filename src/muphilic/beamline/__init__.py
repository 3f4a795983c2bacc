"""Proton beamlines (the Booster Neutrino Beam by default): a fast embedded simulation
and sample I/O.

Public API
----------
* :func:`load_facility` -> :class:`Facility` (a beamline described by a TOML file;
  :func:`available_facilities` lists the packaged ones);
* :func:`simulate` -> :class:`BeamSample` (mesons decaying upstream of the
  absorber, muons reaching it, production yields), configured by
  :class:`BeamlineConfig` (a facility and a production backend,
  :func:`muphilic.beamline.production.get_backend`);
* :func:`numu_flux` -> :class:`FluxResult` (exact per-decay nu_mu flux averaged
  over a :class:`Sphere` or :class:`Box` on the beam axis), :data:`DEFAULT_FLUX_VOLUMES`;
* :func:`beam_summary`, :func:`plot_beam`;
* :func:`write_sample`, :func:`read_sample`, :func:`read_parents_csv`,
  :func:`read_muons_csv`, :func:`read_root`, :class:`SampleFormatError`.

Modules: :mod:`.facility` and :mod:`.facility_file` (facilities and their files),
:mod:`.production` (backends: the BNB parametrisations, event generators),
:mod:`.target` (protons in the target), :mod:`.horn` (fields and tracker),
:mod:`.absorption` (pions in Be/Al), :mod:`.outer_conductor` (mesons crossing a
horn's outer conductor), :mod:`.geometry` (apertures),
:mod:`.decays`, :mod:`.muons` (transport, range in iron), :mod:`.flux`,
:mod:`.samples` (I/O), :mod:`.simulate`, :mod:`.summary`.
"""

from __future__ import annotations

from muphilic.beamline.facility import Facility
from muphilic.beamline.facility_file import available_facilities, load_facility
from muphilic.beamline.flux import DEFAULT_FLUX_VOLUMES, Box, FluxResult, Sphere, numu_flux
from muphilic.beamline.muons import EnergyLoss, energy_after, range_in_iron
from muphilic.beamline.samples import (
    SampleFormatError,
    is_beam_sample,
    read_muons_csv,
    read_parents_csv,
    read_root,
    read_sample,
    write_sample,
)
from muphilic.beamline.simulate import BeamlineConfig, BeamSample, simulate
from muphilic.beamline.store import flux_volume, load_beam, numu_flux_total
from muphilic.beamline.summary import beam_summary, plot_beam

__all__ = [
    "DEFAULT_FLUX_VOLUMES",
    "BeamSample",
    "BeamlineConfig",
    "Box",
    "EnergyLoss",
    "Facility",
    "FluxResult",
    "SampleFormatError",
    "Sphere",
    "available_facilities",
    "beam_summary",
    "energy_after",
    "flux_volume",
    "is_beam_sample",
    "load_beam",
    "load_facility",
    "numu_flux",
    "numu_flux_total",
    "plot_beam",
    "range_in_iron",
    "read_muons_csv",
    "read_parents_csv",
    "read_root",
    "read_sample",
    "simulate",
    "write_sample",
]
