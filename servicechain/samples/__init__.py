"""Samples to try the tool on: the bundled example models, the starter model of ``init``, and
seeded synthetic organisations of any size (``generate``)."""
