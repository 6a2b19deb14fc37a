"""Compare two versions of a model: records added, removed and renamed, inputs changed, and each
segment's and the company's change in delivered quality split into the contributions of the
changed inputs, adding up to the change exactly (the method is in
:mod:`servicechain.compare.attribute`).
"""

from __future__ import annotations

import os

import numpy as np

from ..flow.state import state_of
from ..progress import gc_paused
from .attribute import EXACT_MAX_GROUPS, SAMPLES, attribute
from .match import Change, Union, overlay
from .result import Contribution, Diff, Item, Movement

__all__ = ["Contribution", "Diff", "Item", "Movement", "diff"]


def diff(
    old,
    new,
    *,
    samples: int = SAMPLES,
    seed: int = 0,
    exact_max: int = EXACT_MAX_GROUPS,
    old_label: str | None = None,
    new_label: str | None = None,
) -> Diff:
    """What changed from ``old`` to ``new`` and why each segment's quality moved.

    Parameters
    ----------
    old, new : Chain
        The two versions (:func:`servicechain.diff` also takes paths).
    samples, seed : int, keyword-only
        Random orders for the Shapley values of segments reached by more than ``exact_max``
        changed departments, and their seed (the same inputs give the same result).
    exact_max : int, keyword-only
        Segments reached by at most this many changed departments are solved exactly.
    old_label, new_label : str, keyword-only
        How the two versions are named in the text (default: their file names, else OLD/NEW).

    Returns
    -------
    Diff

    Examples
    --------
    >>> import servicechain
    >>> q1 = servicechain.load(servicechain.example_path("sapataria_q1"))
    >>> q2 = servicechain.load(servicechain.example_path("sapataria_q2"))
    >>> d = servicechain.diff(q1, q2)
    >>> move = d.segment("compradores_online")
    >>> abs(sum(c.amount for c in move.contributions) - move.change) < 1e-9
    True
    >>> servicechain.diff(q1, q1).empty
    True
    """
    old_chain, new_chain = old, new
    with gc_paused():  # many small objects, no cycles: a full collection would only cost time
        u = overlay(old_chain.network, new_chain.network)
        at = attribute(u, samples=samples, seed=seed, exact_max=exact_max)
    so, sn = state_of(old_chain), state_of(new_chain)
    qo, qn = so.quality, sn.quality
    o_index, n_index = old_chain.network.index, new_chain.network.index
    scale = new_chain.network.scale
    span = scale.max - scale.min
    items = [_item(u, c, scale.min, span) for c in u.changes]
    moving = np.abs(at.linear).sum(axis=1) > 0
    for g, cs in enumerate(at.members):
        if np.abs(at.shares[g]).sum() > 0:
            moving[cs] = True
    segments = []
    for col, k in enumerate(at.outputs.tolist()):
        if not u.present[:, k].all():
            continue
        ident = u.ids[k]
        move = Movement(ident, u.name(k), float(qo[o_index[ident]]), float(qn[n_index[ident]]))
        move.contributions = _contributions(u, at, items, col)
        segments.append(move)
    company = None
    c_old, c_new = so.company(qo), sn.company(qn)
    if so.total_value > 0 and sn.total_value > 0:
        company = Movement(None, "Company", c_old, c_new, _contributions(u, at, items, -1))
    order = sorted(range(len(items)), key=lambda c: (_RANK.get(items[c].kind, 9), c))
    return Diff(
        old_name=old_chain.name,
        new_name=new_chain.name,
        old_scale=(old_chain.network.scale.min, old_chain.network.scale.max),
        scale=(scale.min, scale.max),
        items=[items[c] for c in order],
        idle=int((~moving[[c for c in order if u.changes[c].kind not in _NAMES]]).sum()),
        segments=segments,
        company=company,
        exact=at.exact,
        samples=at.samples,
        seed=seed,
        old_label=old_label or _label(old, "OLD"),
        new_label=new_label or _label(new, "NEW"),
    )


#: Order of the listed changes: records first, then own inputs, then services.
_RANK = {"added": 0, "removed": 1, "renamed": 2, "quality": 3, "baseline": 3, "dependence": 4}
_RANK |= {"value": 5, "service added": 6, "service removed": 6, "service rerouted": 6}
_NAMES = ("renamed", "service renamed")


def _label(chain, default: str) -> str:
    return os.path.basename(chain.file) if chain.file else default


def _contributions(u: Union, at, items: list[Item], col: int) -> list[Contribution]:
    out = []
    for c in np.flatnonzero(at.linear[:, col]).tolist():
        item = items[c]
        amount = float(at.linear[c, col])
        out.append(Contribution(item.kind, item.id, item.name, item.text, amount, brief=item.brief))
    for g in np.flatnonzero(at.shares[:, col]).tolist():
        node = at.groups[g]
        # A segment's own score does not depend on segment values (only the company's does).
        shown = [c for c in at.members[g] if col == -1 or u.changes[c].kind != "value"]
        texts = tuple(items[c].text for c in shown)
        text = "; ".join(texts[:2])
        brief = "; ".join(items[c].brief for c in shown[:2])
        if len(texts) > 2:
            text += f"; and {len(texts) - 2} more"
            brief += f"; and {len(texts) - 2} more"
        out.append(
            Contribution(
                "structure",
                u.ids[node],
                u.name(node),
                text,
                float(at.shares[g, col]),
                float(at.stderr[g, col]),
                texts,
                brief,
            )
        )
    out.sort(key=lambda c: (-abs(c.amount), c.text))
    return out


def _score(x: float | None, lo: float, span: float) -> str:
    if x is None:
        return "not given"
    digits = 1 if span > 20 else 2
    return f"{lo + x * span:.{digits}f}"


def _number(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:g}"


def _item(u: Union, c: Change, lo: float, span: float) -> Item:
    node = c.node
    name, ident = u.name(node), u.ids[node]
    kind = c.kind
    if kind in ("added", "removed"):
        text = f"{c.subject} {name} ({ident}) {kind}"
    elif kind == "renamed":
        text = f"{ident} renamed: {c.old} → {c.new}"
    elif kind in ("quality", "baseline"):
        what = "own quality" if kind == "quality" else "baseline (outside the chain)"
        old = _score(c.old, lo, span)
        if c.old is None:
            old += " (counted as perfect)"
        text = f"{name}: {what} {old} → {_score(c.new, lo, span)}"
    elif kind == "dependence":
        text = f"{name}: dependence {c.old:g} → {c.new:g}"
    elif kind == "value":
        text = f"{name}: value {_number(c.old)} → {_number(c.new)} (revenue, else customers)"
    else:
        label = u.service_label(c.services[-1])
        if kind == "rating":
            text = f"{label}: rating {_score(c.old, lo, span)} → {_score(c.new, lo, span)}"
        elif kind == "rating added":
            text = f"{label}: now rated {_score(c.new, lo, span)} (was unrated)"
        elif kind == "rating removed":
            text = f"{label}: no longer rated (was {_score(c.old, lo, span)})"
        elif kind == "weight":
            text = f"{label}: weight {c.old:g} → {c.new:g}"
        elif kind == "service rerouted":
            end = "from" if c.subject == "supplier" else "to"
            text = f"{label}: now {end} {u.name(c.new)} (was {u.name(c.old)})"
        elif kind == "service renamed":
            text = f"{label}: renamed (was {c.old})"
        else:
            text = f"{u.service_label(c.services[0])}: {kind.split()[1]}"
    old, new = c.old, c.new
    if kind in ("quality", "baseline", "rating", "rating added", "rating removed"):
        old = None if old is None else lo + old * span
        new = None if new is None else lo + new * span
    elif kind == "service rerouted":
        old, new = u.ids[c.old], u.ids[c.new]
    pairs = tuple((u.ids[u.source[s]], u.ids[u.target[s]]) for s in c.services)
    brief = text
    if c.services:
        s = c.services[-1] if kind != "service added" else c.services[0]
        brief = text.replace(u.service_label(s), u.service_brief(s), 1)
    return Item(kind, ident, name, text, old, new, pairs, brief)
