"""The tenant-trust command line, end to end on small estates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from experiments.cli import main
from experiments.compare import COLUMNS, OUTCOMES
from experiments.runner import spawn_seeds
from model import PARAMETERS, builtin_names, params, shock_names

SUMMARY_KEYS = {
    "trust_mean",
    "trust_digitally_excluded",
    "trust_digitally_included",
    "trust_underrepresented",
    "participation_rate",
    "active_share",
    "representation_ratio",
    "efficacy_mean",
    "repair_wait_weeks_mean",
    "cost_per_home",
    "tsm_tp01",
    "tsm_tp06",
    "tsm_tp07",
    "tsm_tp08",
    "satisfaction_true",
}
PNG = b"\x89PNG\r\n\x1a\n"


def test_params_json_lists_every_declared_parameter(capsys):
    assert main(["params", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert isinstance(rows, list)
    assert [row["name"] for row in rows] == [p.name for p in PARAMETERS]
    for row, parameter in zip(rows, PARAMETERS, strict=True):
        assert {"name", "default", "low", "high", "unit", "description", "source"} <= set(row)
        assert (row["default"], row["low"], row["high"]) == (parameter.default, parameter.low, parameter.high)
        assert (row["unit"], row["description"], row["source"]) == (
            parameter.unit,
            parameter.description,
            parameter.source,
        )


def test_params_text_lists_every_parameter(capsys):
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    for parameter in PARAMETERS:
        assert parameter.name in out


def test_scenarios_lists_every_builtin_and_shock(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for name in builtin_names() + shock_names():
        assert name in out
    assert "digital_first=1" in out  # digital_only's difference from the defaults


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "run"
    status = main(["run", "baseline", "--homes", "200", "--weeks", "60", "--seed", "3", "--out", str(out)])
    assert status == 0
    return out


def test_run_writes_summary_weekly_and_plot(run_dir):
    assert {p.name for p in run_dir.iterdir()} == {"summary.json", "weekly.csv", "run.png"}
    record = json.loads((run_dir / "summary.json").read_text())
    assert set(record["summary"]) >= SUMMARY_KEYS
    assert record["seed"] == 3
    assert record["weeks"] == 60
    assert record["summary"]["homes"] == 200
    assert record["scenario"]["name"] == "baseline"
    assert {"mesa", "numpy", "tenant-trust"} <= set(record["versions"])
    assert all(record["versions"][k] for k in ("mesa", "numpy"))
    weekly = pd.read_csv(run_dir / "weekly.csv")
    assert len(weekly) == 61
    assert weekly["week"].tolist() == list(range(61))
    assert weekly["trust_mean"].iloc[-1] == pytest.approx(record["summary"]["trust_mean"])
    assert (run_dir / "run.png").read_bytes()[:8] == PNG


def test_run_with_set_records_the_value(tmp_path):
    out = tmp_path / "run"
    argv = ["run", "baseline", "--homes", "100", "--weeks", "5", "--set", "estate_presence=0.5", "--out", str(out)]
    assert main(argv) == 0
    record = json.loads((out / "summary.json").read_text())
    assert record["scenario"]["params"]["estate_presence"] == 0.5
    assert record["scenario"]["params"]["homes"] == 100


def test_run_a_scenario_file_by_path(tmp_path, write_toml):
    path = write_toml("[parameters]\nladder_rung = 6\n", name="mine.toml")
    out = tmp_path / "mine"
    assert main(["run", str(path), "--homes", "100", "--weeks", "3", "--out", str(out)]) == 0
    assert json.loads((out / "summary.json").read_text())["scenario"]["params"]["ladder_rung"] == 6


BAD_SETS = {
    "unknown name": (["--set", "estate_presense=0.5"], ["estate_presense"]),
    "out of range": (["--set", "estate_presence=5"], ["estate_presence", "5", params.get("estate_presence").allowed()]),
    "not a number": (["--set", "estate_presence=lots"], ["estate_presence", "lots"]),
    "not whole": (["--set", "patch_size=250.5"], ["patch_size", "250.5"]),
    "no equals sign": (["--set", "estate_presence"], ["estate_presence", "NAME=VALUE"]),
    "estate too small": (["--homes", "10"], ["homes", "10"]),
}


@pytest.mark.parametrize("existing", [False, True], ids=["new-out", "existing-out"])
@pytest.mark.parametrize(("extra", "expected"), BAD_SETS.values(), ids=BAD_SETS.keys())
def test_run_with_bad_value_exits_2_and_writes_nothing(tmp_path, capsys, extra, expected, existing):
    out = tmp_path / "out"
    if existing:
        out.mkdir()
        (out / "keep.txt").write_text("old")
    status = main(["run", "baseline", "--weeks", "3", *extra, "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("tenant-trust: error:")
    for fragment in expected:
        assert fragment in err, f"{fragment!r} missing from: {err}"
    if existing:
        assert [p.name for p in out.iterdir()] == ["keep.txt"]
        assert (out / "keep.txt").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == (["out"] if existing else [])


def test_unknown_set_name_error_names_the_value(tmp_path, capsys):
    status = main(["run", "baseline", "--weeks", "3", "--set", "estate_presense=0.123", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert status == 2
    assert "0.123" in err


def test_unknown_scenario_exits_2(tmp_path, capsys):
    assert main(["run", "utopia", "--out", str(tmp_path / "o")]) == 2
    assert "'utopia'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_compare_needs_two_replications(tmp_path, capsys):
    assert main(["compare", "baseline", "--replications", "1", "--out", str(tmp_path / "c")]) == 2
    assert "--replications 1" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "compare"
    argv = ["compare", "baseline", "digital_only", "--replications", "2", "--homes", "150", "--weeks", "60"]
    status = main([*argv, "--workers", "1", "--seed", "8", "--quiet", "--out", str(out)])
    assert status == 0
    return out


def test_compare_writes_table_reports_plots_and_manifest(compare_dir):
    names = {p.name for p in compare_dir.iterdir()}
    assert {
        "comparison.csv",
        "report.md",
        "report.html",
        "trajectories.png",
        "trust_by_group.png",
        "manifest.json",
    } <= names
    for plot in ("trajectories.png", "trust_by_group.png"):
        assert (compare_dir / plot).read_bytes()[:8] == PNG
    assert "baseline" in (compare_dir / "report.md").read_text()
    assert (compare_dir / "report.html").read_text().lstrip().lower().startswith("<!doctype html>")
    manifest = json.loads((compare_dir / "manifest.json").read_text())
    assert manifest["seeds"] == spawn_seeds(8, 2)
    assert (manifest["homes"], manifest["weeks"], manifest["replications"]) == (150, 60, 2)
    assert [s["name"] for s in manifest["scenarios"]] == ["baseline", "digital_only"]


def test_compare_table_columns_and_zero_baseline_differences(compare_dir):
    table = pd.read_csv(compare_dir / "comparison.csv")
    assert list(table.columns) == list(COLUMNS)
    assert list(dict.fromkeys(table["scenario"])) == ["baseline", "digital_only"]
    assert set(table["outcome"]) == set(OUTCOMES)
    base = table[table["scenario"] == "baseline"].dropna(subset=["mean"])
    assert len(base) >= len(OUTCOMES) - 2
    assert (base[["diff_vs_baseline", "diff_ci_low", "diff_ci_high"]] == 0).all().all()
    other = table[table["scenario"] == "digital_only"].set_index("outcome")
    assert other.loc["trust_mean", "diff_vs_baseline"] != 0
    assert (other["ci_low"] <= other["mean"] + 1e-12).all() and (other["mean"] <= other["ci_high"] + 1e-12).all()


def test_installed_console_script_runs():
    script = Path(sys.executable).with_name("tenant-trust")
    assert script.exists(), f"console script missing: {script}"
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0
    for command in ("scenarios", "params", "run", "compare"):
        assert command in done.stdout


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["fly"])
    assert exit_info.value.code == 2
    assert "fly" in capsys.readouterr().err


def test_sensitivity_with_one_replication_says_seed_noise_is_not_estimated(tmp_path, capsys):
    experiment = tmp_path / "tiny.toml"
    experiment.write_text(
        'name = "tiny"\nscenario = "baseline"\nhomes = 60\nweeks = 12\nreplications = 1\nseed = 5\n'
        'outcomes = ["trust_mean"]\n[design]\nmethod = "morris"\nsamples = 2\nlevels = 4\n'
        "[parameters]\nnegativity_bias = [1.0, 10.0]\ntalk_rate = [0.0, 0.5]\n",
        encoding="utf-8",
    )
    main(["sensitivity", str(experiment), "--out", str(tmp_path / "out"), "--workers", "1"])
    printed = capsys.readouterr().out
    assert "seed noise in trust_mean (baseline): not estimated (it needs two or more replications)" in printed
    assert "nan" not in printed


def test_sensitivity_refuses_an_outcome_undefined_in_some_runs_and_exits_3(tmp_path, capsys):
    experiment = tmp_path / "tinyrep.toml"
    experiment.write_text(
        'name = "tinyrep"\nscenario = "baseline"\nhomes = 60\nweeks = 4\nreplications = 1\nseed = 5\n'
        'outcomes = ["trust_mean", "representation_ratio"]\n[design]\nmethod = "sobol"\nsamples = 2\n'
        '[parameters]\nparticipation_threshold_mean = "declared"\nnegativity_bias = [1.0, 10.0]\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["sensitivity", str(experiment), "--out", str(out), "--workers", "1", "--quiet"]) == 3
    captured = capsys.readouterr()
    assert "trust_mean (baseline): indices rest on 8 design points" in captured.out
    assert "representation_ratio is undefined in 1 of 8 design points because nobody took part" in captured.err
    assert "retry" not in captured.err and "nan" not in captured.out
    indices = pd.read_csv(out / "indices.csv")
    assert set(indices["outcome"]) == {"trust_mean"} and indices["value"].notna().all()
    assert pd.read_csv(out / "refused.csv")["outcome"].tolist() == ["representation_ratio"]


def test_robustness_prints_wins_ties_losses_and_warns_about_dropped_futures(tmp_path, capsys):
    experiment = tmp_path / "tinyrob.toml"
    experiment.write_text(
        'name = "tinyrob"\nscenarios = ["baseline", "power_sharing"]\nhomes = 60\nweeks = 4\nreplications = 1\n'
        'seed = 5\noutcomes = ["trust_mean", "representation_ratio"]\n[design]\nmethod = "lhs"\nsamples = 6\n'
        '[parameters]\nparticipation_threshold_mean = "declared"\n[robustness]\ntie_tolerance = 0.001\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["robustness", str(experiment), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "representation_ratio is judged on 4 of 6 futures; dropped: 2 because it is undefined" in captured.err
    assert "over 6 of 6 futures (ties: differences below 0.001)" in captured.out
    assert "power_sharing: wins 33% [10%, 70%], ties 33% [10%, 70%], losses 33% [10%, 70%]" in captured.out
    table = pd.read_csv(out / "robustness.csv").set_index(["strategy", "outcome"])
    row = table.loc[("power_sharing", "representation_ratio")]
    assert (row["n_samples"], row["n_futures"], row["n_undefined"], row["tie_tolerance"]) == (4, 6, 2, 0.001)
    assert row["wins"] + row["ties"] + row["losses"] == pytest.approx(1.0)
