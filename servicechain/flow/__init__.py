"""The quality flow: delivered quality, gap breakdown, sensitivities, what-if and priorities.

Each node delivers its own part plus what it receives, ``Q_i = a_i b_i + sum_j r_ji P_ji``; a
change travels through ``P_ji = min(1, e_ji Q_j)``, linear near today's state with the multiplier
matrix ``L = (I - A)^-1`` (the README's "Quality flow" section states every formula).

The docstring examples share ``shop``: IT (own quality 0.6, relying on nothing) serves the store
(0.9, dependence 0.5) with a service rated 0.5, and the store serves walk-in shoppers (revenue
1000, elasticity 0.5) with an unrated service, all on 0..1 (see ``servicechain/conftest.py``).
"""

from .explain import METHODS, Breakdown, Term, explain
from .gap_intervals import EXPLAIN_DRAWS, GapIntervals, explain_intervals
from .quadrants import QUADRANTS, Split
from .rank import BY, TEXT_ROWS, Ranking, Row, rank
from .scenario import Scenario, ScenarioError
from .score import Score, score
from .sensitivity import Sensitivities, influence, sensitivities
from .solve import SolveError
from .stability import (
    DEFAULT_DRAWS,
    RankedWithStability,
    Stability,
    ranked_with_stability,
    stability,
)
from .state import State, state_of
from .uncertainty import Intervals, intervals
from .whatif import Comparison, Impact, compare, impact, solve_scenario

__all__ = [
    "BY",
    "DEFAULT_DRAWS",
    "EXPLAIN_DRAWS",
    "METHODS",
    "QUADRANTS",
    "TEXT_ROWS",
    "Breakdown",
    "Comparison",
    "GapIntervals",
    "Impact",
    "Intervals",
    "RankedWithStability",
    "Ranking",
    "Row",
    "Scenario",
    "ScenarioError",
    "Score",
    "Sensitivities",
    "SolveError",
    "Split",
    "Stability",
    "State",
    "Term",
    "compare",
    "explain",
    "explain_intervals",
    "impact",
    "influence",
    "intervals",
    "rank",
    "ranked_with_stability",
    "score",
    "sensitivities",
    "solve_scenario",
    "stability",
    "state_of",
]
