"""Write a model as a readable YAML file: one flow mapping per record, text quoted when needed.

Text is written plain only when no YAML reader (1.1 or 1.2) could take it for anything but the
same text; otherwise it is double-quoted with escapes, so ids such as ``no``, ``007`` or ``true``
stay text.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..model.spec import Model

__all__ = [
    "LAYOUT_COMMENT",
    "SCHEMA_LINE",
    "flow_record",
    "layout_yaml",
    "model_yaml",
    "yaml_scalar",
]

#: The comment above a written ``layout`` section.
LAYOUT_COMMENT = "# pinned positions: box centres in draw.io pixels (draw --relayout ignores them)"

SCHEMA_LINE = "# yaml-language-server: $schema=servicechain.schema.json"
WIDTH = 100

_PLAIN = re.compile(r"[^\W\d_][\w .()/'&+\-]*", re.UNICODE)
_RESERVED = {
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "none", "~",
}  # fmt: skip
# Characters a YAML file may not hold raw (outside the printable set), written as \u escapes.
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def yaml_scalar(value: Any) -> str:
    """One value as YAML text that reads back as exactly that value.

    Examples
    --------
    >>> [yaml_scalar(v) for v in ("IT Support", "no", "007", "a: b", 4.0, 0.25, True, None)]
    ['IT Support', '"no"', '"007"', '"a: b"', '4', '0.25', 'true', 'null']
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value!r} to a model file")
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text == text.strip() and text.lower() not in _RESERVED:
        return text
    out = "".join(_ESCAPES.get(ch, ch) for ch in text)
    return '"' + _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", out) + '"'


def _key(name: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*", name) and name.lower() not in _RESERVED:
        return name
    return yaml_scalar(name)


def flow_record(record: dict[str, Any], indent: str) -> str:
    """A record as an item of a block sequence, ``- {a: 1, b: x}``, wrapped after a comma when
    longer than :data:`WIDTH`.

    Examples
    --------
    >>> flow_record({"id": "it", "name": "IT: support"}, "  ")
    '  - {id: it, name: "IT: support"}'
    """
    parts = [f"{_key(k)}: {yaml_scalar(v)}" for k, v in record.items()]
    lines, line = [], indent + "- {"
    for i, part in enumerate(parts):
        piece = part + ("}" if i == len(parts) - 1 else ",")
        if len(line) + len(piece) + 1 > WIDTH and not line.endswith("{"):
            lines.append(line)
            line = indent + "   " + piece
        else:
            line += ("" if line.endswith("{") else " ") + piece
    lines.append(line)
    return "\n".join(lines)


def layout_yaml(layout: dict) -> str:
    """The ``layout`` section (pinned positions) as YAML text, one box a line, no newline at the
    end.

    Examples
    --------
    >>> from servicechain.model.spec import Position
    >>> print(layout_yaml({"it": Position(x=120, y=42.5), "no": Position(x=0, y=0)}))
    # pinned positions: box centres in draw.io pixels (draw --relayout ignores them)
    layout:
      it: {x: 120, y: 42.5}
      "no": {x: 0, y: 0}
    """
    lines = [LAYOUT_COMMENT, "layout:"]
    for node, p in layout.items():
        x, y = yaml_scalar(float(p.x)), yaml_scalar(float(p.y))
        lines.append(f"  {_key(node)}: {{x: {x}, y: {y}}}")
    return "\n".join(lines)


def model_yaml(model: Model, *, header: str = "") -> str:
    """The model as YAML text in the style of the bundled examples.

    Values equal to their default are left out; the first line points editors at the schema.

    Examples
    --------
    >>> m = Model.model_validate({"name": "Demo", "departments": [{"id": "no", "name": "Nord"}]})
    >>> print(model_yaml(m), end="")
    # yaml-language-server: $schema=servicechain.schema.json
    name: Demo
    <BLANKLINE>
    departments:
      - {id: "no", name: Nord}
    """
    data = model.model_dump(by_alias=True, exclude_defaults=True, mode="python")
    lines = [SCHEMA_LINE]
    lines += [f"# {line}".rstrip() for line in header.splitlines()]
    for key in ("$schema", "name", "description"):
        if key in data:
            lines.append(f"{_key(key)}: {yaml_scalar(data[key])}")
    if "scale" in data or model.scale.min != 0 or model.scale.max != 1:
        lines.append(
            f"scale: {{min: {yaml_scalar(model.scale.min)}, max: {yaml_scalar(model.scale.max)}}}"
        )
    if "currency" in data:
        lines.append(f"currency: {yaml_scalar(data['currency'])}")
    for section in ("departments", "segments", "partners", "services"):
        records = data.get(section)
        if not records:
            continue
        lines += ["", f"{section}:"]
        lines += [flow_record(rec, "  ") for rec in records]
    if model.layout:
        lines += ["", layout_yaml(model.layout)]
    return "\n".join(lines) + "\n"
