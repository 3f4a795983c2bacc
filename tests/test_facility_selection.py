"""Choosing the facility and the production backend: [beam] keys, beam options, the
facilities command, and the facility recorded in every beam output."""

from __future__ import annotations

import json
import re
import tomllib

import h5py
import pytest
import tomli_w

from muphilic.beamline import read_sample
from muphilic.cli import main
from muphilic.config import ConfigError, RunConfig, config_from_dict
from muphilic.data import data_file

#: Keys of ``muphilic beam --json`` before facility files (all kept).
OLD_KEYS = {"pot", "produced_per_pot", "decays_per_pot", "muons_per_pot", "numu_flux"}


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def user_facility(tmp_path, current_kA: float = 200.0):
    data = tomllib.loads(data_file("facilities", "bnb.toml").read_text())
    data["name"] = "BNB at 200 kA"
    data["horns"][0]["current_kA"] = current_kA
    path = tmp_path / "bnb200.toml"
    path.write_text(tomli_w.dumps(data))
    return path


# --- [beam] facility and production ------------------------------------------------------
def test_beam_config_defaults_and_round_trip():
    beam = RunConfig().beam
    assert (beam.facility, beam.production) == ("bnb", "")
    parsed = config_from_dict({"beam": {"facility": "BNB", "production": "urqmd"}})
    assert (parsed.beam.facility, parsed.beam.production) == ("BNB", "urqmd")
    assert "facility" in RunConfig().to_toml()


@pytest.mark.parametrize(
    ("beam", "named", "says"),
    [
        ({"facility": "tevatron"}, "beam.facility", "unknown facility 'tevatron'"),
        ({"facility": ""}, "beam.facility", "packaged facility name"),
        ({"facility": 3}, "beam.facility", "packaged facility name"),
        ({"production": "epos"}, "beam.production", "offline"),
        ({"production": "geant4"}, "beam.production", "unknown production"),
        ({"production": 1}, "beam.production", "backend name"),
    ],
)
def test_bad_beam_keys_are_named(beam, named, says):
    with pytest.raises(ConfigError, match=f"{named}: .*{says}"):
        config_from_dict({"beam": beam})


# --- the beam command ---------------------------------------------------------------------
def test_facilities_command_lists_the_packaged_ones(capsys):
    code, out, _ = run_cli(capsys, "facilities", "--json")
    assert code == 0
    rows = {row["name"]: row for row in json.loads(out)["facilities"]}
    assert rows["bnb"]["proton_kinetic_energy_GeV"] == 8.0
    assert rows["bnb"]["production"] == "bnb-fits"
    code, out, _ = run_cli(capsys, "facilities")
    assert code == 0 and "bnb" in out


def test_beam_json_names_the_facility_and_keeps_its_keys(capsys, tmp_path):
    output = tmp_path / "bnb.h5"
    code, out, _ = run_cli(
        capsys, "beam", "--facility", "bnb", "--pot", "300", "--json", "--output", str(output)
    )
    assert code == 0
    summary = json.loads(out)
    assert set(summary) >= OLD_KEYS
    assert summary["facility"] == "BNB"
    assert summary["production"].startswith("bnb-fits")
    with h5py.File(output) as f:
        assert f.attrs["facility"] == "BNB"
    assert read_sample(output).facility == "BNB"


def test_beam_with_a_facility_file_uses_it(capsys, tmp_path):
    path = user_facility(tmp_path)
    code, out, _ = run_cli(capsys, "beam", "--facility", str(path), "--pot", "300", "--json")
    assert code == 0
    mine = json.loads(out)
    code, out, _ = run_cli(capsys, "beam", "--pot", "300", "--json")
    bnb = json.loads(out)
    assert mine["facility"] == "BNB at 200 kA" and bnb["facility"] == "BNB"
    # same production, different focusing: the decays (after the horn) differ, not the yields
    assert mine["produced_per_pot"] == bnb["produced_per_pot"]
    assert mine["decays_per_pot"]["pi+"] != bnb["decays_per_pot"]["pi+"]


def test_config_file_selects_facility_and_production(capsys, tmp_path):
    path = user_facility(tmp_path)
    run = tmp_path / "run.toml"
    run.write_text(f"[beam]\npot = 300\nfacility = '{path}'\nproduction = 'bnb-fits'\n")
    code, out, _ = run_cli(capsys, "beam", "--config", str(run), "--json")
    assert code == 0
    assert json.loads(out)["facility"] == "BNB at 200 kA"


@pytest.mark.parametrize(
    ("args", "option", "says"),
    [
        (["--facility", "tevatron"], "--facility", "unknown facility"),
        (["--facility", "missing.toml"], "--facility", "no facility file"),
        (["--production", "qgsjet"], "--production", "offline"),
        (["--production", "fluka"], "--production", "unknown production"),
        (["--production", "sibyll", "--pot", "10"], "", "sqrt\\(s_NN\\) >= 10 GeV"),
    ],
)
def test_bad_beam_options_exit_2_with_one_line(capsys, args, option, says):
    code, _, err = run_cli(capsys, "beam", *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"muphilic: error: {option}")
    assert re.search(says, lines[0])


def test_a_sample_fixes_the_beamline(capsys, tmp_path):
    output = tmp_path / "s.h5"
    assert run_cli(capsys, "beam", "--pot", "200", "--output", str(output), "--json")[0] == 0
    code, _, err = run_cli(capsys, "beam", "--sample", str(output), "--facility", "bnb")
    assert code == 2 and "--facility" in err and "fixes" in err
