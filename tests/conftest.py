"""Shared fixtures: a small simulated beam sample and an isolated cache folder."""

from __future__ import annotations

import pytest

from muphilic.beamline import BeamSample, simulate


@pytest.fixture(scope="session")
def tiny_beam() -> BeamSample:
    """3000 protons on target through the embedded beamline (a few seconds)."""
    return simulate(3000, seed=7)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Every test writes its cache entries to a fresh folder."""
    monkeypatch.setenv("MUPHILIC_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
