"""How the rendered PDF uses its pages, read back from the PDF itself (pdfplumber): how much of each
page's text area is filled, where the headings sit, and the smallest printed text. The layout test
and `make` users checking a full build's PDF use these."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

#: The page margins of style.css (@page: 16 mm top, 18 mm bottom), in PDF points.
MM = 72 / 25.4
TOP_MARGIN, BOTTOM_MARGIN, SIDE_MARGIN = 16 * MM, 18 * MM, 15 * MM
#: A line ending this far or more short of the right margin ends its paragraph (a wrapped line runs to it).
SHORT_LINE = 20
#: Text at least this large counts as a heading (h2 and h3 of style.css at 9.5 pt body text: 12.8 and 10.0 pt).
HEADING_SIZE = 9.9


@dataclass
class Page:
    number: int
    filled: float  # share of the text area's height from its top to the lowest content
    # (text, position from the top of the text area, 0..1)
    headings: list[tuple[str, float]] = field(default_factory=list)
    smallest_text: float | None = None  # pt, over the text area (header and footer excluded)
    content_after_last_heading: bool = True
    text: str = ""
    # the last line of text in the text area when it ends its paragraph (stops short of the right margin): a
    # lead-in (ending in ":") there is parted from what it introduces
    last_line: str = ""


def _inside(obj: dict, top: float, bottom: float) -> bool:
    """Whether a PDF object lies between the page's top and bottom margins (1 pt of slack)."""
    return obj["top"] >= top - 1 and obj["bottom"] <= bottom + 1


def read(path: str | os.PathLike) -> list[Page]:
    """Every page of a PDF: its fill, its headings and its smallest text."""
    import pdfplumber

    pages = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            top, bottom = TOP_MARGIN, float(page.height) - BOTTOM_MARGIN
            objects = [
                o
                for kind in ("chars", "images", "rects", "lines", "curves")
                for o in getattr(page, kind)
                if _inside(o, top, bottom)
            ]
            lowest = max((o["bottom"] for o in objects), default=top)
            words = [w for w in page.extract_words(extra_attrs=["size", "fontname"]) if _inside(w, top, bottom)]
            headings = []
            lines: dict[float, list] = {}
            for w in words:
                if w["size"] >= HEADING_SIZE and "Bold" in w["fontname"]:
                    lines.setdefault(round(w["top"]), []).append(w["text"])
            for line_top, texts in sorted(lines.items()):
                headings.append((" ".join(texts), (line_top - top) / (bottom - top)))
            last_heading_bottom = max(
                (w["bottom"] for w in words if w["size"] >= HEADING_SIZE and "Bold" in w["fontname"]), default=None
            )
            # rotated text (axis labels of figures) is left out: pdfplumber gives its width along the line as its size
            sizes = [
                c["size"]
                for c in page.chars
                if _inside(c, top, bottom) and c["text"].strip() and c.get("upright", True)
            ]
            pages.append(
                Page(
                    number=number,
                    filled=(lowest - top) / (bottom - top),
                    headings=headings,
                    smallest_text=min(sizes) if sizes else None,
                    content_after_last_heading=last_heading_bottom is None or lowest > last_heading_bottom + 12,
                    text=page.extract_text() or "",
                    last_line=_last_line(words, float(page.width) - SIDE_MARGIN),
                )
            )
    return pages


def _last_line(words: list[dict], right: float) -> str:
    """The text of the lowest line of text (words within 2 pt of the lowest word's top) if it ends its
    paragraph, i.e. stops short of the right margin `right`; "" for a line that wraps on."""
    if not words:
        return ""
    bottom = max(w["top"] for w in words)
    line = sorted((w for w in words if w["top"] >= bottom - 2), key=lambda w: w["x0"])
    return " ".join(w["text"] for w in line) if right - line[-1]["x1"] >= SHORT_LINE else ""


def body_pages(pages: list[Page]) -> int:
    """How many pages the main body fills: the pages before the first that prints an appendix heading
    (the appendix starts on a page of its own); all of them where there is none."""
    for page in pages:
        if any(text.startswith("Appendix") for text, _ in page.headings):
            return page.number - 1
    return len(pages)
