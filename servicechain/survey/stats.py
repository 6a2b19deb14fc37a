"""The statistics of survey answers: the standard error of a mean (answers independent, or
clustered by respondent), a seeded respondent-level bootstrap, and Cronbach's alpha with its
confidence interval.

Answers one respondent gives are correlated (a harsh rater is harsh on every item), so with a
respondent column the standard error of a mean is the cluster-robust one (Liang and Zeger 1986,
with the small-sample factor ``G / (G - 1)``, ``G`` respondents) and its interval uses the t
distribution with ``G - 1`` degrees of freedom; or, on request, a bootstrap that resamples
whole respondents (:func:`scipy.stats.bootstrap`, seeded, so the same seed gives the same
numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["ALPHA_FLAG", "Alpha", "Estimate", "bootstrap_mean", "cronbach_alpha", "mean_estimate"]

#: Cronbach's alpha below this is flagged: the items may not measure one thing.
ALPHA_FLAG = 0.7


@dataclass(frozen=True)
class Estimate:
    """A mean with its standard error and confidence interval (on the answers' scale).

    ``method`` is ``"t"`` (answers independent), ``"cluster"`` (cluster-robust by respondent)
    or ``"bootstrap"`` (respondents resampled); ``se``, ``low`` and ``high`` are nan when
    there are too few answers (or respondents) to say.
    """

    mean: float
    se: float
    low: float
    high: float
    answers: int
    respondents: int | None
    method: str


def _t(level: float, df: int) -> float:
    from scipy.special import stdtrit  # Student's t quantile, without importing scipy.stats

    return float(stdtrit(df, 0.5 + level / 2))


def mean_estimate(
    values: np.ndarray | list[float],
    clusters: np.ndarray | list | None = None,
    *,
    level: float = 0.95,
) -> Estimate:
    """Mean of ``values`` with its standard error and ``level`` t interval.

    Without ``clusters`` the answers are taken as independent: ``se = sd / sqrt(n)`` with
    ``n - 1`` degrees of freedom. With ``clusters`` (one respondent label per answer) the
    standard error is cluster-robust: with ``G`` respondents and ``S_g`` the sum of the
    deviations ``x - mean`` of respondent ``g``'s answers,
    ``se^2 = G / (G - 1) * sum_g S_g^2 / n^2``, with ``G - 1`` degrees of freedom.

    Examples
    --------
    Four answers, two respondents who each answered twice the same way:

    >>> e = mean_estimate([4, 4, 2, 2])
    >>> round(e.mean, 3), round(e.se, 4)
    (3.0, 0.5774)
    >>> e = mean_estimate([4, 4, 2, 2], ["ana", "ana", "rui", "rui"])
    >>> round(e.se, 4), e.respondents, e.method
    (1.0, 2, 'cluster')
    """
    x = np.asarray(values, dtype=float)
    n = len(x)
    mean = float(x.mean()) if n else math.nan
    if clusters is None:
        if n < 2:
            return Estimate(mean, math.nan, math.nan, math.nan, n, None, "t")
        se = float(x.std(ddof=1) / math.sqrt(n))
        half = _t(level, n - 1) * se
        return Estimate(mean, se, mean - half, mean + half, n, None, "t")
    _, label = np.unique(np.asarray(clusters, dtype=object).astype(str), return_inverse=True)
    g = int(label.max()) + 1 if n else 0
    if g < 2:
        return Estimate(mean, math.nan, math.nan, math.nan, n, g, "cluster")
    sums = np.bincount(label, weights=x - mean, minlength=g)
    se = math.sqrt(g / (g - 1) * float(sums @ sums)) / n
    half = _t(level, g - 1) * se
    return Estimate(mean, se, mean - half, mean + half, n, g, "cluster")


def bootstrap_mean(
    values: np.ndarray | list[float],
    clusters: np.ndarray | list | None = None,
    *,
    level: float = 0.95,
    resamples: int = 2000,
    seed: int | np.random.SeedSequence = 0,
) -> Estimate:
    """Mean of ``values`` with a bootstrap standard error and percentile interval that resample
    whole respondents (``clusters``), or single answers without them.

    The same ``seed`` gives the same result.

    Examples
    --------
    >>> a = bootstrap_mean([4, 5, 3, 4, 2, 5], ["a", "a", "b", "b", "c", "c"], seed=7)
    >>> b = bootstrap_mean([4, 5, 3, 4, 2, 5], ["a", "a", "b", "b", "c", "c"], seed=7)
    >>> a == b, a.method, a.respondents
    (True, 'bootstrap', 3)
    """
    from scipy.stats import bootstrap

    x = np.asarray(values, dtype=float)
    n = len(x)
    if clusters is None:
        label, g = np.arange(n), n
    else:
        _, label = np.unique(np.asarray(clusters, dtype=object).astype(str), return_inverse=True)
        g = int(label.max()) + 1 if n else 0
    mean = float(x.mean()) if n else math.nan
    respondents = None if clusters is None else g
    if g < 2 or np.ptp(x) == 0:
        se = 0.0 if n and g >= 2 else math.nan
        return Estimate(
            mean,
            se,
            mean if se == 0 else math.nan,
            mean if se == 0 else math.nan,
            n,
            respondents,
            "bootstrap",
        )
    sums = np.bincount(label, weights=x, minlength=g)
    counts = np.bincount(label, minlength=g).astype(float)

    def statistic(pick: np.ndarray, axis: int = -1) -> np.ndarray:
        return sums[pick].sum(axis=axis) / counts[pick].sum(axis=axis)

    result = bootstrap(
        (np.arange(g),),
        statistic,
        n_resamples=resamples,
        vectorized=True,
        confidence_level=level,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    ci = result.confidence_interval
    return Estimate(
        mean,
        float(result.standard_error),
        float(ci.low),
        float(ci.high),
        n,
        respondents,
        "bootstrap",
    )


@dataclass(frozen=True)
class Alpha:
    """Cronbach's alpha of one multi-item dimension, with its Feldt confidence interval."""

    dimension: str
    items: int
    respondents: int
    alpha: float
    low: float
    high: float
    level: float

    @property
    def flagged(self) -> bool:
        """Whether alpha is below :data:`ALPHA_FLAG`."""
        return bool(self.alpha < ALPHA_FLAG)

    def to_dict(self) -> dict:
        """Plain data, for ``--json``."""

        def num(x: float) -> float | None:
            return None if math.isnan(x) else float(x)

        return {
            "dimension": self.dimension,
            "items": self.items,
            "respondents": self.respondents,
            "alpha": num(self.alpha),
            "low": num(self.low),
            "high": num(self.high),
            "level": self.level,
            "below_0_7": self.flagged,
        }


def cronbach_alpha(
    scores: np.ndarray | list[list[float]], *, level: float = 0.95, dimension: str = ""
) -> Alpha:
    """Cronbach's alpha of a respondents × items table, with Feldt's (1965) interval.

    ``alpha = k / (k - 1) * (1 - sum of the item variances / variance of the totals)``; with
    ``n`` respondents, ``(1 - alpha) / (1 - alpha_hat)`` follows an F distribution with
    ``n - 1`` and ``(n - 1)(k - 1)`` degrees of freedom, which gives the interval.

    Examples
    --------
    Five respondents, three items: item variances 0.7, 0.8 and 0.7, totals 10, 9, 13, 8, 12
    with variance 4.3, so alpha = 3/2 × (1 − 2.2/4.3):

    >>> a = cronbach_alpha([[3, 4, 3], [2, 3, 4], [4, 4, 5], [3, 2, 3], [4, 4, 4]])
    >>> round(a.alpha, 4), a.items, a.respondents
    (0.7326, 3, 5)
    """
    from scipy.special import fdtri  # the F quantile, without importing scipy.stats

    x = np.asarray(scores, dtype=float)
    n, k = x.shape
    item_var = x.var(axis=0, ddof=1).sum()
    total_var = x.sum(axis=1).var(ddof=1)
    if k < 2 or n < 2 or total_var == 0:
        return Alpha(dimension, k, n, math.nan, math.nan, math.nan, level)
    alpha = k / (k - 1) * (1 - item_var / total_var)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - float(alpha)) * float(fdtri(df1, df2, 0.5 + level / 2))
    high = 1 - (1 - float(alpha)) * float(fdtri(df1, df2, 0.5 - level / 2))
    return Alpha(dimension, k, n, float(alpha), low, high, level)
