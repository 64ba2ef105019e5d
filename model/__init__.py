"""Tenant Trust: an agent-based model of tenants' trust in their social landlord.

Example:
    >>> from model import TrustModel, load_scenario
    >>> m = TrustModel(load_scenario("baseline", homes=500), rng=1)
    >>> m.run_for(52)
    >>> sorted(m.summary())[:3]
    ['active_share', 'cost_per_home', 'efficacy_mean']
"""

from model.model import TrustModel
from model.params import PARAMETERS, Parameter, ParameterError
from model.scenario import Scenario, ScenarioError, builtin_names, load_scenario, shock_names

__all__ = [
    "PARAMETERS",
    "Parameter",
    "ParameterError",
    "Scenario",
    "ScenarioError",
    "TrustModel",
    "builtin_names",
    "load_scenario",
    "shock_names",
]
