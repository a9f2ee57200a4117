"""Community governance under Shanghai's three-society linkage (三社联动), as an agent-based model.

    from model import CommunityModel, load_scenario
    m = CommunityModel(scenario=load_scenario("baseline"), rng=42)
    m.step()  # one month
"""

from ._version import __version__
from .community import CommunityModel
from .outcomes import OUTCOMES, OUTCOME_NAMES
from .params import Parameters
from .register import register_rows
from .scenario import Scenario, ScenarioError, load_scenario, preset_names

__all__ = [
    "CommunityModel",
    "OUTCOMES",
    "OUTCOME_NAMES",
    "Parameters",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "preset_names",
    "register_rows",
    "__version__",
]
