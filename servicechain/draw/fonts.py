"""Fonts for diagrams: a family list, built at render time, that covers every character drawn.

Nothing here changes matplotlib's global settings; the renderer passes the list to the text it
draws (and to ``matplotlib.rc_context`` while it draws).
"""

from __future__ import annotations

import unicodedata
import warnings
from functools import cache, lru_cache

from ..errors import ServiceChainError

__all__ = [
    "FontError",
    "MissingGlyphsWarning",
    "families_for",
    "font_families",
    "glyph_advance",
    "line_height",
    "missing_characters",
]

BASE_FAMILY = "DejaVu Sans"
_CJK_NAMES = (
    "Noto Sans CJK",
    "Source Han Sans",
    "WenQuanYi",
    "Noto Sans SC",
    "Droid Sans Fallback",
    "Noto Serif CJK",
    "AR PL",
    "Microsoft YaHei",
    "SimHei",
    "PingFang",
    "Hiragino",
)
FIX = (
    "install a CJK font such as Noto Sans CJK (Debian: apt-get install fonts-noto-cjk) "
    "or pass --font"
)


class FontError(ServiceChainError):
    """A font asked for by name is not installed."""


class MissingGlyphsWarning(UserWarning):
    """Some characters of the labels are in no installed font and will show as boxes."""


@lru_cache(maxsize=32)
def _charmap(path: str) -> frozenset:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(path).get_charmap())


def _font_path(family: str) -> str | None:
    from matplotlib import font_manager

    try:
        return font_manager.findfont(
            font_manager.FontProperties(family=family), fallback_to_default=False
        )
    except ValueError:
        return None


def _cjk_family() -> str | None:
    """The name of an installed CJK sans-serif font, preferring Simplified Chinese faces."""
    from matplotlib import font_manager

    names = sorted({f.name for f in font_manager.fontManager.ttflist})
    if not any("CJK" in n for n in names):
        # fonts installed after matplotlib built its font cache
        for path in sorted(font_manager.findSystemFonts()):
            if "CJK" in path or "wqy" in path.lower():
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        names = sorted({f.name for f in font_manager.fontManager.ttflist})
    for prefix in _CJK_NAMES:
        for suffix in (" SC", " CN", ""):
            for name in names:
                if name.startswith(prefix) and name.endswith(suffix):
                    return name
    return None


@cache
def _weighted_path(family: str, bold: bool) -> str | None:
    from matplotlib import font_manager

    try:
        return font_manager.findfont(
            font_manager.FontProperties(family=family, weight="bold" if bold else "normal"),
            fallback_to_default=False,
        )
    except ValueError:
        return None


@cache
def line_height(family: str, bold: bool = False) -> float:
    """Height of one line of text in ``family``, in ems (ascender plus descender, as
    matplotlib spaces lines of a multi-line text).

    Examples
    --------
    >>> round(line_height("DejaVu Sans"), 2)
    1.0
    """
    from matplotlib import font_manager

    path = _weighted_path(family, bold)
    font = font_manager.get_font(path) if path else None
    for table, ascent, descent in (
        ("OS/2", "sTypoAscender", "sTypoDescender"),
        ("hhea", "ascent", "descent"),
    ):
        values = font.get_sfnt_table(table) if font else None
        if values:
            return (values[ascent] - values[descent]) / font.get_sfnt_table("head")["unitsPerEm"]
    return 1.2


@cache
def glyph_advance(char: str, families: tuple, bold: bool, pixels: float) -> float | None:
    """Hinted advance width in pixels of ``char`` set at ``pixels`` per em, in the first of
    ``families`` that has it (as matplotlib's font fallback picks it); ``None`` when none has
    it.

    Examples
    --------
    >>> dejavu = ("DejaVu Sans",)
    >>> glyph_advance("m", dejavu, False, 20.0) > glyph_advance("i", dejavu, False, 20.0)
    True
    """
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import get_hinting_flag

    for family in families:
        path = _weighted_path(family, bold)
        if path is None or ord(char) not in _charmap(path):
            continue
        font = font_manager.get_font(path)
        font.clear()
        font.set_size(pixels, 72)
        return font.load_char(ord(char), flags=get_hinting_flag()).horiAdvance / 64
    return None


def families_for(text: str, families: list[str], *, bold: bool = False) -> list[str]:
    """The shortest head of ``families`` that has every character of ``text`` (all of them
    when none does).

    matplotlib takes each glyph from the first font of the list that has it, so the head draws
    exactly the same glyphs; without fonts it never uses it lays text out faster (about a
    quarter less time per line when a CJK font follows).

    Examples
    --------
    >>> families_for("Loja", ["DejaVu Sans", "Some CJK Font"])
    ['DejaVu Sans']
    """
    chars = {ord(c) for c in text if not c.isspace()}
    for k, family in enumerate(families[:-1], start=1):
        path = _weighted_path(family, bold)
        if path is None:
            break
        chars -= _charmap(path)
        if not chars:
            return families[:k]
    return list(families)


def missing_characters(texts: list[str], families: list[str]) -> str:
    """The characters of ``texts`` that no font of ``families`` has, in order of appearance."""
    maps = [_charmap(p) for p in (_font_path(f) for f in families) if p]
    return "".join(
        char
        for char in dict.fromkeys("".join(texts))  # each character once, in order
        if not (char.isspace() or unicodedata.category(char).startswith("C"))
        and not any(ord(char) in m for m in maps)
    )


def font_families(texts: list[str], *, font: str | None = None) -> list[str]:
    """The font family list for drawing ``texts``: ``font`` (if given), DejaVu Sans, then a
    CJK font when the texts need one.

    Warns once with :class:`MissingGlyphsWarning`, naming the characters, when some are in no
    installed font.

    Raises
    ------
    FontError
        When ``font`` is not an installed font family.

    Examples
    --------
    >>> font_families(["Loja da Baixa"])
    ['DejaVu Sans']
    """
    families = []
    if font:
        if _font_path(font) is None:
            raise FontError(
                f"no installed font is called {font!r} (list them with: fc-list : family)"
            )
        families.append(font)
    families.append(BASE_FAMILY)
    if missing_characters(texts, families):
        cjk = _cjk_family()
        if cjk:
            families.append(cjk)
        missing = missing_characters(texts, families)
        if missing:
            warnings.warn(
                MissingGlyphsWarning(
                    f"no installed font has these characters, they will show as boxes: "
                    f"{missing} ({FIX})"
                ),
                stacklevel=3,
            )
    return families
