"""Doctest set-up: run matplotlib headless, and the small chain the docstring examples share.

``shop`` is IT (0.6, relying on nothing) serving the store (0.9, dependence 0.5) with a service
rated 0.5, and the store serving walk-in shoppers (revenue 1000, elasticity 0.5), unrated.
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


@pytest.fixture(autouse=True)
def _shop(doctest_namespace):
    from servicechain import Chain

    doctest_namespace["shop"] = Chain.from_dict(SHOP)
