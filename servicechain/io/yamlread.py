"""Reading YAML safely and fast: plain data and the position of every value, nothing executed.

The text is parsed by libyaml (through PyYAML's C parser) into a stream of events, which are
turned into plain data without recursion, so neither a 6 MB model nor 100,000 nested brackets
strain the reader. Scalars follow YAML 1.2 (``no`` stays a string; the resolver is ruamel's,
so the values are exactly those ruamel would give); tags other than the plain ones, merge keys
and duplicate keys are refused; nesting depth and alias expansion are bounded. A file libyaml
cannot parse is handed to ruamel, whose messages name the problem in plainer words.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = [
    "ALIAS_EXPANSION_FACTOR",
    "ALIAS_EXPANSION_FLOOR",
    "MAX_DEPTH",
    "ReadError",
    "read_yaml",
    "scalar_value",
    "whole_number",
]

#: How many values a YAML file may expand to through aliases, per distinct value it holds.
ALIAS_EXPANSION_FACTOR = 10
#: Absolute floor of the alias budget, so small files may reuse anchors freely.
ALIAS_EXPANSION_FLOOR = 10_000
#: How deep values may be nested (a model needs three levels).
MAX_DEPTH = 50
#: Files with a syntax error up to this size are read again by ruamel for its message.
RUAMEL_MESSAGE_MAX_CHARS = 2_000_000

Position = tuple[int, int]
Loc = tuple[str | int, ...]

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_DIRECTIVE = re.compile(r"^%YAML[ \t]+([^ \t\r\n#]*)", re.MULTILINE)


class ReadError(Exception):
    """A problem that stops reading the file (syntax, encoding, size)."""

    def __init__(
        self, message: str, fix: str = "", line: int | None = None, col: int | None = None
    ):
        super().__init__(message)
        self.message, self.fix, self.line, self.col = message, fix, line, col


def read_yaml(text: str, *, depth_limit: bool = True) -> tuple[Any, dict[Loc, Position]]:
    """Plain data and the 1-based ``(line, column)`` of every value of a YAML text.

    ``depth_limit=False`` reads values nested at any depth (to find the positions of the other
    values of a JSON file that holds one too deep).

    Raises
    ------
    ReadError
        For a syntax error, a control character, a tag, a merge or duplicate key, values
        nested deeper than :data:`MAX_DEPTH`, or aliases that expand too far.

    Examples
    --------
    >>> data, positions = read_yaml("name: Demo\\nflag: no\\nscores: [1, 2.5, 0x10]\\n")
    >>> data, positions[("scores", 2)]
    ({'name': 'Demo', 'flag': 'no', 'scores': [1, 2.5, 16]}, (3, 18))
    """
    version = _version(text)
    reader = _Events(version, MAX_DEPTH if depth_limit else math.inf)
    try:
        data = reader.run(_parse(text), budget=None)
    except _Unparsable as err:
        raise _syntax_error(text, err.error) from None
    if data is _NOTHING:
        raise ReadError(
            "the file holds only comments", "add `name:`, `departments:` and `services:`"
        )
    budget = max(ALIAS_EXPANSION_FLOOR, ALIAS_EXPANSION_FACTOR * reader.unique)
    if reader.seen > budget:
        # read again, counting as the values are visited, to stop where the budget runs out
        _Events(version, reader.max_depth).run(_parse(text), budget=budget, unique=reader.unique)
    return data, reader.positions


def _version(text: str) -> tuple[int, int]:
    found = _DIRECTIVE.search(text)
    if found is None:
        return (1, 2)
    if found.group(1) not in ("1.1", "1.2"):
        line = text.count("\n", 0, found.start()) + 1
        raise ReadError(
            f"YAML version {found.group(1) or '(none)'} is not supported",
            "write `%YAML 1.2` or remove the line",
            line,
            1,
        )
    return (1, 1) if found.group(1) == "1.1" else (1, 2)


class _Unparsable(Exception):
    def __init__(self, error: Exception):
        self.error = error


def _parse(text: str):
    import yaml

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    events = yaml.parse(text, Loader=loader)
    while True:
        try:
            event = next(events)
        except StopIteration:
            return
        except yaml.YAMLError as err:
            raise _Unparsable(err) from None
        yield event


def _syntax_error(text: str, error: Exception) -> ReadError:
    """The message for a file libyaml cannot parse: ruamel's words where it is quick enough."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if hasattr(error, "position") and hasattr(error, "character"):  # a ReaderError
        return _control_character(text, error.position)
    if len(text) <= RUAMEL_MESSAGE_MAX_CHARS:
        found = _ruamel_error(text)
        if found is not None:
            return found
    problem = (getattr(error, "problem", None) or getattr(error, "context", None) or "").strip()
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    return ReadError(
        f"not valid YAML: {problem or 'syntax error'}",
        "fix the YAML syntax at that place",
        line,
        col,
    )


_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _control_character(text: str, position: int) -> ReadError:
    """The first character YAML does not allow (the parsers count the position in bytes)."""
    found = _NOT_PRINTABLE.search(text)
    position = found.start() if found else position
    char = text[position] if 0 <= position < len(text) else "?"
    line = text.count("\n", 0, position) + 1
    col = position - (text.rfind("\n", 0, position) + 1) + 1
    return ReadError(
        f"the control character U+{ord(char):04X} is not allowed in YAML",
        "remove it; write it as an escape such as \\t inside double quotes if it is meant",
        line,
        col,
    )


def _ruamel_error(text: str) -> ReadError | None:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    yaml = YAML(typ="rt", pure=True)
    yaml.version = (1, 2)
    try:
        yaml.compose(text)
    except ReaderError as err:
        return _control_character(text, err.position)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        problem = (err.problem or err.context or "syntax error").strip()
        if "\t" in problem or "'\\t'" in problem:
            return ReadError(
                "a tab character is used for indentation",
                "YAML indents with spaces: replace the tabs with spaces",
                line,
                col,
            )
        return ReadError(
            f"not valid YAML: {problem}", "fix the YAML syntax at that place", line, col
        )
    except (YAMLError, RecursionError, AssertionError) as err:
        return ReadError(f"not valid YAML: {err}", "fix the YAML syntax")
    return None


_NOTHING = object()


class _Frame:
    """An open mapping or sequence, while its events arrive."""

    __slots__ = ("anchor", "depth", "height", "key", "key_mark", "loc", "start", "value")

    def __init__(self, value: Any, loc: Loc, depth: int, anchor: str | None, start: int):
        self.value, self.loc, self.depth, self.anchor, self.start = value, loc, depth, anchor, start
        self.key: Any = _NOTHING
        self.key_mark: Any = None
        self.height = 1  # levels of nesting from here down, aliases expanded


class _Events:
    """Turns parser events into data; counts values (``unique``) and their expansion through
    aliases (``seen``, as a walk of the composed tree would visit them)."""

    def __init__(self, version: tuple[int, int], max_depth: float):
        from ruamel.yaml.resolver import VersionedResolver

        self.max_depth = max_depth
        # ruamel's own table of implicit tags (by first character) for this YAML version
        table = VersionedResolver(version=version).versioned_resolver
        self._implicit = {
            first: [(str(tag), regexp) for tag, regexp in resolvers]
            for first, resolvers in table.items()
        }
        self.positions: dict[Loc, Position] = {}
        self.unique = 0
        self.seen = 0
        # anchor -> (value, visits, height, mark, scalar text or None, trail start, trail end)
        self._anchors: dict[str, tuple] = {}
        self._open: set[str] = set()
        self._trail: list[tuple] = []  # kept only when a budget is checked

    def run(self, events, *, budget: int | None, unique: int = 0) -> Any:
        import yaml

        self._budget, self._unique_total = budget, unique
        stack: list[_Frame] = []
        root: Any = _NOTHING
        for event in events:
            kind = type(event)
            if kind is yaml.ScalarEvent or kind is yaml.AliasEvent:
                value, done = self._leaf(event, stack)
                if done:
                    root = value
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                self._open_collection(event, stack, kind is yaml.MappingStartEvent)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = stack.pop()
                self._close(frame, stack)
                if not stack:
                    root = frame.value
            elif kind is yaml.DocumentStartEvent and root is not _NOTHING:
                raise _Unparsable(
                    yaml.YAMLError("expected a single document in the stream")
                ) from None
        return root

    # --- one value ---------------------------------------------------------------------

    def _slot(self, event: Any, stack: list[_Frame]) -> tuple[Loc, int, bool]:
        """Where a value goes: its location, its depth, and whether it is a mapping key."""
        if not stack:
            return (), 0, False
        parent = stack[-1]
        if isinstance(parent.value, dict):
            if parent.key is _NOTHING:
                return parent.loc, parent.depth + 1, True
            return (*parent.loc, parent.key), parent.depth + 1, False
        return (*parent.loc, len(parent.value)), parent.depth + 1, False

    def _visit(self, mark: Any, depth: int, count: int = 1, anchor: str | None = None) -> None:
        """Count ``count`` visits of values (the expansion of ``anchor``), in the order a walk
        of the tree makes them."""
        before = self.seen
        self.seen += count
        if self._budget is not None and self.seen > self._budget:
            where = mark if anchor is None else self._locate(anchor, self._budget - before + 1)
            raise ReadError(
                f"aliases expand this file to over {self._budget:,} values "
                f"(it holds only {self._unique_total:,}): an alias bomb or a runaway anchor",
                "write the repeated parts out, or use fewer nested aliases",
                where.line + 1,
                where.column + 1,
            )
        if depth > self.max_depth:
            _too_deep(mark)

    def _leaf(self, event: Any, stack: list[_Frame]) -> tuple[Any, bool]:
        import yaml

        loc, depth, is_key = self._slot(event, stack)
        mark = event.start_mark
        if type(event) is yaml.AliasEvent:
            name = event.anchor
            if name in self._open:
                _too_deep(mark)
            if name not in self._anchors:
                raise _Unparsable(yaml.YAMLError(f"found undefined alias {name!r}"))
            value, visits, height, root_mark, text, *_ = self._anchors[name]
            if is_key:
                if text is None:
                    _not_a_word(mark)
                self._key(stack[-1], text, mark)
                return None, False
            if self._budget is not None:
                self._trail.append(("alias", name, visits))
                self._visit(mark, depth, visits, anchor=name)
            else:
                self.seen += visits
            if depth + height - 1 > self.max_depth:
                _too_deep(mark)
            self.positions.setdefault(loc, (root_mark.line + 1, root_mark.column + 1))
            return self._place(stack, value, height), not stack
        self.unique += 1
        if is_key:
            if event.implicit[0] and event.value == "<<" and event.tag is None:
                raise ReadError(
                    "merge keys (<<) are not supported",
                    "write the fields out in full",
                    mark.line + 1,
                    mark.column + 1,
                )
            self._key(stack[-1], event.value, mark)
            return None, False
        if self._budget is not None:
            self._trail.append(("node", mark))
        self._visit(mark, depth)
        self.positions.setdefault(loc, (mark.line + 1, mark.column + 1))
        value = self._scalar(event)
        if event.anchor is not None:
            self._anchors[event.anchor] = (value, 1, 1, mark, event.value, 0, 0)
        return self._place(stack, value), not stack

    def _key(self, frame: _Frame, text: str, mark: Any) -> None:
        key = str(text)
        if key in frame.value:
            first = self.positions.get((*frame.loc, key))
            where = f" (first at line {first[0]})" if first else ""
            raise ReadError(
                f"duplicate key {key!r}{where}",
                "keep one of them and remove the other",
                mark.line + 1,
                mark.column + 1,
            )
        frame.key, frame.key_mark = key, mark
        self.positions[(*frame.loc, key)] = (mark.line + 1, mark.column + 1)

    def _place(self, stack: list[_Frame], value: Any, height: int = 1) -> Any:
        if stack:
            parent = stack[-1]
            if height >= parent.height:
                parent.height = height + 1
            if isinstance(parent.value, dict):
                parent.value[parent.key] = value
                parent.key = _NOTHING
            else:
                parent.value.append(value)
        return value

    # --- collections -------------------------------------------------------------------

    def _open_collection(self, event: Any, stack: list[_Frame], mapping: bool) -> None:
        loc, depth, is_key = self._slot(event, stack)
        mark = event.start_mark
        if is_key:
            _not_a_word(mark)
        if event.tag is not None and event.tag != "!" and event.tag != (_MAP if mapping else _SEQ):
            _bad_tag(event.tag, mark)
        self.unique += 1
        if self._budget is not None:
            self._trail.append(("node", mark))
        self._visit(mark, depth)
        self.positions.setdefault(loc, (mark.line + 1, mark.column + 1))
        if event.anchor is not None:
            self._open.add(event.anchor)
        start = len(self._trail) - 1
        stack.append(_Frame({} if mapping else [], loc, depth, event.anchor, self.seen - 1))
        stack[-1].start = (start, self.seen - 1)

    def _close(self, frame: _Frame, stack: list[_Frame]) -> None:
        if frame.anchor is not None:
            start, seen_before = frame.start
            visits = self.seen - seen_before
            height = frame.height
            mark = _mark_of(self.positions, frame.loc)
            self._open.discard(frame.anchor)
            self._anchors[frame.anchor] = (
                frame.value,
                visits,
                height,
                mark,
                None,
                start,
                len(self._trail),
            )
        self._place(stack, frame.value, frame.height)

    def _locate(self, name: str, k: int) -> Any:
        """The mark of the ``k``-th value (from 1) visited in the expansion of anchor ``name``."""
        *_, start, end = self._anchors[name]
        for entry in self._trail[start:end]:
            if entry[0] == "node":
                if k == 1:
                    return entry[1]
                k -= 1
            elif k <= entry[2]:
                return self._locate(entry[1], k)
            else:
                k -= entry[2]
        return self._anchors[name][3]

    # --- scalars -----------------------------------------------------------------------

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            plain = event.implicit[0] if tag is None else not event.style
            tag = self._implicit_tag(event.value) if plain else _STR
        if tag not in _SCALAR_TAGS:
            _bad_tag(tag, event.start_mark)
        return scalar_value(tag, event.value)

    def _implicit_tag(self, value: str) -> str:
        for tag, regexp in self._implicit.get(value[:1], ()):
            if regexp.match(value):
                return tag
        return _STR


def _mark_of(positions: dict[Loc, Position], loc: Loc) -> Any:
    line, col = positions.get(loc, (1, 1))
    return _Mark(line - 1, col - 1)


class _Mark:
    __slots__ = ("column", "line")

    def __init__(self, line: int, column: int):
        self.line, self.column = line, column


def scalar_value(tag: str, value: str) -> Any:
    """The Python value of a plain-tagged YAML scalar.

    Examples
    --------
    >>> scalar_value("tag:yaml.org,2002:int", "1_000")
    1000
    >>> scalar_value("tag:yaml.org,2002:float", "-.inf")
    -inf
    """
    if tag == _STR:
        return value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    if tag == "tag:yaml.org,2002:int":
        return whole_number(value.replace("_", ""))
    lowered = value.lower().replace("_", "")
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(lowered)


def whole_number(digits: str) -> int | float:
    """A whole number; one too long for Python to convert (thousands of digits) is infinite,
    which validation then refuses as too large, with its position."""
    if len(digits) > 4000:
        return -math.inf if digits.startswith("-") else math.inf
    return int(digits, 10) if digits.lstrip("+-").isdigit() else int(digits, 0)


def _bad_tag(tag: str, mark: Any) -> None:
    shown = str(tag).replace("tag:yaml.org,2002:", "!!")
    raise ReadError(
        f"the tag {shown} is not allowed",
        "remove it: model files hold plain text, numbers, lists and mappings only",
        mark.line + 1,
        mark.column + 1,
    )


def _too_deep(mark: Any) -> None:
    raise ReadError(
        f"values are nested deeper than {MAX_DEPTH} levels, or an alias refers to itself",
        "flatten the structure; a model needs only three levels",
        mark.line + 1,
        mark.column + 1,
    )


def _not_a_word(mark: Any) -> None:
    raise ReadError(
        "a key must be a plain word, not a list or mapping",
        "use a field name such as `name:`",
        mark.line + 1,
        mark.column + 1,
    )
