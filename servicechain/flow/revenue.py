"""Revenue if perfect: the exact yearly revenue change of many items, each made perfect, at once.

A segment with ``revenue`` and ``revenue_elasticity`` changes its revenue by
``revenue * revenue_elasticity * dQ_k``; the sum over segments is the gain of the item weighted
by those slopes instead of by the segments' values, so one adjoint solve gives the linear gain of
every item, and the what-if is solved (side by side, cap included) only where a service could
pass its cap: the same exact gains as :func:`~servicechain.flow.rank`, weighted by money.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

import numpy as np

from ..model.network import SEGMENT
from .effects import Effects
from .state import state_of

__all__ = ["revenue_if_perfect"]

_EFFECTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def revenue_if_perfect(chain, items: Sequence[str | tuple[str, str]]) -> np.ndarray:
    """The yearly revenue change if each item were at the top of the scale, exact: what
    ``impact(chain, set={ITEM: MAX}).revenue_total`` reports for each, without a what-if per
    item.

    Parameters
    ----------
    chain : Chain
    items : list
        Department or partner ids, and ``(supplier, customer)`` services (their first service
        between the two, as a what-if takes it).

    Returns
    -------
    array
        One amount per item, in the model's currency; nan for every item when no segment has
        both ``revenue`` and ``revenue_elasticity``.

    Examples
    --------
    >>> revenue_if_perfect(shop, ["it", ("it", "store")]).round(6).tolist()
    [83.333333, 125.0]
    >>> from servicechain.flow import impact
    >>> round(impact(shop, set={"it->store": 1.0}).revenue_total, 6)
    125.0
    """
    state = state_of(chain)
    net = state.net
    out = np.full(len(items), np.nan)
    slope = net.revenue_slope
    if slope is None or not len(items):
        return out
    priced = (net.kind == SEGMENT) & ~np.isnan(slope)
    if not priced.any():
        return out
    effects = _EFFECTS.get(state)
    if effects is None:  # one adjoint (and rising flow) per state, however many calls
        w = np.where(priced, slope, 0.0)
        effects = _EFFECTS[state] = Effects(state, w, state.operator.solve(w, transpose=True))
    nodes, services, at_node, at_service = [], [], [], []
    for t, item in enumerate(items):
        if isinstance(item, tuple | list):
            a, b = net.index[item[0]], net.index[item[1]]
            services.append(int(np.flatnonzero((net.source == a) & (net.target == b))[0]))
            at_service.append(t)
        else:
            nodes.append(net.index[item])
            at_node.append(t)
    if nodes:
        out[at_node] = effects.node_gain(np.array(nodes, dtype=int))
    if services:
        out[at_service] = effects.service_gain(np.array(services, dtype=int))
    return out
