"""Parameter declarations and the checks built on them (model/params.py)."""

from __future__ import annotations

import math

import pytest

from model import PARAMETERS, Parameter, ParameterError, params


@pytest.mark.parametrize("parameter", PARAMETERS, ids=lambda p: p.name)
def test_declaration_is_coherent_and_documented(parameter):
    assert parameter.name.isidentifier()
    assert parameter.low <= parameter.default <= parameter.high
    assert parameter.low < parameter.high
    assert parameter.kind in ("float", "int")
    if parameter.kind == "int":
        assert all(float(v).is_integer() for v in (parameter.default, parameter.low, parameter.high))
    assert parameter.unit.strip()
    assert parameter.description.strip()
    assert parameter.source.strip()


def test_names_are_unique_and_defaults_cover_them():
    names = [p.name for p in PARAMETERS]
    assert len(names) == len(set(names))
    assert list(params.defaults()) == names
    assert params.defaults() == {p.name: p.default for p in PARAMETERS}


@pytest.mark.parametrize("parameter", PARAMETERS, ids=lambda p: p.name)
def test_bounds_and_default_pass_their_own_check(parameter):
    for value in (parameter.low, parameter.default, parameter.high):
        checked = parameter.check(value)
        assert checked == value
        assert isinstance(checked, int if parameter.kind == "int" else float)


@pytest.mark.parametrize("parameter", PARAMETERS, ids=lambda p: p.name)
def test_values_outside_bounds_are_rejected_not_clamped(parameter):
    step = 1 if parameter.kind == "int" else (parameter.high - parameter.low) / 100
    for value in (parameter.low - step, parameter.high + step, math.nan, math.inf):
        with pytest.raises(ParameterError):
            parameter.check(value)


def test_check_message_names_origin_key_value_and_allowed():
    presence = Parameter("presence", 0.2, 0.0, 0.9, "share", "d", "assumption")
    with pytest.raises(ParameterError) as error:
        presence.check(1.5, "my.toml")
    assert str(error.value) == "my.toml: key 'presence' = 1.5 is out of range; allowed: a number in [0, 0.9] (share)"
    patch = Parameter("patch", 300, 100, 600, "homes/officer", "d", "assumption", kind="int")
    assert patch.allowed() == "an integer in [100, 600] (homes/officer)"


@pytest.mark.parametrize("value", ["0.5", True, False, None, [0.5]])
def test_wrong_types_are_rejected(value):
    with pytest.raises(ParameterError, match="wrong type"):
        params.get("estate_presence").check(value)


def test_int_parameters_accept_whole_floats_and_reject_fractions():
    patch = params.get("patch_size")
    assert patch.check(250.0) == 250
    assert isinstance(patch.check(250.0), int)
    with pytest.raises(ParameterError, match="not whole"):
        patch.check(250.5)


def test_float_parameters_accept_ints():
    value = params.get("estate_presence").check(0)
    assert value == 0.0 and isinstance(value, float)


def test_validate_converts_and_rejects_unknown_names():
    assert params.validate({"patch_size": 200.0, "openness": 1}) == {"patch_size": 200, "openness": 1.0}
    with pytest.raises(ParameterError) as error:
        params.validate({"opennes": 0.5}, "file.toml")
    message = str(error.value)
    assert "file.toml" in message and "'opennes'" in message and "0.5" in message and "openness" in message


def test_get_unknown_name_lists_the_allowed_names():
    with pytest.raises(ParameterError, match="estate_presence"):
        params.get("estate_presense")


def test_parse_value():
    assert params.parse_value("estate_presence", "0.5") == 0.5
    assert params.parse_value("patch_size", "250") == 250
    with pytest.raises(ParameterError) as error:
        params.parse_value("estate_presence", "lots")
    assert "'estate_presence'" in str(error.value) and "'lots'" in str(error.value)
    with pytest.raises(ParameterError, match="out of range"):
        params.parse_value("estate_presence", "5")


def test_a_declaration_with_default_outside_bounds_is_refused():
    with pytest.raises(ParameterError, match="outside"):
        Parameter("x", 2.0, 0.0, 1.0, "share", "d", "assumption")
    with pytest.raises(ParameterError, match="kind"):
        Parameter("x", 0.5, 0.0, 1.0, "share", "d", "assumption", kind="bool")


def test_levers_are_strategy_choices():
    levers = {p.name for p in PARAMETERS if p.lever}
    assert {"digital_first", "ladder_rung", "estate_presence", "patch_size"} <= levers
    assert "homes" not in levers and "negativity_bias" not in levers
