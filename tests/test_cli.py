"""The command line: JSON output matches the API; bad input exits 2 with one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from muphilic.cli import main
from muphilic.constants import m, s
from muphilic.emission.meson_decays import KAON, PION, branching_ratio
from muphilic.g2 import delta_a_mu
from muphilic.scalar import ctau, lifetime, width


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_scalar_json_matches_api(capsys):
    code, out, _ = run_cli(capsys, "scalar", "--mass", "24", "--coupling", "3e-4", "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["width_MeV"] == pytest.approx(float(width(24.0, 3e-4)), rel=1e-12)
    assert payload["tau_s"] == pytest.approx(float(lifetime(24.0, 3e-4)) / s, rel=1e-12)
    assert payload["ctau_m"] == pytest.approx(float(ctau(24.0, 3e-4)) / m, rel=1e-12)
    assert payload["delta_a_mu"] == pytest.approx(float(delta_a_mu(24.0, 3e-4)), rel=1e-12)
    assert payload["br_K_mu_nu_S"] == pytest.approx(
        float(branching_ratio(KAON, 24.0)) * 3e-4**2, rel=1e-12
    )
    assert payload["br_pi_mu_nu_S"] == pytest.approx(
        float(branching_ratio(PION, 24.0)) * 3e-4**2, rel=1e-12
    )


def test_scalar_human_output(capsys):
    code, out, _ = run_cli(capsys, "scalar", "--mass", "40", "--coupling", "1e-4")
    assert code == 0
    assert "ctau_m" in out


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--mass", "0"], "--mass"),
        (["--mass", "-5"], "--mass"),
        (["--mass", "250"], "--mass"),
        (["--mass", "abc"], "--mass"),
        (["--mass", "nan"], "--mass"),
        (["--coupling", "0"], "--coupling"),
        (["--coupling", "-1e-3"], "--coupling"),
        (["--coupling", "x"], "--coupling"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, args, option):
    code, out, err = run_cli(capsys, "scalar", *args)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert option in lines[0]
    assert "Traceback" not in err


def test_python_dash_m_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "muphilic", "scalar", "--mass", "250", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "mu+ mu-" in result.stderr
    assert "Traceback" not in result.stderr


SMALL_TOML = """
seed = 5
[beam]
pot = 2000
[emission]
scalars_per_species = 1000
[scan]
n_masses = 4
mass_min_MeV = 10.0
mass_max_MeV = 100.0
n_couplings = 20
"""


@pytest.fixture
def small_config(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text(SMALL_TOML)
    return str(path)


def test_xsec_json(capsys):
    code, out, _ = run_cli(capsys, "xsec", "--mass", "30", "--energy", "3", "--json")
    assert code == 0
    payload = json.loads(out)
    assert set(payload) >= {"sigma_exact_cm2", "sigma_iww_cm2", "mass_MeV", "energy_GeV", "target"}
    # exact and IWW agree to a few per cent at E >> m_S (see the muon-scattering tests)
    assert payload["sigma_iww_cm2"] == pytest.approx(payload["sigma_exact_cm2"], rel=0.05)


def test_beam_json_keys(capsys, tmp_path):
    out_file = tmp_path / "beam.h5"
    code, out, _ = run_cli(
        capsys, "beam", "--pot", "1500", "--seed", "2", "--json", "--output", str(out_file)
    )
    assert code == 0
    payload = json.loads(out)
    assert payload["pot"] == 1500
    assert set(payload["produced_per_pot"]) == {"pi+", "pi-", "K+", "K-", "K0L"}
    assert set(payload["decays_per_pot"]) == {"pi+", "pi-", "K+", "K-"}
    assert set(payload["muons_per_pot"]) == {"produced", "to_dump"}
    for name in ("miniboone", "microboone", "sbnd"):
        flux = payload["numu_flux"][name]
        assert set(flux) >= {"edges_GeV", "per_cm2_per_pot", "total_per_cm2_per_pot"}
    code, again, _ = run_cli(capsys, "beam", "--sample", str(out_file), "--json")
    assert code == 0
    assert json.loads(again)["produced_per_pot"] == payload["produced_per_pot"]


def test_spectrum_json_keys(capsys, small_config):
    code, out, _ = run_cli(
        capsys,
        "spectrum",
        "--detector",
        "miniboone",
        "--mass",
        "40",
        "--coupling",
        "1e-4",
        "--config",
        small_config,
        "--json",
    )
    assert code == 0
    payload = json.loads(out)
    assert set(payload) >= {
        "edges_MeV",
        "signal",
        "by_channel",
        "signal_total",
        "mc_rel_error",
        "background",
        "data",
    }
    assert set(payload["by_channel"]) >= {"kaon", "pion", "muon"}
    assert len(payload["signal"]) == len(payload["edges_MeV"]) - 1 == len(payload["data"])
    assert payload["signal_total"] == pytest.approx(sum(payload["signal"]))


def test_reach_json(capsys, small_config, tmp_path):
    code, out, _ = run_cli(
        capsys,
        "reach",
        "--config",
        small_config,
        "--out",
        str(tmp_path / "o"),
        "--json",
        "--experiments",
        "microboone,sbnd",
        "--g2",
        "2025",
    )
    assert code == 0
    payload = json.loads(out)
    assert set(payload["g2_band_excluded_MeV"]) >= {"microboone", "sbnd"}
    # the 2025 band reaches y = 0, so no experiment can exclude all of it
    assert all(v is None for v in payload["g2_band_excluded_MeV"].values())
    assert (tmp_path / "o" / "reach.png").is_file()


def test_config_show_defaults_round_trips(capsys):
    import tomllib

    from muphilic.config import RunConfig, config_from_dict

    code, out, _ = run_cli(capsys, "config", "--show-defaults")
    assert code == 0
    assert config_from_dict(tomllib.loads(out)) == RunConfig()


def test_cache_list_and_clear(capsys, small_config):
    run_cli(capsys, "beam", "--config", small_config, "--json")
    code, out, _ = run_cli(capsys, "cache", "--list")
    assert code == 0
    assert "beam" in out
    code, out, _ = run_cli(capsys, "cache", "--clear")
    assert code == 0
    assert "removed 1" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["spectrum", "--detector", "nonesuch"], "--detector"),
        (["spectrum", "--mass", "300"], "--mass"),
        (["beam", "--pot", "-5"], "--pot"),
        (["reach", "--config", "missing.toml"], "missing.toml"),
        (["reach", "--workers", "0"], "--workers"),
        (["reach", "--band-production"], "--band-production"),
        (["xsec", "--mass", "30", "--energy", "3", "--target", "Xx"], "--target"),
        (["beam", "--sample", "missing.h5"], "missing.h5"),
    ],
)
def test_bad_input_of_other_commands(capsys, args, needle):
    code, _out, err = run_cli(capsys, *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert needle in lines[0]
    assert "Traceback" not in err


def test_beam_plot_with_scalar_spectra(capsys, tmp_path):
    from muphilic.beamline import simulate, write_sample

    sample = write_sample(simulate(1500, 3), tmp_path / "beam.h5")
    plot = tmp_path / "beam.png"
    code, out, _ = run_cli(
        capsys, "beam", "--sample", str(sample), "--plot", str(plot), "--mass", "24"
    )
    assert code == 0
    assert f"read from {sample}" in out and "(1,500 POT)" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, err = run_cli(capsys, "beam", "--sample", str(sample), "--mass", "24")
    assert code == 2 and "--plot" in err


def test_unaimed_scalars_carry_the_branching_ratio(tiny_beam):
    """Over all directions, kaon scalars per POT = K decays per POT x BR(K -> mu nu S)/y^2."""
    import numpy as np

    from muphilic.constants import MeV
    from muphilic.emission.meson_decays import branching_ratio
    from muphilic.emission.spectra import kinetic_energy_spectra, scalar_samples

    mass = 24.0 * MeV
    samples = scalar_samples(tiny_beam.parents, tiny_beam.muons, mass, np.random.default_rng(1))
    kaon_decays = sum(float(np.sum(tiny_beam.parents[k].weight)) for k in ("K+", "K-"))
    expected = kaon_decays * float(branching_ratio("kaon", mass))
    assert float(np.sum(samples["kaon"].weight)) == pytest.approx(expected, rel=1e-4)
    edges = np.linspace(0.0, 10_000.0, 101) * MeV
    spectra = kinetic_energy_spectra(samples, edges)
    assert float(np.sum(spectra["kaon"])) == pytest.approx(expected, rel=1e-4)
    assert set(spectra) == {"kaon", "pion", "muon"}


def test_spectrum_reports_one_fiducial_mass(capsys, small_config, tmp_path):
    # The packaged files give equal masses; an explicit background_mass_t decouples them and
    # scales the modelled background alone, a fiducial_mass_t override moves both.
    def spectrum(config):
        args = ["spectrum", "--detector", "sbnd", "--mass", "40", "--coupling", "1e-4"]
        code, out, _ = run_cli(capsys, *args, "--config", config, "--json")
        assert code == 0
        return json.loads(out)

    default = spectrum(small_config)
    assert default["fiducial_mass_t"] == default["background_mass_t"] == 77.0
    base = Path(small_config).read_text()
    heavy = tmp_path / "heavy.toml"
    heavy.write_text(base + "\n[detectors.sbnd]\nbackground_mass_t = 154.0\n")
    decoupled = spectrum(str(heavy))
    assert (decoupled["fiducial_mass_t"], decoupled["background_mass_t"]) == (77.0, 154.0)
    assert decoupled["signal_total"] == default["signal_total"]
    np.testing.assert_allclose(decoupled["background"], 2 * np.array(default["background"]))
    small = tmp_path / "small_volume.toml"
    small.write_text(base + "\n[detectors.sbnd]\nfiducial_mass_t = 38.5\n")
    halved = spectrum(str(small))
    assert halved["fiducial_mass_t"] == halved["background_mass_t"] == 38.5
    # half the mass, times the nu_mu flux averaged over the smaller box (a few % higher there)
    ratio = np.array(halved["background"]) / np.array(default["background"])
    assert np.all((ratio > 0.5) & (ratio < 0.55))
    assert halved["signal_total"] < default["signal_total"]
