"""Doctest set-up: run matplotlib headless."""

import matplotlib

matplotlib.use("Agg")
