"""Set values in a user's model file and keep everything else: comments, layout, quoting, order.

A command that updates a model the user wrote (``survey`` sets service and department
qualities) changes only the characters of the values it sets: a value already in the file is
replaced where it stands; a new one is added at the end of its record, in the record's style
(``{..., quality: 4.2}`` in a flow mapping, a new line in a block mapping). JSON has no
comments: it is read and written again with its key order and indentation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..errors import ServiceChainError
from ..model.spec import Model
from .yamlout import model_yaml, yaml_scalar

__all__ = ["model_text", "set_values"]

#: ``(section, index, field)``, e.g. ``("services", 3, "quality")``.
Key = tuple[str, int, str]


def set_values(text: str, changes: Mapping[Key, Any], *, fmt: str = "yaml") -> str:
    """``text`` (a model file) with each ``(section, index, field)`` set to its new value.

    Parameters
    ----------
    text : str
        The model file as it is on disk.
    changes : mapping
        New value of each ``(section, index, field)``; the index counts the records of the
        section in file order.
    fmt : {"yaml", "json"}, keyword-only
        The format of ``text``.

    Returns
    -------
    str
        The same text with only those values changed or added.

    Raises
    ------
    KeyError
        When a record named by ``changes`` is not in the file.

    Examples
    --------
    >>> text = "name: Demo  # ours\\nservices:\\n  - {from: a, to: b, quality: 3}  # POS\\n"
    >>> print(set_values(text, {("services", 0, "quality"): 4.25}), end="")
    name: Demo  # ours
    services:
      - {from: a, to: b, quality: 4.25}  # POS
    >>> print(set_values(text, {("services", 0, "weight"): 2}), end="")
    name: Demo  # ours
    services:
      - {from: a, to: b, quality: 3, weight: 2}  # POS
    """
    if not changes:
        return text
    if fmt == "json":
        return _set_json(text, changes)
    return _set_yaml(text, changes)


def model_text(
    model: Model,
    *,
    changes: Mapping[Key, Any],
    original: str | None = None,
    original_fmt: str = "yaml",
    fmt: str = "yaml",
    header: str = "",
) -> str:
    """The text of ``model`` in ``fmt``: the ``original`` file with only ``changes`` applied
    when it is given in the same format, else a fresh file (YAML with ``header`` as a comment).

    The rewritten original is read back and must give ``model`` exactly; if it does not (a
    record behind a YAML alias, say), a fresh file is written instead.

    Examples
    --------
    >>> m = Model.model_validate({"name": "Demo", "departments": [{"id": "a", "name": "A"}]})
    >>> model_text(m, changes={}, fmt="json").splitlines()[:3]
    ['{', '  "name": "Demo",', '  "departments": [']
    """
    if original is not None and original_fmt == fmt:
        from .load import parse_model

        try:
            text = set_values(original, changes, fmt=fmt)
            if parse_model(text, fmt=fmt).model == model:
                return text
        except (KeyError, ValueError, TypeError, IndexError, ServiceChainError):
            pass
    if fmt == "json":
        data = model.model_dump(by_alias=True, exclude_defaults=True, mode="json")
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return model_yaml(model, header=header)


def _set_json(text: str, changes: Mapping[Key, Any]) -> str:
    data = json.loads(text)
    for (section, index, name), value in changes.items():
        data[section][index][name] = value
    match = re.search(r"\n([ \t]+)\S", text)
    indent = match.group(1) if match else None
    out = json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False)
    return out + "\n" if text.endswith("\n") else out


def _set_yaml(text: str, changes: Mapping[Key, Any]) -> str:
    from ruamel.yaml import YAML
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    yaml = YAML(typ="rt", pure=True)
    yaml.version = (1, 2)
    root = yaml.compose(text)
    sections = {key.value: value for key, value in root.value} if root is not None else {}
    edits: list[tuple[int, int, str]] = []  # (start, end, new text), applied from the end
    added: dict[int, tuple[int, str]] = {}  # fields new to a record, in the order given
    for (section, index, name), value in changes.items():
        records = sections.get(section)
        if not isinstance(records, SequenceNode) or index >= len(records.value):
            raise KeyError(f"{section}[{index}] is not in the file")
        record = records.value[index]
        if not isinstance(record, MappingNode) or not record.value:
            raise KeyError(f"{section}[{index}] is not a mapping with fields")
        scalar = yaml_scalar(value)
        found = next((v for k, v in record.value if k.value == name), None)
        if found is not None:
            edits.append((found.start_mark.index, found.end_mark.index, scalar))
        else:
            at, _, new = _addition(text, record, name, scalar)
            before = added.get(id(record), (at, ""))[1]
            added[id(record)] = (at, before + new)
    edits += [(at, at, new) for at, new in added.values()]
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _addition(text: str, record: Any, name: str, scalar: str) -> tuple[int, int, str]:
    """Where and what to insert to give ``record`` the new field ``name``."""
    last_key, last_value = record.value[-1]
    at = last_value.end_mark.index
    if record.flow_style:
        return at, at, f", {name}: {scalar}"
    end_of_line = text.find("\n", at)
    end_of_line = len(text) if end_of_line < 0 else end_of_line
    indent = " " * last_key.start_mark.column
    return end_of_line, end_of_line, f"\n{indent}{name}: {scalar}"
