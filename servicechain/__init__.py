"""servicechain: map a company's departments as internal suppliers and customers, trace how the
quality of each internal service reaches the external customers, and draw the chain.

Start with :func:`load` (a model file) or :meth:`Chain.from_dict`; a :class:`Chain` has every
analysis as a method. The package, from the bottom up:

- ``model``: the file format (``spec``), its rules, and the arrays the maths runs on
- ``io``: reading and writing files (models, spreadsheets, scenario files)
- ``flow``: the quality flow (score, explain, sensitivities, what-if, rank)
- ``structure``: trace, roles, gateways, loops, roll-up (no scores needed)
- ``survey``: survey answers folded into scores
- ``draw``, ``export``, ``report``: diagrams and charts, other tools' formats, the report
- ``cli``: the ``servicechain`` command
- ``samples``: the bundled examples (:func:`example_path`) and generated organisations

The names below are imported on first use, so ``import servicechain`` (and the command line's
``--help``) stays light until a model is loaded.

Examples
--------
>>> import servicechain
>>> chain = servicechain.load(servicechain.example_path("sapataria"))
>>> chain.summary().counts["departments"] >= 8
True
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Chain",
    "Model",
    "ModelError",
    "Problem",
    "ServiceChainError",
    "UnknownNodeError",
    "__version__",
    "diff",
    "example_names",
    "example_path",
    "load",
]

#: Where each public name lives (imported by :func:`__getattr__` on first use).
_LAZY = {
    "Chain": ".chain",
    "diff": ".chain",
    "load": ".chain",
    "Model": ".model.spec",
    "ModelError": ".errors",
    "Problem": ".errors",
    "ServiceChainError": ".errors",
    "UnknownNodeError": ".errors",
    "example_names": ".samples.examples",
    "example_path": ".samples.examples",
}

if TYPE_CHECKING:
    from .chain import Chain, diff, load
    from .errors import ModelError, Problem, ServiceChainError, UnknownNodeError
    from .model.spec import Model
    from .samples.examples import example_names, example_path


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
