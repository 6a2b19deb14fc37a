"""The quality flow: delivered quality, gap breakdown, sensitivities, what-if and priorities
(DESIGN section 3)."""

from ..solve import SolveError
from .score import Score, score
from .state import State, state_of

__all__ = ["Score", "SolveError", "State", "score", "state_of"]
