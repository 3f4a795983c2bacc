"""Run configuration: defaults, TOML round trip, and errors that name the field."""

from __future__ import annotations

import tomllib

import pytest

from muphilic.config import ConfigError, RunConfig, config_from_dict, load_config


def test_defaults_round_trip_through_toml():
    config = RunConfig().validate()
    again = config_from_dict(tomllib.loads(config.to_toml()))
    assert again == config
    assert again.digest() == config.digest()


def test_digest_changes_with_content():
    assert RunConfig(seed=1).digest() != RunConfig(seed=2).digest()


def test_overrides_round_trip():
    config = RunConfig(detector_overrides={"sbnd": {"pot": 2e21, "efficiency": 0.1}})
    assert config_from_dict(tomllib.loads(config.to_toml())) == config


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"scan": {"n_masses": 1}}, "scan.n_masses"),
        ({"scan": {"n_mass": 3}}, "scan.n_mass"),
        ({"scan": {"mass_max_MeV": 250.0}}, "scan.mass_max_MeV"),
        ({"scan": {"coupling_min": -1.0}}, "scan.coupling_min"),
        ({"unknown": 1}, "unknown"),
        ({"statistics": {"method": "bayes"}}, "statistics.method"),
        ({"statistics": {"cl_sigma": "five"}}, "statistics.cl_sigma"),
        ({"emission": {"channels": ["kaon", "tau"]}}, "emission.channels"),
        ({"emission": {"energy_loss": "landau"}}, "emission.energy_loss"),
        ({"emission": {"scalars_per_channel": 100}}, "emission.scalars_per_channel"),
        ({"beam": {"pot": -5}}, "beam.pot"),
        ({"beam": {"pot": 1.5}}, "beam.pot"),
        ({"g2": {"scenario": "2019"}}, "g2.scenario"),
        ({"seed": True}, "seed"),
    ],
)
def test_bad_values_name_the_field(data, field):
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        config_from_dict(data)


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[scan\nn_masses = 3\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken)
    good = tmp_path / "good.toml"
    good.write_text("seed = 7\n[scan]\nn_masses = 5\n")
    config = load_config(good)
    assert config.seed == 7
    assert config.scan.n_masses == 5


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"detectors": {"microboone": {"efficency": 0.1}}}, "detectors.microboone.efficency"),
        ({"detectors": {"microboone": {"efficiency": 1.3}}}, "detectors.microboone.efficiency"),
        ({"detectors": {"icarus": {"pot": 1e20}}}, "detectors.icarus"),
        ({"spectra": {"icarus": "x.csv"}}, "spectra.icarus"),
        ({"statistics": {"miniboone_systematics": {"flux": -0.1}}}, "miniboone_systematics.flux"),
        ({"statistics": {"projections": "sbnd"}}, "statistics.projections"),
    ],
)
def test_detector_overrides_and_statistics_are_checked_when_read(data, field):
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        config_from_dict(data)


def test_systematics_and_projections_round_trip():
    data = {
        "statistics": {
            "projections": ["sbnd"],
            "miniboone_systematics": {"flux": 0.2, "cross_section": 0.0, "detector": 0.05},
        }
    }
    config = config_from_dict(data)
    assert config.statistics.projections == ("sbnd",)
    assert config_from_dict(tomllib.loads(config.to_toml())) == config


def test_muon_channel_needs_masses_inside_its_table():
    with pytest.raises(ConfigError, match=r"scan\.mass_min_MeV"):
        config_from_dict({"scan": {"mass_min_MeV": 0.5}})
    config = config_from_dict(
        {"scan": {"mass_min_MeV": 0.5}, "emission": {"channels": ["kaon", "pion"]}}
    )
    assert config.scan.mass_min_MeV == 0.5


def test_unknown_experiment_is_named():
    with pytest.raises(ConfigError, match="minibone"):
        config_from_dict({"experiments": {"names": ["minibone"]}})


def test_every_detector_override_key_is_accepted():
    from muphilic.config import OVERRIDABLE
    from muphilic.detectors.definitions import OVERRIDE_KEYS

    assert set(OVERRIDABLE) == set(OVERRIDE_KEYS)
    run = config_from_dict(
        {
            "detectors": {
                "miniboone": {"track_mass_applies_to": "true"},
                "microboone": {"window_MeV": [0, 120], "background_mass_t": 80.0},
            }
        }
    ).validate()
    assert run.detector_overrides["miniboone"] == {"track_mass_applies_to": "true"}
    with pytest.raises(ConfigError, match=r"detectors\.microboone\.window_MeV"):
        config_from_dict({"detectors": {"microboone": {"window_MeV": [20, 10]}}}).validate()
    with pytest.raises(ConfigError, match=r"detectors\.miniboone\.track_mass_applies_to"):
        config_from_dict({"detectors": {"miniboone": {"track_mass_applies_to": "x"}}}).validate()
