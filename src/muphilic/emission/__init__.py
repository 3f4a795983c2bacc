"""Emission of the scalar S for one mass: the production stage of the chain.

* :mod:`muphilic.emission.meson_decays` - K+-, pi+- -> mu+- nu S in flight;
* :mod:`muphilic.emission.muon_scattering` - mu N -> mu N S in the iron dump.

Each channel turns beamline samples into a :class:`muphilic.events.ScalarSample`
with weights per proton on target per y^2.
"""
