"""Scenario and shock files: validation messages, built-ins, overrides and the timeline."""

from __future__ import annotations

import tomllib

import pytest

from model import ScenarioError, TrustModel, builtin_names, load_scenario, params, shock_names
from model.scenario import SCENARIO_DIR, SHOCK_DIR
from model.shocks import KINDS

#: Built-ins the issue asks for (more may be added).
EXPECTED_BUILTINS = {
    "baseline",
    "digital_only",
    "frontline_presence",
    "hybrid",
    "power_sharing",
    "tokenistic_consultation",
}
EXPECTED_SHOCKS = {"budget_cut", "damp_crisis", "staff_restructure", "welfare_reform"}


# --- bad files: the message names the file, the key, the value and what is allowed -------
BAD_FILES = {
    "unknown top-level key": (
        'colour = "red"\n',
        ["'colour'", "'red'", "description", "parameters", "schedule", "shocks", "weeks"],
    ),
    "unknown parameter": (
        "[parameters]\nestate_presense = 0.5\n",
        ["'estate_presense'", "0.5", "estate_presence", "patch_size"],
    ),
    "string for a number": (
        '[parameters]\nestate_presence = "high"\n',
        ["'estate_presence'", "'high'", "wrong type", params.get("estate_presence").allowed()],
    ),
    "bool for a number": (
        "[parameters]\nestate_presence = true\n",
        ["'estate_presence'", "True", "wrong type", params.get("estate_presence").allowed()],
    ),
    "out of range": (
        "[parameters]\nestate_presence = 5.0\n",
        ["'estate_presence'", "5.0", "out of range", params.get("estate_presence").allowed()],
    ),
    "below range": (
        "[parameters]\npatch_size = 5\n",
        ["'patch_size'", "5", "out of range", params.get("patch_size").allowed()],
    ),
    "non-integer for an int parameter": (
        "[parameters]\npatch_size = 250.5\n",
        ["'patch_size'", "250.5", "not whole", params.get("patch_size").allowed()],
    ),
    "weeks not whole": (
        "weeks = 10.5\n",
        ["'weeks'", "10.5", "an integer in [1,"],
    ),
    "schedule entry with an unknown parameter": (
        "[[schedule]]\nweek = 5\nset = { presence = 0.5 }\n",
        ["schedule entry 1", "'presence'", "0.5", "estate_presence"],
    ),
    "schedule entry out of range": (
        "[[schedule]]\nweek = 5\nset = { estate_presence = 2.0 }\n",
        ["schedule entry 1", "'estate_presence'", "2.0", params.get("estate_presence").allowed()],
    ),
    "schedule week out of range": (
        "[[schedule]]\nweek = -1\nset = { estate_presence = 0.5 }\n",
        ["schedule entry 1", "'week'", "-1", "an integer week in [0,"],
    ),
    "unknown shock kind": (
        '[[shocks]]\nkind = "earthquake"\nweek = 3\n',
        ["shock 1", "'kind'", "'earthquake'", *sorted(KINDS)],
    ),
    "shock option out of range": (
        '[[shocks]]\nkind = "budget_cut"\nweek = 3\ncut = 0.9\n',
        ["shock 1", "'cut'", "0.9", "[0, 0.6]"],
    ),
    "unknown shock option": (
        '[[shocks]]\nkind = "budget_cut"\nweek = 3\nsize = 0.2\n',
        ["shock 1", "'size'", "0.2", "cut"],
    ),
    "shock option of the wrong type": (
        '[[shocks]]\nkind = "damp_crisis"\nweek = 3\npublicity = "loud"\n',
        ["shock 1", "'publicity'", "'loud'", "[0, 1]"],
    ),
}


@pytest.mark.parametrize(("text", "expected"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_scenario_file_raises_naming_file_key_value_and_allowed(write_toml, text, expected):
    path = write_toml(text)
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    message = str(error.value)
    assert str(path) in message
    for fragment in expected:
        assert fragment in message, f"{fragment!r} missing from: {message}"


def test_bad_toml_names_the_file(write_toml):
    path = write_toml("[parameters\nestate_presence = 0.5\n")
    with pytest.raises(ScenarioError, match="not valid TOML") as error:
        load_scenario(path)
    assert str(path) in str(error.value)


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert str(path) in str(error.value)


def test_unknown_builtin_name_lists_the_builtins():
    with pytest.raises(ScenarioError) as error:
        load_scenario("utopia")
    message = str(error.value)
    assert "'utopia'" in message
    for name in EXPECTED_BUILTINS:
        assert name in message


def test_unknown_shock_layer_lists_the_layers():
    with pytest.raises(ScenarioError) as error:
        load_scenario("baseline", shocks=["meteor"])
    message = str(error.value)
    assert "'meteor'" in message
    for name in EXPECTED_SHOCKS:
        assert name in message


def test_schedule_entry_may_not_set_an_estate_parameter(write_toml):
    path = write_toml("[[schedule]]\nweek = 5\nset = { homes = 500 }\n")
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    message = str(error.value)
    assert str(path) in message
    assert "'homes'" in message
    allowed = message.split("allowed", 1)[1]
    assert "estate_presence" in allowed and "ladder_rung" in allowed
    assert "homes" not in allowed and "initial_trust" not in allowed


def test_schedule_estate_parameter_error_names_the_value(write_toml):
    path = write_toml("[[schedule]]\nweek = 5\nset = { homes = 500 }\n")
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert "500" in str(error.value)


def test_shock_layer_may_not_hold_parameters(write_toml):
    path = write_toml("[parameters]\nestate_presence = 0.5\n", name="layer.toml")
    with pytest.raises(ScenarioError) as error:
        load_scenario("baseline", shocks=[path])
    assert str(path) in str(error.value)


# --- overrides -------------------------------------------------------------------------
def test_overrides_are_validated():
    with pytest.raises(ScenarioError) as error:
        load_scenario("baseline", homes=10)
    assert "'homes'" in str(error.value) and "10" in str(error.value)
    with pytest.raises(ScenarioError, match="'colour'"):
        load_scenario("baseline", colour=1)
    with pytest.raises(ScenarioError, match="not whole"):
        load_scenario("baseline", patch_size=150.5)


def test_overrides_take_precedence_over_the_file():
    scenario = load_scenario("digital_only", homes=120, estate_presence=0.7)
    assert scenario.params["homes"] == 120
    assert scenario.params["estate_presence"] == 0.7
    assert scenario.params["digital_first"] == 1.0


# --- built-ins --------------------------------------------------------------------------
def test_builtin_and_shock_names():
    assert set(builtin_names()) >= EXPECTED_BUILTINS
    assert builtin_names()[0] == "baseline"
    assert sorted(builtin_names()) == sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))
    assert set(shock_names()) >= EXPECTED_SHOCKS
    assert shock_names() == sorted(p.stem for p in SHOCK_DIR.glob("*.toml"))


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_scenario_loads_and_states_its_differences(name):
    scenario = load_scenario(name)
    assert scenario.name == name
    assert scenario.description
    assert set(scenario.params) == {p.name for p in params.PARAMETERS}
    assert params.validate(scenario.params) == scenario.params
    with (SCENARIO_DIR / f"{name}.toml").open("rb") as handle:
        data = tomllib.load(handle)
    declared = data.get("parameters", {})
    defaults = params.defaults()
    assert scenario.differences() == {k: v for k, v in declared.items() if v != defaults[k]}
    assert [c.values for c in scenario.schedule] == [
        entry["set"] for entry in sorted(data.get("schedule", []), key=lambda e: e["week"])
    ]


@pytest.mark.parametrize("layer", shock_names())
def test_every_shock_layer_loads_onto_baseline(layer):
    scenario = load_scenario("baseline", shocks=[layer])
    assert scenario.name == f"baseline+{layer}"
    with (SHOCK_DIR / f"{layer}.toml").open("rb") as handle:
        declared = tomllib.load(handle)["shocks"]
    assert [s.kind for s in scenario.shocks] == [d["kind"] for d in declared]
    assert scenario.params == load_scenario("baseline").params
    assert len(scenario.sources) == 2


def test_baseline_has_no_differences():
    assert load_scenario("baseline").differences() == {}


def test_layers_stack_and_shocks_are_in_week_order():
    scenario = load_scenario("hybrid", shocks=["staff_restructure", "budget_cut"])
    assert [s.kind for s in scenario.shocks] == ["budget_cut", "staff_restructure"]
    assert [s.week for s in scenario.shocks] == sorted(s.week for s in scenario.shocks)


def test_schedule_is_sorted_by_week(write_toml):
    path = write_toml(
        """
        [[schedule]]
        week = 30
        set = { estate_presence = 0.1 }
        [[schedule]]
        week = 10
        set = { estate_presence = 0.5, patch_size = 200.0 }
        note = "more presence"
        """
    )
    scenario = load_scenario(path)
    assert [c.week for c in scenario.schedule] == [10, 30]
    assert scenario.schedule[0].values == {"estate_presence": 0.5, "patch_size": 200}
    assert isinstance(scenario.schedule[0].values["patch_size"], int)
    assert scenario.schedule[0].note == "more presence"


def test_scenario_file_by_path_uses_its_values(write_toml):
    path = write_toml('description = "mine"\nweeks = 30\n[parameters]\nladder_rung = 6\n', name="mine.toml")
    scenario = load_scenario(path)
    assert scenario.name == "mine"
    assert scenario.description == "mine"
    assert scenario.weeks == 30
    assert scenario.differences() == {"ladder_rung": 6}
    assert scenario.to_dict()["params"]["ladder_rung"] == 6


# --- the timeline takes effect ------------------------------------------------------------
def test_schedule_change_takes_effect_at_its_week(write_toml):
    path = write_toml("[[schedule]]\nweek = 5\nset = { estate_presence = 0.6 }\n")
    model = TrustModel(load_scenario(path, homes=150), rng=3)
    default = params.get("estate_presence").default
    visit_before = model.officers[0].visit_probability
    for _ in range(5):
        model.step()
        assert model.p["estate_presence"] == default
    model.step()  # the step that starts at week 5
    assert model.week == 6
    assert model.p["estate_presence"] == 0.6
    assert model.officers[0].visit_probability == pytest.approx(visit_before * 0.6 / default)


def test_schedule_change_of_patch_size_redraws_patches(write_toml):
    path = write_toml("[[schedule]]\nweek = 2\nset = { patch_size = 100 }\n")
    model = TrustModel(load_scenario(path, homes=250), rng=3)
    assert len(model.officers) == 1
    model.run_for(3)
    assert [len(o.patch) for o in model.officers] == [100, 100, 50]


def test_budget_cut_shock_lowers_the_repair_budget():
    model = TrustModel(load_scenario("baseline", shocks=["budget_cut"], homes=100), rng=1)
    shock = model.scenario_spec.shocks[0]
    envelope = model.p["envelope_per_home"]
    model.run_for(shock.week)
    before = model.summary()["repair_budget_per_home"]
    model.step()
    after = model.summary()["repair_budget_per_home"]
    assert model.p["envelope_per_home"] == pytest.approx(envelope * (1 - shock.options["cut"]))
    # The whole cut comes out of the repairs budget: 10% of £800 is £80 a home.
    assert before - after == pytest.approx(envelope * shock.options["cut"])


def test_builtin_name_is_found_even_if_a_folder_has_that_name(tmp_path, monkeypatch):
    (tmp_path / "baseline").mkdir()
    monkeypatch.chdir(tmp_path)
    assert load_scenario("baseline").name == "baseline"
