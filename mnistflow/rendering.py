"""Jinja2 rendering of the report: environment, number formats, embedded figures."""

from __future__ import annotations

import base64
import functools
import math
import os
from pathlib import Path

import jinja2

from .files import atomic_path

MIME = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg"}


def data_uri(path: str | os.PathLike) -> str:
    """A figure file as a data: URI, so the report needs no other file and no network."""
    path = Path(path)
    mime = MIME.get(path.suffix.lower())
    if mime is None:
        raise ValueError(f"{path}: unsupported figure type {path.suffix}")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _unsigned_zero(text: str) -> str:
    """A rounded number without the minus sign of a value that rounds to zero: "-0.00" -> "0.00"."""
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def fmt_acc(value: float, digits: int = 4) -> str:
    """A number with a fixed count of decimals (an accuracy, a loss): 0.9712; the filters `acc` and `fixed`."""
    return _unsigned_zero(f"{value:.{digits}f}")


def fmt_pct(value: float, digits: int = 2) -> str:
    """A fraction as a percentage: 0.0153 -> 1.53%."""
    return _unsigned_zero(f"{100 * value:.{digits}f}") + "%"


def fmt_points(value: float, digits: int = 1) -> str:
    """A difference of two fractions in percentage points: 0.123 -> 12.3 percentage points."""
    return _unsigned_zero(f"{100 * value:.{digits}f}") + " percentage points"


def fmt_int(value: int) -> str:
    """An integer with thousands separators: 55,050."""
    return f"{int(value):,}"


def fmt_num(value: float, digits: int = 3) -> str:
    """A general number with `digits` significant digits, no scientific notation for ordinary sizes."""
    if math.isinf(value):
        return "\u221e" if value > 0 else "-\u221e"
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if 1e-3 <= abs(value) < 1e6:
        return (
            f"{value:.{digits}g}"
            if abs(value) < 1
            else f"{value:,.{max(digits - 1 - int(math.log10(abs(value))), 0)}f}"
        )
    return f"{value:.{digits - 1}e}"


def fmt_shape(shape) -> str:
    """An array shape as Python writes it: (2000,) or (None, 64) with None as 'batch'."""
    dims = ["batch" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def fmt_seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 100 else f"{value:,.0f} s"


def fmt_signed(value: float, digits: int = 4) -> str:
    return f"{value:+.{digits}f}"


def fmt_interval(interval, digits: int = 4) -> str:
    """A confidence interval as [low, high]."""
    return f"[{interval.low:.{digits}f}, {interval.high:.{digits}f}]"


def fmt_interval_signed(interval, digits: int = 4) -> str:
    """An interval of a difference as [-0.0012, +0.0015]."""
    return f"[{interval.low:+.{digits}f}, {interval.high:+.{digits}f}]"


def fmt_interval_points(interval, digits: int = 1) -> str:
    """An interval of a difference of fractions in percentage points: [+1.2, +3.4] points."""
    return f"[{100 * interval.low:+.{digits}f}, {100 * interval.high:+.{digits}f}] percentage points"


def fmt_interval_pct(interval, digits: int = 2) -> str:
    """An interval of a rate in percent: [0.17%, 1.33%]."""
    return f"[{100 * interval.low:.{digits}f}%, {100 * interval.high:.{digits}f}%]"


def fmt_detectable(interval, digits: int = 2) -> str:
    """The smallest true difference the test behind an interval finds with 80% power, in percentage points."""
    return f"{100 * interval.detectable:.{digits}f} percentage points"


def fmt_plural(count, suffix: str = "s") -> str:
    """The plural ending for a count: 1 epoch, 2 epochs; 1 class, 2 classes with suffix "es"."""
    return "" if count == 1 else suffix


def fmt_series(items) -> str:
    """Items as a sentence lists them: "a", "a and b", "a, b and c"."""
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def fmt_when(stamp: str) -> str:
    """An ISO 8601 UTC time stamp as a reader writes it: 2026-12-07T13:52:31Z -> 2026-12-07 13:52 UTC; any
    other text as it is."""
    import datetime as dt

    try:
        when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def fmt_capitalize_first(text: str) -> str:
    """The text with its first letter capitalised and the rest as it is (Jinja's `capitalize` lowers the
    rest, which would turn "L_d0" into "l_d0")."""
    return text[:1].upper() + text[1:]


def environment(template_dir: str | os.PathLike) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(os.fspath(template_dir)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,  # a missing number is an error, never a blank
        trim_blocks=False,  # keep the newline after a block tag: it is the space between sentences
        lstrip_blocks=True,
    )
    env.filters.update(
        ci=fmt_interval,
        ci_signed=fmt_interval_signed,
        ci_points=fmt_interval_points,
        ci_pct=fmt_interval_pct,
        plural=fmt_plural,
        detectable=fmt_detectable,
        acc=fmt_acc,
        pct=fmt_pct,
        int=fmt_int,
        num=fmt_num,
        signed=fmt_signed,
        points=fmt_points,
        fixed=fmt_acc,
        shape=fmt_shape,
        seconds=fmt_seconds,
        capitalize_first=fmt_capitalize_first,
        series=fmt_series,
        when=fmt_when,
    )
    return env


@functools.lru_cache(maxsize=8)
def _cached_environment(template_dir: str) -> jinja2.Environment:
    """One environment per template folder for the process: Jinja compiles each template once and
    recompiles it when its file changes (auto_reload), so a cached environment never renders a stale one."""
    return environment(template_dir)


def render(template_dir: str | os.PathLike, template: str, context: dict) -> str:
    return _cached_environment(os.path.abspath(template_dir)).get_template(template).render(**context)


def html_to_pdf(html_path: str | os.PathLike, pdf_path: str | os.PathLike) -> int:
    """The HTML report as a PDF (its print stylesheet: page numbers, contents with page numbers);
    returns the number of pages. Only data: URIs are loaded: the PDF, like the HTML, needs no
    network and no other file; any other URL stops the rendering."""
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class DataOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith("data:"):
                raise FatalURLFetchingError(f"the report may embed only data: URIs, not {url[:80]}")
            return super().fetch(url, headers)

    html = Path(html_path).read_text(encoding="utf-8")
    document = weasyprint.HTML(string=html, url_fetcher=DataOnly()).render()
    with atomic_path(pdf_path) as tmp:
        document.write_pdf(tmp)
    return len(document.pages)


def render_to_file(template_dir: str | os.PathLike, template: str, context: dict, path: str | os.PathLike) -> None:
    html = render(template_dir, template, context)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
