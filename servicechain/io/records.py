"""Add and delete records of a user's model file and replace its ``layout`` section, keeping
everything else: comments, blank lines, the order and style of the records left alone.

A deleted record goes with its lines (and the comment at the end of its last line); a new one
is written after the last record of its section, in the style of the bundled examples
(``- {id: hr, name: People}``); the ``layout`` section is written at the end of the file.
Values of records are set by :func:`servicechain.io.rewrite.set_values`. Every result is read
back by :func:`edited_text` and must give the expected model, else a fresh file is written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import ServiceChainError
from ..model.spec import Model, Position
from .rewrite import set_values
from .yamlout import flow_record, layout_yaml, model_yaml

__all__ = ["edit_records", "edited_text"]


def edit_records(
    text: str,
    *,
    values: Mapping[tuple[str, int, str], Any] | None = None,
    deleted: set[tuple[str, int]] | frozenset = frozenset(),
    appended: Mapping[str, list[dict]] | None = None,
    layout: dict[str, dict] | None = None,
    fmt: str = "yaml",
) -> str:
    """``text`` (a model file) with values set, records deleted and appended, and the
    ``layout`` section replaced (``None``: left as it is).

    Raises
    ------
    KeyError
        When the file is not laid out in a way these edits can keep (a section written as a
        flow sequence, say): write a fresh file instead.

    Examples
    --------
    >>> text = '''name: Shop
    ... departments:
    ...   - {id: it, name: IT}  # the help desk
    ...   - {id: old, name: Old}  # closing in May
    ... services:
    ...   - {from: old, to: it}
    ...   - {from: it, to: old}  # goes, with old
    ...   # kept: the help desk serves the shop
    ...   - {from: it, to: shop}
    ... '''
    >>> print(edit_records(text, deleted={("departments", 1), ("services", 0), ("services", 1)},
    ...                    appended={"departments": [{"id": "hr", "name": "HR"}]},
    ...                    layout={"it": {"x": 80, "y": 40}}), end="")
    name: Shop
    departments:
      - {id: it, name: IT}  # the help desk
      - {id: hr, name: HR}
    services:
      # kept: the help desk serves the shop
      - {from: it, to: shop}
    <BLANKLINE>
    # pinned positions: box centres in draw.io pixels (draw --relayout ignores them)
    layout:
      it: {x: 80, y: 40}
    """
    text = set_values(text, values or {}, fmt=fmt)
    appended = appended or {}
    if fmt == "json":
        data = json.loads(text)
        for section in ("departments", "partners", "segments", "services"):
            records = data.get(section)
            if records is None and section not in appended:
                continue
            kept = [r for i, r in enumerate(records or []) if (section, i) not in deleted]
            data[section] = kept + list(appended.get(section, []))
        if layout is not None:
            data.pop("layout", None)
            if layout:
                data["layout"] = layout
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return _edit_yaml(text, deleted, appended, layout)


def _line_start(text: str, at: int) -> int:
    return text.rfind("\n", 0, at) + 1


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end + 1


def _last_mark(node: Any) -> int:
    """Where the text of a record (or a mapping) ends: after its last value."""
    while hasattr(node, "value") and isinstance(node.value, list) and node.value:
        if node.flow_style:
            return node.end_mark.index
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node.end_mark.index


def _edit_yaml(text: str, deleted, appended: Mapping[str, list[dict]], layout) -> str:
    from ruamel.yaml import YAML
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    root = YAML(typ="rt", pure=True).compose(text)
    if not isinstance(root, MappingNode) or root.flow_style:
        raise KeyError("the top level is not a block mapping")
    sections = {key.value: (key, value) for key, value in root.value}
    edits: list[tuple[int, int, str]] = []
    tail: list[str] = []
    for section in ("departments", "partners", "segments", "services"):
        gone = sorted(i for s, i in deleted if s == section)
        new = appended.get(section, [])
        if not gone and not new:
            continue
        if section not in sections:
            tail.append(f"{section}:\n" + "\n".join(flow_record(r, "  ") for r in new))
            continue
        key, seq = sections[section]
        if not isinstance(seq, SequenceNode) or seq.flow_style:
            raise KeyError(f"{section} is not a block sequence")
        for i in gone:
            record = seq.value[i]
            start = _line_start(text, record.start_mark.index)
            if text[start : record.start_mark.index].strip() != "-":
                raise KeyError(f"{section}[{i}] does not start its line")
            edits.append((start, _line_end(text, _last_mark(record)), ""))
        if new:
            if seq.value:
                last = seq.value[-1]
                at = _line_end(text, _last_mark(last))
                dash = _line_start(text, last.start_mark.index)
                indent = " " * (text.index("-", dash) - dash)
            else:
                at, indent = _line_end(text, key.end_mark.index), "  "
            lines = "\n".join(flow_record(r, indent) for r in new) + "\n"
            edits.append((at, at, lines if text[at - 1 : at] == "\n" else "\n" + lines))
    if layout is not None:
        if "layout" in sections:
            key, value = sections["layout"]
            start = _line_start(text, key.start_mark.index)
            above = _line_start(text, max(start - 1, 0))
            if text[above:start].startswith("# pinned positions"):
                start = above
            edits.append((start, _line_end(text, _last_mark(value)), ""))
        if layout:
            tail.append(layout_yaml({n: Position(**p) for n, p in layout.items()}))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    if tail:
        text = text.rstrip("\n") + "\n\n" + "\n\n".join(tail) + "\n"
    return text


def edited_text(
    original: str | None,
    model: Model,
    *,
    original_fmt: str = "yaml",
    fmt: str = "yaml",
    header: str = "",
    **edits: Any,
) -> str:
    """The text of ``model``: the ``original`` file with ``edits`` (see :func:`edit_records`)
    when that reads back as ``model`` exactly, else a fresh file in ``fmt``.

    Examples
    --------
    >>> m = Model.model_validate({"name": "Demo", "departments": [{"id": "a", "name": "A"}]})
    >>> edited_text("name: Demo  # ours\\ndepartments: [{id: a, name: A}]\\n", m)
    'name: Demo  # ours\\ndepartments: [{id: a, name: A}]\\n'
    """
    if original is not None and original_fmt == fmt:
        from .load import parse_model

        try:
            text = edit_records(original, fmt=fmt, **edits)
            if parse_model(text, fmt=fmt).model == model:
                return text
        except (KeyError, ValueError, TypeError, IndexError, AttributeError, ServiceChainError):
            pass
    if fmt == "json":
        data = model.model_dump(by_alias=True, exclude_defaults=True, mode="json")
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return model_yaml(model, header=header)
