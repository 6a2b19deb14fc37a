"""How strongly quality travels round a loop of departments: the loop gain of each cycle."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from .state import state_of

if TYPE_CHECKING:
    from ..chain import Chain

__all__ = ["loop_gains"]


def loop_gains(chain: Chain, cycles: Sequence[Sequence[str]]) -> list[float]:
    """The gain of each loop: the share of a change to one member's delivered quality that
    comes back to it after one trip round the loop.

    A cycle ``[a, b, c]`` means ``a → b → c → a`` (each serves the next). Its gain is the
    product, along the loop, of the transmission ``A[t, s] = r_st e_st`` of each hand-off
    ``s → t`` (summed over parallel services between the same two units): how many points of
    ``t``'s delivered quality move per point of ``s``'s (DESIGN section 3). A loop whose gain
    is near 0 hardly passes anything round; one near 1 would sustain itself.

    Parameters
    ----------
    chain : Chain
        A loaded model.
    cycles : sequence of sequences of ids
        Loops as :func:`servicechain.structure.analyze` lists them.

    Returns
    -------
    list of float
        One gain per loop, in 0..1.

    Examples
    --------
    >>> import servicechain
    >>> chain = servicechain.load(servicechain.example_path("flowershop"))
    >>> [round(g, 4) for g in loop_gains(chain, [["counter", "bench"]])]
    [0.0369]
    """
    state = state_of(chain)
    index = state.net.index
    heads, tails, starts = [], [], [0]
    for cycle in cycles:
        nodes = [index[n] for n in cycle]
        tails += nodes  # the supplier of each hand-off
        heads += nodes[1:] + nodes[:1]  # its customer
        starts.append(len(tails))
    if not tails:
        return []
    # the operator's matrix is I - A, parallel services summed: A[t, s] = -M[t, s] (t != s)
    link = -state.operator.matrix[np.array(heads), np.array(tails)]
    return [float(np.prod(link[a:b])) for a, b in pairwise(starts)]
