"""Hostile run configurations, detector files and spectra are refused before any computation.

Each input here is something a run would refuse late (after simulating the beam), refuse
with a traceback, or - worse - accept and turn into a wrong result. Every refusal is a
:class:`~muphilic.errors.MuphilicError` whose message names the field and, for a file,
the file; on the command line it is one line and exit status 2.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from muphilic.beamline import simulate, write_sample
from muphilic.cli import main
from muphilic.config import (
    ALLOW_LONG_RUNS_ENV,
    BEAM_BYTES_PER_POT,
    BEAM_SECONDS_PER_POT,
    MAX_BEAM_BYTES,
    MAX_RUN_SECONDS,
    SCAN_SECONDS_FIXED,
    SCAN_SECONDS_SCALED,
    BeamConfig,
    ConfigError,
    RunConfig,
    ScanConfig,
    StatisticsConfig,
    check_cost,
    check_inputs,
    config_from_dict,
    estimate_cost,
    load_config,
)
from muphilic.config import cost as config_module
from muphilic.constants import TWO_M_MU
from muphilic.data import data_file
from muphilic.detectors import DetectorConfigError, load_detector
from muphilic.detectors.definitions import MAX_TOML_BYTES
from muphilic.recast.spectra import (
    MAX_SPECTRUM_BINS,
    MINIBOONE_SYSTEMATICS,
    SpectrumError,
    read_spectrum_csv,
)
from muphilic.recast.statistics import statistic_for

MICROBOONE_TOML = data_file("detectors", "microboone.toml").read_text(encoding="utf-8")


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def assert_one_line_error(capsys, args: list[str], *needles: str) -> str:
    code, out, err = run_cli(capsys, *args)
    assert code == 2, (code, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("muphilic: error:")
    assert len(lines[0]) < 1000, lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def refused(error: type[Exception], call, *needles: str) -> str:
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    assert "\n" not in message and len(message) < 1000, message
    for needle in needles:
        assert needle in message, (needle, message)
    return message


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- 1. configuration files that are not configurations -----------------------------------
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("seed = " + "[" * 5000 + "]" * 5000, "deep.toml"),  # arrays nested 5000 deep
        ("seed = " + "{a = " * 5000 + "1" + "}" * 5000, "deep.toml"),  # inline tables
        # a table header 1500 deep parses, but its value is too deep to print in full
        (
            "[statistics.miniboone_systematics.flux" + ".a" * 1500 + "]\nb = 1\n",
            "statistics.miniboone_systematics.flux",
        ),
    ],
    ids=["deep-array", "deep-inline-table", "deep-header"],
)
def test_deeply_nested_config_is_one_line_error(capsys, tmp_path, text, needle):
    path = write(tmp_path / "deep.toml", text)
    assert_one_line_error(capsys, ["config", "--check", str(path)], needle)


def test_huge_config_file_is_refused_unread(capsys, tmp_path):
    path = write(
        tmp_path / "huge.toml", "seed = 1\n" + ("#" * 99 + "\n") * (MAX_TOML_BYTES // 100 + 1)
    )
    assert_one_line_error(capsys, ["config", "--check", str(path)], str(path), "too large")


@pytest.mark.parametrize(
    "blob",
    [bytes(range(256)) * 4, b"seed = 1\x00\x00\n", b'{"seed": 1, "scan": {"n_masses": 5}}'],
    ids=["binary", "nul-bytes", "json"],
)
def test_binary_and_foreign_files_are_one_line_errors(capsys, tmp_path, blob):
    path = tmp_path / "odd.toml"
    path.write_bytes(blob)
    assert_one_line_error(capsys, ["config", "--check", str(path)], str(path))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a POSIX named pipe")
def test_named_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    refused(ConfigError, lambda: load_config(fifo), str(fifo), "not a regular file")


def test_huge_value_gives_a_short_message():
    refused(ConfigError, lambda: config_from_dict({"seed": list(range(100_000))}), "seed")


# --- 2. [statistics.miniboone_systematics] --------------------------------------------------
def test_partial_systematics_table_changes_only_its_key():
    config = config_from_dict({"statistics": {"miniboone_systematics": {"flux": 0.2}}})
    expected = {**MINIBOONE_SYSTEMATICS, "flux": 0.2}
    assert config.statistics.miniboone_systematics == expected
    # the same from Python
    assert StatisticsConfig(miniboone_systematics={"flux": 0.2}).miniboone_systematics == expected


def test_unknown_systematic_is_refused_not_added_in_quadrature():
    data = {"statistics": {"miniboone_systematics": {"flx": 0.2}}}
    refused(ConfigError, lambda: config_from_dict(data), "statistics.miniboone_systematics.flx")


def test_empty_systematics_table_is_refused():
    data = {"statistics": {"miniboone_systematics": {}}}
    refused(ConfigError, lambda: config_from_dict(data), "statistics.miniboone_systematics")
    zeros = dict.fromkeys(MINIBOONE_SYSTEMATICS, 0.0)
    stats_only = config_from_dict({"statistics": {"miniboone_systematics": zeros}})
    assert stats_only.statistics.miniboone_systematics == zeros


# --- 3. spectrum CSV files -----------------------------------------------------------------
HEADER = "mgg_low_MeV,mgg_high_MeV,data,background\n"


def spectrum_file(tmp_path, rows, meta="# pot: 1e20\n", name="spec.csv") -> Path:
    body = "".join(f"{lo},{hi},{d},{b}\n" for lo, hi, d, b in rows)
    return write(tmp_path / name, meta + HEADER + body)


GOOD_ROWS = [(0, 10, 3, 2.5), (10, 20, 4, 3.0), (20, 30, 2, 1.5)]


def with_row(index: int, row: tuple) -> list[tuple]:
    rows = list(GOOD_ROWS)
    rows[index] = row
    return rows


def test_zero_background_under_data_is_refused_naming_file_and_bin(tmp_path):
    path = spectrum_file(tmp_path, with_row(1, (10, 20, 4, 0)))
    refused(SpectrumError, lambda: read_spectrum_csv(path), str(path), "10-20 MeV")


@pytest.mark.parametrize(
    ("value", "needle"), [("-1", "negative"), ("nan", "not finite"), ("inf", "not finite")]
)
def test_negative_or_non_finite_background_names_file_and_column(tmp_path, value, needle):
    path = spectrum_file(tmp_path, with_row(1, (10, 20, 4, value)))
    refused(SpectrumError, lambda: read_spectrum_csv(path), str(path), "'background'", needle)


def test_empty_bin_is_allowed_with_poisson_and_constrains_the_signal(tmp_path):
    path = spectrum_file(tmp_path, with_row(1, (10, 20, 0, 0)))
    spectrum = read_spectrum_csv(path)
    result = statistic_for(spectrum, "paper").evaluate(spectrum, np.array([[0.0, 0.0, 0.0]]))
    assert np.all(np.isfinite(result.value))
    # Poisson chi^2 of the empty bin alone is 2 s: signal there is constrained
    with_signal = statistic_for(spectrum, "paper").evaluate(spectrum, np.array([[0.0, 5.0, 0.0]]))
    assert with_signal.value[0] - result.value[0] == pytest.approx(10.0, rel=1e-12)


def test_empty_bin_is_refused_with_the_covariance_statistic(tmp_path):
    meta = "# pot: 1e20\n# statistic: covariance\n# systematics: flux=0.1\n"
    path = spectrum_file(tmp_path, with_row(1, (10, 20, 0, 0)), meta)
    refused(SpectrumError, lambda: read_spectrum_csv(path), str(path), "10-20 MeV", "singular")


def test_zero_background_outside_the_window_is_harmless(tmp_path):
    meta = "# pot: 1e20\n# window_MeV: 10, 30\n"
    path = spectrum_file(tmp_path, with_row(0, (0, 10, 4, 0)), meta)
    assert read_spectrum_csv(path).in_window().n_bins == 2


@pytest.mark.parametrize(
    ("meta", "needle"),
    [
        ("# pot: 1e20\n# systematic: flux=0.5\n", "'systematic'"),  # a typo
        ("# pot: 1e20\n# pot: 2e20\n", "'pot'"),  # given twice
        ("# pot: -1e20\n", "'pot'"),
        ("# pot: nan\n", "'pot'"),
        ("# pot: 1e20\n# window_MeV: 100, 200\n", "'window_MeV'"),  # holds no bin
        ("# pot: 1e20\n# window_MeV: 30, 10\n", "'window_MeV'"),
        ("# pot: 1e20\n# statistic: bayes\n", "'statistic'"),
        ("# pot: 1e20\n# systematics: flux=0.1, flux=0.2\n", "'systematics'"),
        ("# pot: 1e20\n# systematics: flux=-0.1\n", "'systematics'"),
    ],
    ids=[
        "unknown-metadata",
        "duplicate-metadata",
        "negative-pot",
        "nan-pot",
        "empty-window",
        "reversed-window",
        "bad-statistic",
        "duplicate-systematic",
        "negative-systematic",
    ],
)
def test_bad_spectrum_metadata_names_file_and_field(tmp_path, meta, needle):
    path = spectrum_file(tmp_path, GOOD_ROWS, meta)
    refused(SpectrumError, lambda: read_spectrum_csv(path), str(path), needle)


def test_spectrum_column_given_twice_is_refused(tmp_path):
    # the last 'data' column would silently win
    path = write(tmp_path / "twice.csv", "# pot: 1e20\n" + HEADER.strip() + ",data\n0,10,1,1,9\n")
    refused(SpectrumError, lambda: read_spectrum_csv(path), str(path), "'data'", "more than once")


def test_spectrum_with_too_many_bins_is_refused(tmp_path):
    rows = [(i, i + 1, 1, 1) for i in range(MAX_SPECTRUM_BINS + 1)]
    path = spectrum_file(tmp_path, rows)
    refused(SpectrumError, lambda: read_spectrum_csv(path), str(path), str(MAX_SPECTRUM_BINS))


# --- 4. unbounded work ------------------------------------------------------------------------
def test_default_run_estimate_follows_the_measured_costs():
    run = RunConfig()
    cost = estimate_cost(run)
    grid = run.scan
    per_mass = SCAN_SECONDS_FIXED + SCAN_SECONDS_SCALED  # 50 000 scalars, 100 couplings
    assert cost.scan_seconds == pytest.approx(per_mass * grid.n_masses * len(run.experiments))
    assert cost.beam_seconds == pytest.approx(run.beam.pot * BEAM_SECONDS_PER_POT)
    assert cost.scan_cells == grid.n_masses * grid.n_couplings * len(run.experiments)
    assert cost.seconds < MAX_RUN_SECONDS
    assert check_cost(run) == cost


def test_huge_scan_is_refused_with_its_estimate(monkeypatch):
    monkeypatch.delenv(ALLOW_LONG_RUNS_ENV, raising=False)
    data = {"scan": {"n_masses": 2000, "n_couplings": 10_000}}
    message = refused(ConfigError, lambda: config_from_dict(data), "scan.n_masses", "days")
    assert "beam.pot" not in message
    allowed = config_from_dict({**data, "limits": {"allow_long_runs": True}})
    assert estimate_cost(allowed).seconds > MAX_RUN_SECONDS
    monkeypatch.setenv(ALLOW_LONG_RUNS_ENV, "1")
    assert config_from_dict(data).scan.n_masses == 2000


def test_long_run_file_is_read_with_the_flag_and_stays_allowed(monkeypatch, tmp_path):
    monkeypatch.delenv(ALLOW_LONG_RUNS_ENV, raising=False)
    path = write(tmp_path / "long.toml", "[scan]\nn_masses = 2000\nn_couplings = 10000\n")
    refused(ConfigError, lambda: load_config(path), "scan.n_masses")
    run = load_config(path, allow_long_runs=True)
    assert run.limits.allow_long_runs
    assert run.validate() is run  # as muphilic.reach validates it again


def test_huge_beam_is_refused_with_its_estimate(monkeypatch):
    monkeypatch.delenv(ALLOW_LONG_RUNS_ENV, raising=False)
    run = replace(RunConfig(), beam=BeamConfig(pot=10**13))  # as `muphilic beam --pot` makes it
    refused(ConfigError, lambda: check_cost(run, beam_only=True), "beam.pot", "years", "GB")
    # allowing long runs does not lift the range of beam.pot (1e10)
    refused(ConfigError, lambda: check_cost(run, beam_only=True, allow_long_runs=True), "<= 1e+10")


def test_disk_limit_of_the_beam_sample(monkeypatch):
    monkeypatch.delenv(ALLOW_LONG_RUNS_ENV, raising=False)
    monkeypatch.setattr(config_module, "BEAM_SECONDS_PER_POT", 0.0)  # only the disk counts
    pot = int(1.01 * MAX_BEAM_BYTES / BEAM_BYTES_PER_POT)
    run = replace(RunConfig(), beam=BeamConfig(pot=pot))
    refused(ConfigError, lambda: check_cost(run, beam_only=True), "beam.pot", "GB")
    smaller = replace(RunConfig(), beam=BeamConfig(pot=int(0.99 * pot)))
    assert check_cost(smaller, beam_only=True).beam_bytes < MAX_BEAM_BYTES


def test_beam_sample_file_costs_no_simulation():
    run = replace(RunConfig(), beam=BeamConfig(pot=10**9, sample="beam.h5"))
    cost = check_cost(run, beam_only=True)
    assert (cost.beam_seconds, cost.beam_bytes, cost.scan_cells) == (0.0, 0.0, 0)


def test_generator_beams_cost_their_time_per_event():
    """A facility simulated by a generator is costed by that generator, not the BNB fits."""
    numi = replace(RunConfig(), beam=BeamConfig(pot=200_000, facility="numi"))
    cost = estimate_cost(numi, beam_only=True)
    assert cost.beam_seconds == pytest.approx(200_000 * 1e-3)  # SIBYLL, docs/facilities.md
    urqmd = replace(RunConfig(), beam=BeamConfig(pot=200_000, production="urqmd"))
    assert estimate_cost(urqmd, beam_only=True).beam_seconds == pytest.approx(200_000 * 3e-3)


def test_limits_key_is_checked_and_not_in_the_digest():
    refused(ConfigError, lambda: config_from_dict({"limits": {"allow_long_runs": "yes"}}),
            "limits.allow_long_runs")  # fmt: skip
    refused(ConfigError, lambda: config_from_dict({"limits": {"allow": True}}), "limits.allow")
    allowed = config_from_dict({"limits": {"allow_long_runs": True}})
    assert allowed.digest() == RunConfig().digest()


def test_bytes_per_pot_matches_a_written_sample(tmp_path):
    # The disk estimate is the measured size of write_sample per POT; a small sample
    # carries more fixed overhead, so the tolerance is a factor 1.5.
    pot = 2000
    path = write_sample(simulate(pot, seed=3), tmp_path / "beam.h5")
    per_pot = path.stat().st_size / pot
    assert BEAM_BYTES_PER_POT / 1.5 < per_pot < BEAM_BYTES_PER_POT * 1.5


# --- 5. physically impossible detector fields ----------------------------------------------
def detector_file(tmp_path, replacements: dict[str, str], name="det.toml") -> Path:
    text = MICROBOONE_TOML
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    return write(tmp_path / name, text)


@pytest.mark.parametrize(
    ("replacements", "field"),
    [
        ({"resolution = 0.33": "resolution = 1e9"}, "resolution"),
        ({"resolution = 0.33": "resolution = 1.5"}, "resolution"),
        ({"efficiency = 0.06": "efficiency = 1.5"}, "efficiency"),
        ({"efficiency = 0.06": "efficiency = 0.0"}, "efficiency"),
        ({"pot = 5.89e20": "pot = 1e30"}, "pot"),
        ({"fiducial_mass_t = 78.71": "fiducial_mass_t = 0.0"}, "fiducial_mass_t"),
        ({"centre_m = [0.0, 0.0, 470.0]": "centre_m = [0.0, 0.0, 30.0]"}, "geometry.centre_m"),
        ({"centre_m = [0.0, 0.0, 470.0]": "centre_m = [0.0, 0.0, -100.0]"}, "geometry.centre_m"),
        # the centre is past the absorber face but the box reaches back into the pipe
        ({"centre_m = [0.0, 0.0, 470.0]": "centre_m = [0.0, 0.0, 53.0]"}, "geometry.centre_m"),
        ({"centre_m = [0.0, 0.0, 470.0]": "centre_m = " + "[" * 3000 + "]" * 3000}, "nested"),
    ],
    ids=[
        "resolution-1e9",
        "resolution-1.5",
        "efficiency-1.5",
        "efficiency-0",
        "pot-1e30",
        "zero-mass",
        "inside-decay-pipe",
        "upstream-of-target",
        "reaching-into-pipe",
        "deeply-nested",
    ],
)
def test_impossible_detector_file_names_file_and_field(tmp_path, replacements, field):
    path = detector_file(tmp_path, replacements)
    refused(DetectorConfigError, lambda: load_detector(path), str(path), field)


def test_huge_detector_file_is_refused(tmp_path):
    path = write(tmp_path / "huge.toml", MICROBOONE_TOML + "#" * MAX_TOML_BYTES)
    refused(DetectorConfigError, lambda: load_detector(path), str(path), "too large")


def test_detector_errors_name_the_whole_path(tmp_path):
    bad = {"resolution = 0.33": "resolution = 0.0"}
    path = detector_file(tmp_path, bad, "a/det.toml")
    refused(DetectorConfigError, lambda: load_detector(path), str(path), "resolution")


@pytest.mark.parametrize(("key", "value"), [("resolution", 1.5), ("efficiency", 1.01)])
def test_impossible_override_names_the_field(key, value):
    data = {"detectors": {"microboone": {key: value}}}
    refused(ConfigError, lambda: config_from_dict(data), f"detectors.microboone.{key}")


# --- 6. the scan grid, and every file a run reads --------------------------------------
@pytest.mark.parametrize(
    ("scan", "field"),
    [
        ({"mass_min_MeV": 50.0, "mass_max_MeV": 50.0}, "scan.mass_max_MeV"),
        ({"mass_min_MeV": 60.0, "mass_max_MeV": 50.0}, "scan.mass_max_MeV"),
        ({"mass_min_MeV": 300.0, "mass_max_MeV": 400.0}, "scan.mass_min_MeV"),
        ({"mass_min_MeV": 0.0}, "scan.mass_min_MeV"),
        ({"coupling_min": 1e-3, "coupling_max": 1e-3}, "scan.coupling_max"),
        ({"coupling_min": 1e-2, "coupling_max": 1e-3}, "scan.coupling_max"),
    ],
)
def test_empty_or_unphysical_scan_grid_names_the_field(scan, field):
    data = {"scan": scan, "emission": {"channels": ["kaon", "pion"]}}
    refused(ConfigError, lambda: config_from_dict(data), field)


def test_scan_upper_mass_is_below_two_muon_masses():
    refused(ConfigError, lambda: ScanConfig(mass_max_MeV=TWO_M_MU).validate(), "2 m_mu")


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("beam") / "beam.h5"
    return write_sample(simulate(300, seed=1), path)


def microboone_spectrum(tmp_path, pot="5.89e20", low=10) -> Path:
    rows = [(e, e + 10, 3, 2.5) for e in range(low, 120, 10)]
    return spectrum_file(tmp_path, rows, f"# pot: {pot}\n", "microboone.csv")


def config_file(tmp_path, text: str) -> Path:
    return write(tmp_path / "run.toml", "[emission]\nscalars_per_species = 100\n" + text)


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("[beam]\nsample = '{d}/none.h5'\n", ["beam.sample", "none.h5"]),
        ("[beam]\nsample = '{d}/run.toml'\n", ["beam.sample", "run.toml"]),  # not HDF5
        ("[experiments]\nnames = ['{d}/none.toml']\n", ["experiments.names", "none.toml"]),
        (
            "[experiments]\nnames = ['microboone']\n[spectra]\nmicroboone = '{d}/none.csv'\n",
            ["spectra.microboone", "none.csv"],
        ),
        (
            "[experiments]\nnames = ['microboone']\n[spectra]\nmicroboone = '{d}/other_pot.csv'\n",
            ["spectra.microboone", "POT"],
        ),
        (
            "[experiments]\nnames = ['microboone']\n[spectra]\nmicroboone = '{d}/shifted.csv'\n",
            ["spectra.microboone", "bins"],
        ),
        ("[experiments]\nnames = ['{d}/massless.toml']\n", ["experiments.names", "fiducial_mass"]),
        ("[experiments]\nnames = ['{d}/det.toml']\n", ["experiments.names", "geometry.centre_m"]),
    ],
    ids=[
        "missing-sample",
        "sample-not-hdf5",
        "missing-detector-file",
        "missing-spectrum",
        "spectrum-other-pot",
        "spectrum-other-bins",
        "no-fiducial-mass",
        "detector-in-pipe",
    ],
)
def test_config_check_reads_every_file_a_run_reads(capsys, tmp_path, text, needles):
    other = microboone_spectrum(tmp_path / "o", pot="1e20")
    other.rename(tmp_path / "other_pot.csv")
    microboone_spectrum(tmp_path / "s", low=15).rename(tmp_path / "shifted.csv")
    detector_file(
        tmp_path, {"fiducial_mass_t = 78.71\n": "", "density_g_cm3 = 1.3954\n": ""}, "massless.toml"
    )
    detector_file(tmp_path, {"[0.0, 0.0, 470.0]": "[0.0, 0.0, 20.0]"}, "det.toml")
    path = config_file(tmp_path, text.format(d=tmp_path))
    assert_one_line_error(capsys, ["config", "--check", str(path)], *needles)


def test_config_check_accepts_a_good_run_and_prints_its_cost(capsys, tmp_path, sample_path):
    spectrum = microboone_spectrum(tmp_path)
    path = config_file(
        tmp_path,
        f"[beam]\nsample = '{sample_path}'\n[experiments]\nnames = ['microboone']\n"
        f"[spectra]\nmicroboone = '{spectrum}'\n",
    )
    check_inputs(load_config(path))
    code, out, err = run_cli(capsys, "config", "--check", str(path))
    assert (code, err) == (0, "")
    assert "valid (sha256" in out and "of computing" in out


# --- 8. experiments that would write the same contour file ---------------------------------
@pytest.mark.parametrize(
    "names",
    [["a/det.toml", "b/det.toml"], ["sbnd", "sbnd"], ["miniboone", "x/miniboone.toml"]],
)
def test_experiments_writing_the_same_contour_file_are_refused(names):
    data = {"experiments": {"names": names}}
    refused(ConfigError, lambda: config_from_dict(data), "experiments.names", *set(names))


# --- other silent misreadings ----------------------------------------------------------------
def test_unknown_projection_name_is_refused():
    data = {"statistics": {"projections": ["sbdn"]}}
    refused(ConfigError, lambda: config_from_dict(data), "statistics.projections", "sbdn")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"g2": {"scenari": "2025"}}, "g2.scenari"),
        ({"experiments": {"name": []}}, "experiments.name"),
    ],
)
def test_unknown_key_in_small_tables_is_named(data, field):
    refused(ConfigError, lambda: config_from_dict(data), field)
