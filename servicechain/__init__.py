"""servicechain: map a company's departments as internal suppliers and customers, trace how the
quality of each internal service reaches the external customers, and draw the chain.

Examples
--------
>>> import servicechain
>>> chain = servicechain.load(servicechain.example_path("sapataria"))
>>> chain.summary().counts["departments"] >= 8
True
"""

from .chain import Chain, load
from .errors import ModelError, Problem, ServiceChainError, UnknownNodeError
from .model.spec import Model
from .samples.examples import example_names, example_path

__version__ = "0.1.0"

__all__ = [
    "Chain",
    "Model",
    "ModelError",
    "Problem",
    "ServiceChainError",
    "UnknownNodeError",
    "__version__",
    "example_names",
    "example_path",
    "load",
]
