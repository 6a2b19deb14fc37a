"""``Chain``: a validated model with the analyses of servicechain as methods (for notebooks).

Each method is a thin call into the module that does the work, so the maths, the graph
algorithms and the drawing stay testable on their own.
"""

from __future__ import annotations

import os
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from .io.fastjson import FastLoaded, read_model
from .io.load import DEFAULT_MAX_BYTES, Loaded, validate_data
from .model.assumptions import Assumptions, assumptions_of
from .model.costs import Costs, costs_of
from .model.network import DEPARTMENT, PARTNER, SEGMENT, Network, network
from .model.summary import Summary, summarize
from .progress import ProgressCallback

if TYPE_CHECKING:
    import networkx as nx

    from . import structure
    from .model.spec import Model

__all__ = ["Chain", "diff", "load"]


class Chain:
    """A company's chain of internal suppliers and customers, ready for analysis.

    Build one with :func:`load` (from a file) or ``Chain(model)`` / :meth:`from_dict`
    (in Python); either way the model has passed every rule of ``servicechain validate``.

    Examples
    --------
    >>> chain = Chain.from_dict({"name": "Shop", "departments": [{"id": "a", "name": "A"}]})
    >>> chain
    <Chain 'Shop': 1 departments, 0 segments, 0 partners, 0 services>
    """

    def __init__(
        self, model: Model, *, file: str = "", positions: dict | None = None, checked: bool = False
    ):
        if not checked:
            validate_data(model.model_dump(by_alias=True, exclude_none=True), {}, file=file)
        self._model: Model | None = model
        self._fast = None  # a fastload.FastLoaded until the model is built from it
        self.file = file
        self.positions = positions or {}

    @classmethod
    def from_dict(cls, data: dict, *, file: str = "") -> Chain:
        """Validate plain data shaped like a model file and wrap it."""
        loaded = validate_data(data, {}, file=file)
        return cls(loaded.model, file=file, checked=True)

    @classmethod
    def _from_loaded(cls, loaded: Loaded | FastLoaded) -> Chain:
        if isinstance(loaded, Loaded):
            return cls(loaded.model, file=loaded.file, positions=loaded.positions, checked=True)
        chain = cls.__new__(cls)
        chain._model, chain._fast = None, loaded
        chain.file, chain.positions = loaded.file, loaded.positions
        chain.__dict__["network"] = loaded.network
        return chain

    @property
    def model(self) -> Model:
        """The validated :class:`~servicechain.model.spec.Model` (built on first use when the file
        was read by the JSON fast path, which goes straight to :attr:`network`)."""
        if self._model is None:
            self._model = self._fast.model()
            self._fast = None
        return self._model

    @property
    def records(self):
        """The file's records as read: the :attr:`model`, or the JSON fast path's document
        (the same attribute names; absent optional fields unset), without building the model."""
        return self._model if self._model is not None else self._fast.document

    @property
    def name(self) -> str:
        """The model's name."""
        return self._fast.name if self._model is None else self._model.name

    @cached_property
    def network(self) -> Network:
        """The model as arrays (see :class:`~servicechain.model.network.Network`)."""
        return network(self.model)

    @cached_property
    def costs(self) -> Costs:
        """The cost inputs as arrays (see :class:`~servicechain.model.costs.Costs`)."""
        if self._model is None:
            return self._fast.costs
        model = self._model
        return costs_of(
            self.network,
            model.departments,
            model.services,
            segments=model.segments,
            currency=model.currency,
        )

    @cached_property
    def graph(self) -> nx.DiGraph:
        """The model as a networkx DiGraph (see :func:`~servicechain.model.graph.to_networkx`)."""
        from .model.graph import to_networkx

        return to_networkx(self.model, net=self.network)

    @cached_property
    def assumptions(self) -> Assumptions:
        """The missing scores the quality flow fills in (a list made lazily from the arrays)."""
        return assumptions_of(self.network)

    @property
    def counts(self) -> dict[str, int]:
        """Number of departments, segments, partners and services.

        Examples
        --------
        >>> Chain.from_dict({"name": "x", "departments": [{"id": "a", "name": "A"}]}).counts
        {'departments': 1, 'segments': 0, 'partners': 0, 'services': 0}
        """
        counts = np.bincount(self.network.kind, minlength=3).tolist()
        return {
            "departments": counts[DEPARTMENT],
            "segments": counts[SEGMENT],
            "partners": counts[PARTNER],
            "services": self.network.m,
        }

    def summary(self) -> Summary:
        """Counts, groups, front line, segments and assumptions of the model (from the file's
        records as read, without building the pydantic model of a file read by the fast path)."""
        return summarize(self.records, assumptions=self.assumptions, network=self.network)

    def __repr__(self) -> str:
        c = self.counts
        return (
            f"<Chain {self.name!r}: {c['departments']} departments, {c['segments']} segments, "
            f"{c['partners']} partners, {c['services']} services>"
        )

    # --- quality flow (servicechain.flow) --------------------------------------------------

    def score(self, *, top: int | None = None):
        """Delivered quality of every node and of the company (:func:`servicechain.flow.score`)."""
        from . import flow

        return flow.score(self, top=top)

    def explain(self, segment: str, *, top: int | None = None, method: str = "tracing"):
        """A segment's gap split into own shortfalls and hand-off losses, by gap tracing
        (every term >= 0) or ``method="marginal"`` (``flow.explain``)."""
        from . import flow

        return flow.explain(self, segment, top=top, method=method)

    def impact(self, **changes):
        """Before and after of every node under a what-if: ``set``, ``weight``, ``dependence``,
        ``fail``, ``name`` as in ``flow.impact``."""
        from . import flow

        return flow.impact(self, **changes)

    def compare(self, scenarios: dict | str | os.PathLike):
        """Several named what-if scenarios side by side (``flow.compare``): a mapping of
        scenarios, or a scenario file (YAML or JSON), whose problems are then listed at their
        line and column."""
        from . import flow

        if isinstance(scenarios, str | os.PathLike):
            from .io.scenario import read_scenarios

            scenarios = read_scenarios(scenarios)
        return flow.compare(self, scenarios)

    def rank(
        self,
        *,
        segment: str | None = None,
        by: str = "gain",
        top: int | None = None,
        exact: int | None = None,
    ):
        """Departments, partners and services by exact gain, importance, exact failure or
        exact gain per unit of cost (``flow.rank``; for ``by="gain-per-cost"`` a department's
        cost is its total cost by the reciprocal method, a service's its charge)."""
        from . import flow

        costs = None
        if by == "gain-per-cost":
            allocated = self.cost(method="reciprocal")
            department = allocated.kind == DEPARTMENT
            costs = (np.where(department, allocated.total, np.nan), allocated.amount)
        return flow.rank(self, segment=segment, by=by, top=top, exact=exact, costs=costs)

    def intervals(
        self, *, level: float = 0.90, draws: int = 0, seed: int = 0, top: int | None = None
    ):
        """Delivered quality with standard errors and intervals from the scores' ``quality_se``
        (delta method; with ``draws``, a Monte Carlo check: ``flow.intervals``)."""
        from . import flow

        return flow.intervals(self, level=level, draws=draws, seed=seed, top=top)

    def explain_intervals(
        self,
        segment: str,
        *,
        level: float = 0.90,
        draws: int = 0,
        seed: int = 0,
        top: int | None = None,
    ):
        """A segment's gap breakdown with the delta method's intervals (with ``draws``, a
        Monte Carlo check: ``flow.explain_intervals``)."""
        from . import flow

        return flow.explain_intervals(self, segment, level=level, draws=draws, seed=seed, top=top)

    def rank_stability(
        self,
        *,
        segment: str | None = None,
        top: int = 10,
        level: float = 0.90,
        draws: int = 500,
        seed: int = 0,
    ):
        """The top priorities by exact gain and the share of draws of the scores in which each
        stays in the top ``top`` (``flow.ranked_with_stability``)."""
        from . import flow

        return flow.ranked_with_stability(
            self, segment=segment, top=top, level=level, draws=draws, seed=seed
        )

    def sensitivities(self, *, segment: str | None = None):
        """dQ/d(own quality) per node and dQ/d(rating) per service (``flow.sensitivities``)."""
        from . import flow

        return flow.sensitivities(self, segment=segment)

    def influence(self):
        """Department × segment matrix of ``L[k,i] a_i`` (``flow.influence``)."""
        from . import flow

        return flow.influence(self)

    # --- cost to serve (servicechain.cost) ------------------------------------------------

    def cost(self, *, method: str = "reciprocal", order: list[str] | None = None):
        """Support costs allocated along the chain to the segments: ``reciprocal`` (default),
        ``step-down`` (in ``order``, ids of departments) or ``direct``; ``"all"`` puts the three
        side by side (see :func:`servicechain.cost.allocate`)."""
        from . import cost

        if method == "all":
            return cost.compare_methods(self, order=order)
        return cost.allocate(self, method=method, order=order)

    # --- structure (servicechain.structure) ------------------------------------------------

    def trace(
        self,
        node: str,
        *,
        direction: str = "down",
        depth: int | None = None,
        group_by: str | None = None,
        top: int | None = None,
    ) -> structure.Trace:
        """Upstream (``direction="up"``) or downstream of a node, with distances."""
        from . import structure

        return structure.trace(
            self, node, direction=direction, depth=depth, group_by=group_by, top=top
        )

    def paths(
        self, source: str, segment: str, *, limit: int = 10, group_by: str | None = None
    ) -> structure.Paths:
        """The service paths from a department to a segment, shortest first."""
        from . import structure

        return structure.paths(self, source, segment, limit=limit, group_by=group_by)

    def analyze(
        self, *, segment: str | None = None, group_by: str | None = None, top: int | None = None
    ) -> structure.Analysis:
        """Roles, gateways, mutual dependencies, disconnected work, single front lines."""
        from . import structure

        return structure.analyze(self, segment=segment, group_by=group_by, top=top)

    def roles(self) -> list[structure.Role]:
        """What each department does in the chain (customers, suppliers, segments, distance)."""
        from . import structure

        return structure.roles(self)

    def gateways(self, segment: str) -> structure.Gateways:
        """The departments every path of some others to ``segment`` passes through."""
        from . import structure

        return structure.gateways(self, segment)

    def mutual_dependencies(self, *, max_cycles: int = 5) -> list[structure.Cluster]:
        """Departments serving each other in a loop, with their shortest loops."""
        from . import structure

        return structure.mutual_dependencies(self, max_cycles=max_cycles)

    def disconnected(self) -> list[str]:
        """Departments and partners whose work reaches no segment."""
        from . import structure

        return structure.disconnected(self)

    def rollup(self, *, by: str = "group") -> nx.DiGraph:
        """The chain's graph with each group's departments merged into one node."""
        from . import structure

        return structure.rollup(self, by=by)

    # --- drawing (servicechain.draw) -------------------------------------------------------

    def draw(self, ax=None, **options):
        """The chain diagram as a :class:`~servicechain.draw.render.Drawing` (see
        :func:`~servicechain.draw.diagram.draw_chain` for the options)."""
        from .draw.diagram import draw_chain

        return draw_chain(self, ax=ax, **options)

    def plot(self, kind: str, ax=None, **options):
        """A chart of the quality flow: ``waterfall``, ``tornado``, ``ipa``, ``heatmap`` or
        ``whatif`` (see :func:`~servicechain.draw.charts.plot`)."""
        from .draw.charts import plot

        return plot(self, kind, ax=ax, **options)

    # --- exports and surveys (servicechain.export, servicechain.survey) --------------------

    def export(self, fmt: str) -> str:
        """The model as text in another tool's format: graphml, gexf, json, dot, mermaid,
        drawio or csv (see :func:`~servicechain.export.export`)."""
        from .export import export

        return export(self, fmt)

    def fold_survey(self, responses, **options):
        """Survey answers folded into the model, as a :class:`~servicechain.survey.SurveyResult`
        (see :func:`~servicechain.survey.fold_survey`)."""
        from .survey.fold import fold_survey

        return fold_survey(self.model, responses, **options)

    # --- rich display -----------------------------------------------------------------------

    def diagram_svg(self) -> str | None:
        """SVG text of the chain diagram (by group for large models; ``None`` if it cannot be
        drawn legibly)."""
        from .draw.render import DiagramTooLargeError

        try:
            drawing = self.draw()
        except DiagramTooLargeError:
            if not any(d.group for d in self.model.departments):
                return None
            drawing = self.draw(group_by="group")
        return drawing._repr_svg_()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """The chain diagram as SVG (rolled up by group when too large) and the text repr.

        Examples
        --------
        >>> from servicechain import example_path
        >>> chain = load(example_path("flowershop"))
        >>> bundle = chain._repr_mimebundle_()
        >>> sorted(bundle), bundle["image/svg+xml"].lstrip().startswith("<?xml")
        (['image/svg+xml', 'text/plain'], True)
        """
        from .display import mimebundle

        wanted = include is None or "image/svg+xml" in include
        svg = self.diagram_svg() if wanted and "image/svg+xml" not in set(exclude or ()) else None
        return mimebundle(repr(self), svg=svg, include=include, exclude=exclude)


def load(
    path: str | os.PathLike,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ProgressCallback | None = None,
) -> Chain:
    """Read and validate a model file (YAML or JSON) and return its :class:`Chain`.

    Raises :class:`~servicechain.errors.ModelError` listing every problem of the file. JSON
    files go through the fast path of :mod:`servicechain.io.fastjson` (same rules, same messages);
    ``progress`` is called with the name of each stage as it starts.

    Examples
    --------
    >>> from servicechain.samples.examples import example_path
    >>> chain = load(example_path("flowershop"))
    >>> chain.model.scale.max > chain.model.scale.min
    True
    """
    return Chain._from_loaded(read_model(path, max_bytes=max_bytes, progress=progress))


def diff(old: Chain | str | os.PathLike, new: Chain | str | os.PathLike, **options):
    """What changed from ``old`` to ``new`` (chains or model files) and why each segment's and
    the company's delivered quality moved: a :class:`~servicechain.compare.Diff` (see
    :func:`servicechain.compare.diff` for the options).

    Examples
    --------
    >>> from servicechain.samples.examples import example_path
    >>> d = diff(example_path("sapataria_q1"), example_path("sapataria_q2"))
    >>> d.company.after > d.company.before
    True
    """
    from .compare import diff as compare

    old = old if isinstance(old, Chain) else load(old)
    new = new if isinstance(new, Chain) else load(new)
    return compare(old, new, **options)
