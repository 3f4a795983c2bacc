"""Every subcommand turns bad input into exit status 2 and one line on stderr.

No traceback, no partial output: ``muphilic: error: <what is wrong>``. Inputs
that need a beam use a tiny sample file so that nothing is simulated.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from muphilic.beamline import simulate, write_sample
from muphilic.cli import main


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def assert_one_line_error(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 2, (code, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("muphilic: error:")
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MUPHILIC_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cli")
    sample = d / "beam.h5"
    write_sample(simulate(300, 1), sample)
    truncated = d / "truncated.h5"
    truncated.write_bytes(sample.read_bytes()[:2000])
    out = {"sample": sample, "truncated": truncated, "dir": d}
    texts = {
        "not_toml": "seed = [\n",
        "bad_value": "[scan]\nn_masses = 1\n",
        "unknown_key": "[beam]\npots = 5\n",
        "negative_pot": "[beam]\npot = -5\n",
        "unknown_experiment": f"[beam]\nsample = '{sample}'\n[experiments]\nnames = ['nodet']\n",
        "missing_sample": f"[beam]\nsample = '{d / 'none.h5'}'\n",
        "truncated_sample": f"[beam]\nsample = '{truncated}'\n",
        "bad_override": (
            f"[beam]\nsample = '{sample}'\n[experiments]\nnames = ['microboone']\n"
            "[detectors.microboone]\nefficiency = 2.0\n"
        ),
        "missing_spectrum": (
            f"[beam]\nsample = '{sample}'\n[emission]\nscalars_per_species = 100\n"
            f"[experiments]\nnames = ['microboone']\n[spectra]\nmicroboone = '{d / 'none.csv'}'\n"
        ),
        "bad_detector": "name = 'x'\n",
    }
    for name, text in texts.items():
        path = d / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        out[name] = path
    out["not_utf8"] = d / "not_utf8.toml"
    out["not_utf8"].write_bytes(b"\xff\xfe seed = 1\n")
    return out


# --- scalar and xsec: the model's range ---------------------------------------------
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["scalar", "--mass", "212"], "--mass"),  # above 2 m_mu
        (["scalar", "--mass", "inf"], "--mass"),
        (["scalar", "--coupling", "inf"], "--coupling"),
        (["xsec", "--mass", "300", "--energy", "1"], "--mass"),
        (["xsec", "--mass", "20", "--energy", "-1"], "--energy"),
        (["xsec", "--mass", "20", "--energy", "nan"], "--energy"),
        (["xsec", "--mass", "20", "--energy", "0.05"], "--energy"),  # below m_mu
        (["xsec", "--mass", "20", "--energy", "1e9"], "--energy"),  # was a silent NaN
        (["xsec", "--mass", "20", "--energy", "1", "--target", "Xx"], "--target"),
        (["xsec", "--mass", "20"], "--energy"),  # required option missing
    ],
)
def test_scalar_and_xsec_bad_input(capsys, args, needle):
    assert_one_line_error(*run_cli(capsys, *args), needle)


# --- beam ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["beam", "--pot", "-5"], "--pot"),
        (["beam", "--pot", "0"], "--pot"),
        (["beam", "--pot", "abc"], "--pot"),
        (["beam", "--seed", "-1"], "--seed"),
    ],
)
def test_beam_bad_options(capsys, args, needle):
    assert_one_line_error(*run_cli(capsys, *args), needle)


@pytest.mark.parametrize("key", ["truncated", "not_toml", "bad_detector"])
def test_beam_bad_sample_file(capsys, files, key):
    # a truncated HDF5 file, and files that are not HDF5 at all
    assert_one_line_error(*run_cli(capsys, "beam", "--sample", str(files[key])), str(files[key]))


def test_beam_missing_sample_file(capsys, files):
    missing = files["dir"] / "none.h5"
    assert_one_line_error(*run_cli(capsys, "beam", "--sample", str(missing)), str(missing))


@pytest.mark.parametrize("key", ["not_toml", "bad_value", "unknown_key", "negative_pot"])
def test_beam_invalid_config(capsys, files, key):
    assert_one_line_error(*run_cli(capsys, "beam", "--config", str(files[key])))


def test_beam_config_names_field(capsys, files):
    code, out, err = run_cli(capsys, "beam", "--config", str(files["negative_pot"]))
    assert_one_line_error(code, out, err, "beam.pot")


def test_beam_good_sample_json(capsys, files):
    code, out, _ = run_cli(capsys, "beam", "--sample", str(files["sample"]), "--json")
    assert code == 0
    assert '"pot": 300' in out


def test_beam_human_output(capsys, files):
    code, out, _ = run_cli(capsys, "beam", "--sample", str(files["sample"]))
    assert code == 0
    assert "nu_mu flux" in out


@pytest.mark.parametrize("option", ["--output", "--plot"])
def test_beam_unwritable_output(capsys, files, option):
    target = files["dir"] / "no-such-folder" / "x.h5"
    args = ("beam", "--sample", str(files["sample"]), option, str(target), "--json")
    assert_one_line_error(*run_cli(capsys, *args))


# --- spectrum -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["spectrum", "--detector", "nodet"], "--detector"),
        (["spectrum", "--mass", "300"], "--mass"),
        (["spectrum", "--mass", "0"], "--mass"),
        (["spectrum", "--coupling", "-1"], "--coupling"),
    ],
)
def test_spectrum_bad_options(capsys, args, needle):
    assert_one_line_error(*run_cli(capsys, *args), needle)


def test_spectrum_invalid_detector_file(capsys, files):
    args = ("spectrum", "--detector", str(files["bad_detector"]))
    assert_one_line_error(*run_cli(capsys, *args), "--detector", "geometry")


@pytest.mark.parametrize(
    ("key", "needle"),
    [
        ("missing_sample", "none.h5"),
        ("truncated_sample", "truncated.h5"),
        ("not_toml", "not valid TOML"),
        ("bad_override", "efficiency"),
        ("missing_spectrum", "none.csv"),
    ],
)
def test_spectrum_bad_config(capsys, files, key, needle):
    args = ("spectrum", "--detector", "microboone", "--config", str(files[key]))
    assert_one_line_error(*run_cli(capsys, *args), needle)


# --- reach --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["reach", "--cl", "-1"], "--cl"),
        (["reach", "--cl", "nan"], "--cl"),
        (["reach", "--workers", "0"], "--workers"),
        (["reach", "--g2", "2020"], "--g2"),
        (["reach", "--statistic", "foo"], "--statistic"),
    ],
)
def test_reach_bad_options(capsys, args, needle):
    assert_one_line_error(*run_cli(capsys, *args), needle)


@pytest.mark.parametrize(
    ("key", "needle"),
    [
        ("not_toml", "not valid TOML"),
        ("bad_value", "scan.n_masses"),
        ("unknown_key", "beam.pots"),
        ("negative_pot", "beam.pot"),
        ("unknown_experiment", "nodet"),
        ("missing_sample", "none.h5"),
        ("truncated_sample", "truncated.h5"),
    ],
)
def test_reach_bad_config(capsys, files, key, needle, tmp_path):
    args = ("reach", "--config", str(files[key]), "--out", str(tmp_path / "out"))
    assert_one_line_error(*run_cli(capsys, *args), needle)


def test_reach_unreadable_config(capsys, files, tmp_path):
    missing = files["dir"] / "none.toml"
    args = ("reach", "--config", str(missing), "--out", str(tmp_path / "out"))
    assert_one_line_error(*run_cli(capsys, *args), "none.toml")


@pytest.mark.parametrize("command", ["reach", "beam", "spectrum"])
def test_non_utf8_config(capsys, files, command):
    assert_one_line_error(*run_cli(capsys, command, "--config", str(files["not_utf8"])))


# --- config and cache ---------------------------------------------------------------
@pytest.mark.parametrize("key", ["not_toml", "bad_value", "unknown_key", "negative_pot"])
def test_config_check_invalid(capsys, files, key):
    assert_one_line_error(*run_cli(capsys, "config", "--check", str(files[key])))


def test_config_check_unreadable(capsys, files):
    assert_one_line_error(*run_cli(capsys, "config", "--check", str(files["dir"])))
    missing = str(files["dir"] / "none.toml")
    assert_one_line_error(*run_cli(capsys, "config", "--check", missing), "none.toml")


def test_config_check_not_utf8(capsys, files):
    assert_one_line_error(*run_cli(capsys, "config", "--check", str(files["not_utf8"])))


@pytest.mark.parametrize(
    "args", [["cache", "--bogus"], ["config", "--show"], ["nosuchcommand"], ["scalar", "--mass"]]
)
def test_usage_errors(capsys, args):
    assert_one_line_error(*run_cli(capsys, *args))


def test_cache_list_and_clear_on_empty_cache(capsys):
    code, out, _ = run_cli(capsys, "cache", "--list")
    assert code == 0 and "0 entries" in out
    code, out, _ = run_cli(capsys, "cache", "--clear")
    assert code == 0 and "nothing removed" in out


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[beam]\npi_plus_table = "nope.csv"\n', "does not exist"),
        ('[beam]\nfacility = "numi"\npi_plus_table = "sanford-wang-knots"\n', "runs 'sibyll'"),
    ],
)
def test_pi_plus_table_errors_name_the_field(capsys, tmp_path, text, words):
    config = tmp_path / "run.toml"
    config.write_text(text)
    code, out, err = run_cli(capsys, "beam", "--config", str(config), "--json")
    assert_one_line_error(code, out, err, "beam.pi_plus_table", words)
