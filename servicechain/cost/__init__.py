"""Cost to serve: support costs allocated along the chain to the segments (DESIGN section 3c).

Departments carry a direct ``cost``, services a ``volume``; each supplier's cost is shared among
its customers in proportion to their volumes, by the reciprocal (one sparse solve of
``T = c + S^T T``), step-down or direct method of managerial accounting.
"""

from .allocate import METHODS, allocate, compare_methods
from .compare import CostComparison
from .result import CostResult
from .shares import CostError

__all__ = ["METHODS", "CostComparison", "CostError", "CostResult", "allocate", "compare_methods"]
