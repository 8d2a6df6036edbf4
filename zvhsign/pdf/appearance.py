"""The visible appearance of a partner signature.

The partner fields are pre-created by ``stamp`` on the appended signature page
(see ``fields.py``); signing fills the field's rectangle with a text stamp:

    Digitaal ondertekend door Willemijn Bosschaart
    burgemeester, Gemeente Haarlem
    namens het college van burgemeester en wethouders van Haarlem   (capacity, when given)
    Datum: 03-11-2026 14:05 CET

pyHanko's text stamp renders it (scaled to fit the slot); the font is
Bitstream Vera Sans, shipped with reportlab, embedded as a subset with a
ToUnicode map so that names with diacritics (Brouwer, Zwaanswijk, El Amrani,
Ruud Verhoeven, ë, é…) render and can be extracted as text.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path


@dataclass(frozen=True)
class Appearance:
    """What the visible signature shows. ``capacity``: "namens …" for a mandate."""

    name: str
    role: str | None = None
    organisation: str | None = None
    capacity: str | None = None

    def lines(self, when: datetime) -> list[str]:
        out = [f"Digitaal ondertekend door {self.name}"]
        who = ", ".join(x for x in (self.role, self.organisation) if x)
        if who:
            out.append(who)
        if self.capacity:
            out.append(self.capacity)
        out.append(f"Datum: {format_local_time(when)}")
        return out


def format_local_time(when: datetime) -> str:
    """``03-11-2026 14:05 CET``: Dutch local time when the zone data is available."""
    try:
        from zoneinfo import ZoneInfo

        local = when.astimezone(ZoneInfo("Europe/Amsterdam"))
    except Exception:  # no tz database: say UTC plainly
        local = when.astimezone(timezone.utc)
    return local.strftime("%d-%m-%Y %H:%M %Z")


def _font_file() -> Path:
    import reportlab

    return Path(reportlab.__file__).resolve().parent / "fonts" / "Vera.ttf"


@functools.lru_cache(maxsize=1)
def _font_bytes_1000() -> bytes:
    """Vera rescaled to 1000 units per em: pyHanko writes the glyph widths (/W) in
    font units, which PDF reads as 1/1000 em, so a 2048-unit font would render
    spread out (checked by rendering a signed page).

    Rescaling costs ~0.3 s of CPU, so the result is kept in the user's cache folder
    (``$XDG_CACHE_HOME/zvhsign``, else ``~/.cache/zvhsign``), named after the source
    font's SHA-256 and its own: a file whose bytes don't match its name (cut off,
    changed) is made again. No cache folder (read-only home): rescaled each time."""
    source = _font_file().read_bytes()
    cached = _cached_font(source)
    if cached is not None:
        return cached
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(io.BytesIO(source), recalcTimestamp=False)  # the same bytes every time (head.modified kept)
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    buf = io.BytesIO()
    font.save(buf)
    _store_font(source, buf.getvalue())
    return buf.getvalue()


def _font_cache_dir() -> Path:
    import os

    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zvhsign"


def _cached_font(source: bytes) -> bytes | None:
    import hashlib

    key = hashlib.sha256(source).hexdigest()[:16]
    try:
        for path in _font_cache_dir().glob(f"vera-1000-{key}-*.ttf"):
            data = path.read_bytes()
            if path.stem.endswith(hashlib.sha256(data).hexdigest()[:16]):
                return data
    except OSError:
        pass
    return None


def _store_font(source: bytes, scaled: bytes) -> None:
    import hashlib
    import os
    import tempfile

    name = f"vera-1000-{hashlib.sha256(source).hexdigest()[:16]}-{hashlib.sha256(scaled).hexdigest()[:16]}.ttf"
    try:
        folder = _font_cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
    except OSError:  # no cache folder: the next signature rescales again
        return
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(scaled)
        os.replace(tmp, folder / name)
    except OSError:  # a full disk: no half-written file is left
        Path(tmp).unlink(missing_ok=True)


def _font_factory(size: float):
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory

    class _VeraFactory(GlyphAccumulatorFactory):
        def create_font_engine(self, writer, obj_stream=None):
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            return GlyphAccumulator(
                writer=writer, font_handle=io.BytesIO(_font_bytes_1000()),
                font_size=self.font_size, obj_stream=obj_stream,
            )

    return _VeraFactory(font_file=str(_font_file()), font_size=size)


def stamp_style(appearance: Appearance, when: datetime):
    """A pyHanko ``TextStampStyle`` that renders ``appearance`` (text is literal)."""
    from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    text = "\n".join(appearance.lines(when)).replace("%", "%%")
    return TextStampStyle(
        stamp_text=text,
        border_width=1,
        background=None,
        text_box_style=TextBoxStyle(
            font=_font_factory(8), font_size=8, leading=10,
            text_color=(0.05, 0.1, 0.3),
        ),
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN, y_align=AxisAlignment.ALIGN_MID,
            margins=Margins(left=4, right=4, top=3, bottom=3),
        ),
    )


def blank_style():
    """An empty appearance: ``--invisible`` signs a visible slot without drawing in it."""
    from pyhanko.stamp import TextStampStyle

    return TextStampStyle(stamp_text="", border_width=0, background=None)
