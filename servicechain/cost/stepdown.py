"""The step-down method: departments allocated one at a time, each never receiving again."""

from __future__ import annotations

import numpy as np

from ..errors import unknown_node
from ..model.network import DEPARTMENT
from .shares import CostError, Inputs

__all__ = ["default_order", "resolve_order", "step_down"]


def default_order(inputs: Inputs) -> list[int]:
    """The departments that pass costs on, the one serving the most other departments first,
    ties by id; a department that would then serve only departments allocated before it (its
    cost would have nowhere to go) moves up to just before the first of them.

    Examples
    --------
    >>> import servicechain
    >>> from servicechain.cost.shares import Inputs
    >>> chain = servicechain.Chain.from_dict({"name": "x", "departments": [
    ...     {"id": "b", "name": "B"}, {"id": "a", "name": "A"}, {"id": "c", "name": "C"}],
    ...     "services": [{"from": "b", "to": "a"}, {"from": "b", "to": "c"},
    ...                  {"from": "a", "to": "c"}]})
    >>> [chain.network.ids[j] for j in default_order(Inputs(chain.network, chain.costs))]
    ['b', 'a']
    """
    net = inputs.net
    flowing = (inputs.costs.volume > 0) & (net.kind[net.target] == DEPARTMENT)
    served = np.bincount(net.source[flowing], minlength=net.n)
    passing = inputs.passing.tolist()
    return _repaired(inputs, sorted(passing, key=lambda j: (-int(served[j]), net.ids[j])))


def _repaired(inputs: Inputs, sequence: list[int]) -> list[int]:
    net, volume = inputs.net, inputs.costs.volume
    customers = {}
    for j in sequence:
        services = inputs.services_of(j)
        customers[j] = net.target[services[volume[services] > 0]].tolist()
    for _ in range(len(sequence)):
        position = {j: i for i, j in enumerate(sequence)}
        moved = False
        for j in list(sequence):
            later = [position.get(t, len(sequence)) for t in customers[j]]
            if later and max(later) < position[j]:
                sequence.remove(j)
                sequence.insert(min(later), j)
                moved = True
                break
        if not moved:
            break
    return sequence


def resolve_order(inputs: Inputs, order: list[str] | None) -> list[int]:
    """The step-down sequence from the ids a user gave: those first, in their order, then the
    other departments that pass costs on in the :func:`default_order`.

    Raises :class:`~servicechain.errors.UnknownNodeError` for an id that names no department,
    :class:`CostError` for an id given twice.
    """
    default = default_order(inputs)
    if not order:
        return default
    net = inputs.net
    departments = [net.ids[j] for j in inputs.departments]
    chosen: list[int] = []
    for ident in order:
        j = net.index.get(ident)
        if j is None or net.kind[j] != DEPARTMENT:
            raise unknown_node(ident, departments, what="department")
        if j in chosen:
            raise CostError(f"{ident!r} is named twice in the step-down order")
        chosen.append(j)
    picked = set(chosen)
    passing = set(inputs.passing.tolist())
    return [j for j in chosen if j in passing] + [j for j in default if j not in picked]


def step_down(inputs: Inputs, order: list[int]) -> np.ndarray:
    """The cost carried by each service under the step-down method, allocating the departments
    in ``order`` (node numbers; see :func:`resolve_order`).

    Each department in turn passes everything it holds (its direct cost and what it received
    from the departments before it) to its customers not yet allocated, departments and
    segments, in proportion to their volumes; its services to departments allocated before it
    carry nothing.

    Raises
    ------
    CostError
        When a department holding a cost serves only departments allocated before it.

    Examples
    --------
    >>> from servicechain.cost.shares import Inputs
    >>> chain = costed  # A (cost 100) and B (cost 50) serve each other and segment S
    >>> inputs = Inputs(chain.network, chain.costs)
    >>> step_down(inputs, [0, 1]).tolist()
    [50.0, 50.0, 0.0, 100.0]
    """
    net, volume = inputs.net, inputs.costs.volume
    held = inputs.costs.direct.astype(float).copy()
    done = np.zeros(net.n, dtype=bool)
    amount = np.zeros(net.m)
    stuck = []
    for j in order:
        done[j] = True
        services = inputs.services_of(j)
        targets = net.target[services]
        open_volume = np.where(done[targets], 0.0, volume[services])
        total = open_volume.sum()
        if total <= 0:
            if held[j] > 0:
                stuck.append(j)
            continue
        passed = held[j] * open_volume / total
        amount[services] = passed
        held[targets] += passed
    if stuck:
        raise CostError(_stuck_message(inputs, stuck))
    return amount


def _stuck_message(inputs: Inputs, stuck: list[int]) -> str:
    net = inputs.net
    lines = []
    for j in stuck:
        customers = ", ".join(repr(net.ids[t]) for t in net.target[inputs.services_of(j)])
        lines.append(
            f"step-down: {net.ids[j]!r} holds a cost but serves only departments allocated "
            f"before it ({customers}); name it before them with --order"
        )
    return "\n".join(lines)
