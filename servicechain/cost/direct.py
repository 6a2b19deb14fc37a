"""The direct method: support departments allocate straight to the front line."""

from __future__ import annotations

import numpy as np

from ..model.network import DEPARTMENT, SEGMENT
from .shares import CostError, Inputs

__all__ = ["direct"]


def direct(inputs: Inputs) -> np.ndarray:
    """The cost carried by each service under the direct method.

    A support department (one that passes costs on but serves no segment) allocates its direct
    cost only to the front line (departments that serve a segment) and to departments that
    serve no one, in proportion to their volumes; service between support departments is
    ignored. The front line then passes its direct cost and what it received to the segments
    it serves, in proportion to their volumes; its services to other departments are ignored.

    Raises
    ------
    CostError
        When a support department holding a cost serves neither the front line nor a
        department that serves no one (its cost has nowhere to go by this method).

    Examples
    --------
    >>> import servicechain
    >>> from servicechain.cost.shares import Inputs
    >>> chain = servicechain.Chain.from_dict({"name": "x",
    ...     "departments": [{"id": "hr", "name": "HR", "cost": 30},
    ...                     {"id": "it", "name": "IT", "cost": 60},
    ...                     {"id": "shop", "name": "Shop", "cost": 10}],
    ...     "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "customer"}],
    ...     "services": [{"from": "hr", "to": "it", "volume": 1},
    ...                  {"from": "hr", "to": "shop", "volume": 1},
    ...                  {"from": "it", "to": "shop", "volume": 1},
    ...                  {"from": "shop", "to": "s", "volume": 1}]})
    >>> direct(Inputs(chain.network, chain.costs)).tolist()
    [0.0, 30.0, 60.0, 100.0]
    """
    net, volume = inputs.net, inputs.costs.volume
    held = inputs.costs.direct.astype(float).copy()
    amount = np.zeros(net.m)
    front = np.zeros(net.n, dtype=bool)
    front[inputs.front] = True
    final = (net.kind == DEPARTMENT) & (inputs.out_volume <= 0)
    receives = front | final
    stranded = []
    for j in inputs.passing.tolist():
        if front[j]:
            continue
        services = inputs.services_of(j)
        targets = net.target[services]
        counted = np.where(receives[targets], volume[services], 0.0)
        total = counted.sum()
        if total <= 0:
            if held[j] > 0:
                stranded.append(j)
            continue
        passed = held[j] * counted / total
        amount[services] = passed
        held[targets] += passed
    if stranded:
        raise CostError(_stranded_message(inputs, stranded))
    for j in inputs.front.tolist():
        services = inputs.services_of(j)
        counted = np.where(net.kind[net.target[services]] == SEGMENT, volume[services], 0.0)
        amount[services] = held[j] * counted / counted.sum()
    return amount


def _stranded_message(inputs: Inputs, stranded: list[int]) -> str:
    net = inputs.net
    names = ", ".join(repr(net.ids[j]) for j in stranded)
    return (
        f"direct method: {names} serve{'s' if len(stranded) == 1 else ''} only other support "
        "departments, and the direct method ignores service between support departments; "
        "use --method reciprocal or step-down"
    )
