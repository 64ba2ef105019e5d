"""What a user installs: a wheel built from this checkout, installed and used away from it.

The wheel is built from a copy of the checkout (so no ``build/`` left from an
earlier build can slip stale files in, and nothing is written into the
checkout), installed with ``--no-deps`` into a fresh virtual environment, and
used from an empty folder. The environment sees the third-party dependencies
through a ``.pth`` line naming this interpreter's site-packages; that adds the
folder to ``sys.path`` without running the ``.pth`` files inside it, so an
editable install of the project there (``make setup``) cannot stand in for
what the wheel lacks. ``PYTHONPATH`` is dropped, and Python runs with ``-I``.

The built-in strategies, shock layers, experiments, patterns and the committed
calibration must then come from the installed packages, and match the
repository's files one for one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path
from site import getsitepackages

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Left out of the copy the wheel is built from: not sources, or an earlier build's leftovers.
NOT_SOURCES = (".git", ".venv", "build", "dist", "*.egg-info", "results", "__pycache__", ".*_cache", ".hypothesis")
#: Seconds any one step may take (building, installing, a short run with the compiler's first use).
TIMEOUT = 300


def _stems(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.toml"))


#: What the repository ships, by kind.
SHIPPED = {
    "scenarios": _stems(ROOT / "scenarios"),
    "shocks": _stems(ROOT / "scenarios" / "shocks"),
    "experiments": _stems(ROOT / "experiments"),
    "patterns": _stems(ROOT / "experiments" / "patterns"),
}


def _setuptools_here() -> bool:
    """True if this environment has the build backend (setuptools 77 or later) to build without isolation."""
    try:
        return int(metadata.version("setuptools").split(".")[0]) >= 77
    except metadata.PackageNotFoundError:
        return False


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, f"{' '.join(argv)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    """Build the wheel, install it into a fresh environment; its paths and a clean environment to run it in."""
    tmp = tmp_path_factory.mktemp("wheel")
    source, wheels, venv, work = tmp / "source", tmp / "wheels", tmp / "venv", tmp / "work"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCES))
    # With the dev environment's setuptools nothing is downloaded; without it pip fetches [build-system]'s.
    isolation = ["--no-build-isolation", "--no-index"] if _setuptools_here() else []
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-q", "-w", str(wheels), "."], source)
    (wheel,) = wheels.glob("tenant_trust-*.whl")

    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp)
    python = venv / "bin" / "python"
    site = Path(
        _run([str(python), "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp).stdout.strip()
    )
    (site / "dependencies.pth").write_text("".join(f"{path}\n" for path in getsitepackages()), encoding="utf-8")
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        tmp,
    )

    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")} | {"MPLBACKEND": "Agg"}
    return {"python": python, "site": site, "bin": venv / "bin", "work": work, "wheel": wheel, "env": env}


def _files(site: Path) -> set[Path]:
    """The installed files, less the caches Python and the compiler write beside the sources."""
    return {p.relative_to(site) for p in site.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


#: Run by the installed interpreter: where everything comes from, and what it finds.
PROBE = textwrap.dedent(
    """
    import contextlib, io, json
    import calibration, dashboard, experiments, model, scenarios
    from experiments.cli import main
    from model import TrustModel, builtin_names, load_scenario, paramtable, shock_names
    from model.scenario import CALIBRATED_POSTERIOR, SCENARIO_DIR, SHOCK_DIR, draw_from_posterior, shock_description
    from experiments.design import EXPERIMENT_DIR, load_experiment
    from experiments.validation import PATTERNS_PATH, load_patterns

    for name in builtin_names():
        load_scenario(name)
    shocks = {name: shock_description(name) for name in shock_names()}
    experiments_found = sorted(p.stem for p in EXPERIMENT_DIR.glob("*.toml"))
    for name in experiments_found:
        load_experiment(name)
    with open("calibrated.toml", "w", encoding="utf-8") as handle:
        handle.write('description = "The baseline, drawn from the calibration."\\nposterior = "calibrated"\\n')
    calibrated = load_scenario("calibrated.toml", homes=200)
    drawn = draw_from_posterior(calibrated, 7)
    model_run = TrustModel(load_scenario("baseline", homes=200), rng=1)
    model_run.run_for(10)
    said = {}
    for command in (["scenarios"], ["params", "--json"]):
        with contextlib.redirect_stdout(io.StringIO()) as text:
            assert main(command) == 0
        said[command[0]] = text.getvalue()
    print(json.dumps({
        "modules": [m.__file__ for m in (model, experiments, dashboard, scenarios, calibration)],
        "data": [str(p) for p in (SCENARIO_DIR, SHOCK_DIR, EXPERIMENT_DIR, PATTERNS_PATH, CALIBRATED_POSTERIOR)],
        "scenarios": builtin_names(),
        "shocks": sorted(shocks),
        "described": all(shocks.values()),
        "experiments": experiments_found,
        "patterns": sorted(p.stem for p in PATTERNS_PATH.parent.glob("*.toml")),
        "pattern_count": len(load_patterns()),
        "posterior": calibrated.posterior,
        "drawn_differs": drawn.params != calibrated.params,
        "summary_parameters": sorted(paramtable.posterior_summary()),
        "trust_mean": model_run.summary()["trust_mean"],
        "cli": said,
    }))
    """
)


@pytest.fixture(scope="module")
def probed(installed) -> dict:
    before = _files(installed["site"])
    out = _run([str(installed["python"]), "-I", "-c", PROBE], installed["work"], installed["env"]).stdout
    assert _files(installed["site"]) == before, "using the installed packages wrote into site-packages"
    return json.loads(out.strip().splitlines()[-1])


def test_everything_is_imported_from_the_installed_wheel(installed, probed):
    for path in probed["modules"] + probed["data"]:
        assert Path(path).is_relative_to(installed["site"]), f"{path} is not from the installed wheel"
        assert not Path(path).is_relative_to(ROOT), path


def test_the_built_in_scenarios_and_shocks_are_the_repositorys(probed):
    assert probed["scenarios"][0] == "baseline"
    assert sorted(probed["scenarios"]) == SHIPPED["scenarios"] != []
    assert probed["shocks"] == SHIPPED["shocks"] != []
    assert probed["described"]


def test_the_shipped_experiments_and_patterns_are_found(probed):
    assert probed["experiments"] == SHIPPED["experiments"] != []
    assert probed["patterns"] == SHIPPED["patterns"] != []
    assert probed["pattern_count"] > 0


def test_the_calibrated_posterior_and_its_summary_are_found(installed, probed):
    assert Path(probed["posterior"]) == installed["site"] / "calibration" / "posterior.csv"
    assert Path(probed["posterior"]).read_bytes() == (ROOT / "calibration" / "posterior.csv").read_bytes()
    assert probed["drawn_differs"]
    committed = json.loads((ROOT / "calibration" / "summary.json").read_text(encoding="utf-8"))
    assert probed["summary_parameters"] == sorted(committed["parameters"]) != []


def test_a_short_run_works(probed):
    assert 0.0 <= probed["trust_mean"] <= 1.0


def test_the_command_line_lists_the_built_ins_and_the_calibration(probed):
    for name in SHIPPED["scenarios"] + SHIPPED["shocks"]:
        assert name in probed["cli"]["scenarios"]
    rows = json.loads(probed["cli"]["params"])
    assert any(row["posterior"] for row in rows), "tenant-trust params found no calibration summary"


def test_the_installed_command_runs_a_scenario(installed):
    """The ``tenant-trust`` script the wheel installs, run from an empty folder, writes only there."""
    cli, work, env = installed["bin"] / "tenant-trust", installed["work"], installed["env"]
    before = _files(installed["site"])
    _run([str(cli), "run", "baseline", "--homes", "200", "--weeks", "10", "--out", "out", "--quiet"], work, env)
    assert json.loads((work / "out" / "summary.json").read_text(encoding="utf-8"))["weeks"] == 10
    assert _files(installed["site"]) == before, "tenant-trust run wrote into site-packages"
