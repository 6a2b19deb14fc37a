"""Named what-if scenarios as plain data, with where each of their values stands in a file.

Read from a file by :mod:`servicechain.io.scenario`; resolved against a model, every problem at
once, by :func:`servicechain.flow.compare`, which places each problem with :meth:`problem`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import Problem, field_path

__all__ = ["ScenarioFile"]

Loc = tuple[Any, ...]
Position = tuple[int, int]


class ScenarioFile(dict):
    """Scenarios by name, ``{name: {"set": {...}, "weight": {...}, "dependence": {...},
    "fail": [...], "description": "..."}}``, and the file they came from.

    ``positions`` maps a location such as ``("scenarios", "it-down", "fail", 0)`` to its
    1-based ``(line, column)``; when ``locate`` is given instead, it is called for them the
    first time a problem is placed (a JSON file is read again for positions only then).

    Examples
    --------
    >>> s = ScenarioFile({"x": {"set": {"itt": 3}}}, file="s.yaml",
    ...                  positions={("scenarios", "x", "set", "itt"): (3, 11)})
    >>> print(s.problem(("scenarios", "x", "set", "itt"), "no such id", "check it"))
    s.yaml:3:11: scenarios.x.set.itt: no such id (check it)
    >>> print(ScenarioFile({}).problem(("scenarios", "x", "fail", 0), "a segment"))
    <scenarios>: scenarios.x.fail[0]: a segment
    """

    def __init__(
        self,
        scenarios: Mapping[str, Any] = (),
        *,
        file: str = "",
        positions: dict[Loc, Position] | None = None,
        locate: Callable[[], dict[Loc, Position]] | None = None,
    ):
        super().__init__(scenarios)
        self.file = file
        self._positions = positions
        self._locate = locate

    @property
    def positions(self) -> dict[Loc, Position]:
        """The ``(line, column)`` of each value, by location (empty when not known)."""
        if self._positions is None:
            self._positions = self._locate() if self._locate is not None else {}
        return self._positions

    def problem(self, loc: Loc, message: str, fix: str = "") -> Problem:
        """A :class:`~servicechain.errors.Problem` at ``loc`` (or the nearest enclosing value
        whose position is known)."""
        positions = self.positions
        probe = loc
        while probe and probe not in positions:
            probe = probe[:-1]
        line, col = positions.get(probe, (None, None))
        return Problem(self.file or "<scenarios>", line, col, field_path(loc), message, fix)
