"""Doctest set-up: run matplotlib headless, and the small chains the docstring examples share.

``shop`` is IT (0.6, relying on nothing) serving the store (0.9, dependence 0.5) with a service
rated 0.5, and the store serving walk-in shoppers (revenue 1000, elasticity 0.5), unrated.
``costed`` is two departments serving each other and a segment: A (cost 100) gives one unit to
B and one to the segment, B (cost 50) one unit to A and three to the segment.
"""

import matplotlib
import pytest

matplotlib.use("Agg")

SHOP = {
    "name": "Shop",
    "departments": [
        {"id": "it", "name": "IT", "quality": 0.6, "dependence": 0},
        {"id": "store", "name": "Store", "quality": 0.9},
    ],
    "segments": [
        {
            "id": "walkin",
            "name": "Walk-in",
            "kind": "consumer",
            "relationship": "customer",
            "revenue": 1000,
            "revenue_elasticity": 0.5,
        }
    ],
    "services": [{"from": "it", "to": "store", "quality": 0.5}, {"from": "store", "to": "walkin"}],
}

COSTED = {
    "name": "x",
    "departments": [{"id": "a", "name": "A", "cost": 100}, {"id": "b", "name": "B", "cost": 50}],
    "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "customer"}],
    "services": [
        {"from": "a", "to": "b", "volume": 1},
        {"from": "a", "to": "s", "volume": 1},
        {"from": "b", "to": "a", "volume": 1},
        {"from": "b", "to": "s", "volume": 3},
    ],
}


@pytest.fixture(autouse=True)
def _shop(doctest_namespace):
    from servicechain import Chain

    doctest_namespace["shop"] = Chain.from_dict(SHOP)
    doctest_namespace["costed"] = Chain.from_dict(COSTED)
