"""The reciprocal method: total costs ``T = c + S^T T`` in one sparse solve."""

from __future__ import annotations

import numpy as np

from ..flow.solve import Operator, system_matrix
from .shares import Inputs

__all__ = ["reciprocal"]


def reciprocal(inputs: Inputs) -> np.ndarray:
    """The cost carried by each service under the reciprocal method.

    Every department's total cost ``T_i`` is its direct cost plus its share of the total cost
    of each department that serves it, ``T = c + S^T T`` (the "complete reciprocated cost" of
    managerial accounting), solved at once; a supplier then passes ``S[j, i] T_j`` along each
    service ``j -> i``, to departments and segments alike.

    Examples
    --------
    >>> from servicechain.cost.shares import Inputs
    >>> chain = costed  # A (cost 100) and B (cost 50) serve each other and segment S
    >>> reciprocal(Inputs(chain.network, chain.costs)).round(6).tolist()
    [64.285714, 64.285714, 28.571429, 85.714286]
    """
    net = inputs.net
    share = inputs.share
    carries = share > 0
    matrix = system_matrix(net.n, net.target[carries], net.source[carries], share[carries])
    total = Operator(matrix).solve(inputs.costs.direct)
    return total[net.source] * share
