"""What can go wrong when drawing: the errors and the warning of the draw package."""

from __future__ import annotations

from ..errors import ServiceChainError

__all__ = ["DiagramTooLargeError", "DrawError", "SmallTextWarning"]


class DrawError(ServiceChainError):
    """A diagram or chart cannot be made as asked (bad format, nothing to draw, ...)."""


class DiagramTooLargeError(DrawError):
    """A model is too large to draw legibly in full."""


class SmallTextWarning(UserWarning):
    """A diagram's labels come out smaller than a slide needs (10 pt at 13.33 in wide)."""
