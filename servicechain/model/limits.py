"""The bounds every number of a model keeps (a module of its own, so that the readers and the
command line can check numbers without loading the file format's pydantic models)."""

from __future__ import annotations

__all__ = ["MAX_NUMBER"]

#: The largest size of any number in a model. Whole numbers up to it are exact as floats, and
#: every sum, product and spread the tool computes from such numbers stays finite.
MAX_NUMBER = 1e15
