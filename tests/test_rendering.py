"""Rendering helpers: number formats, embedded figures, strict templates."""

import base64

import jinja2
import pytest
from conftest import REPO

from mnistflow import rendering

TEMPLATES = REPO / "workflow" / "report"


def test_missing_number_is_an_error_not_a_blank():
    with pytest.raises(jinja2.UndefinedError):
        rendering.render(TEMPLATES, "report.html.j2", {"config": {"report": {"title": "x"}}})


def test_formatters():
    assert rendering.fmt_int(55050) == "55,050"
    assert rendering.fmt_acc(0.98474) == "0.9847"
    assert rendering.fmt_pct(0.0153) == "1.53%"
    assert rendering.fmt_shape([2000]) == "(2000,)"
    assert rendering.fmt_shape([None, 64]) == "(batch, 64)"
    assert rendering.fmt_num(255.0) == "255" and rendering.fmt_num(0.1306605, 4) == "0.1307"
    assert rendering.fmt_signed(-0.01234) == "-0.0123"
    assert rendering.fmt_seconds(1.234) == "1.23 s"
    assert rendering.fmt_when("2026-12-07T13:52:31Z") == "2026-12-07 13:52 UTC" and rendering.fmt_when("x") == "x"
    assert rendering.fmt_acc(-0.004, 2) == "0.00" and rendering.fmt_acc(-0.006, 2) == "-0.01"
    assert rendering.fmt_points(-0.0004) == "0.0 percentage points" and rendering.fmt_pct(-1e-5) == "0.00%"
    assert [rendering.fmt_series(items) for items in ([], ["0"], ["0", "0.5"], [0, 0.5, 1])] == [
        "",
        "0",
        "0 and 0.5",
        "0, 0.5 and 1",
    ]


def test_data_uri_embeds_figures(tmp_path):
    svg = tmp_path / "f.svg"
    svg.write_text("<svg/>")
    uri = rendering.data_uri(svg)
    assert uri.startswith("data:image/svg+xml;base64,") and base64.b64decode(uri.split(",", 1)[1]) == b"<svg/>"
    with pytest.raises(ValueError, match="unsupported figure type"):
        rendering.data_uri(tmp_path / "f.gif")


def test_pdf_embeds_data_uris_and_refuses_other_urls(tmp_path):
    from weasyprint.urls import FatalURLFetchingError

    from mnistflow import plots

    svg = tmp_path / "f.svg"
    plots.formula(plots.cross_entropy_tex(10), svg)
    page = tmp_path / "page.html"
    page.write_text(
        f'<!DOCTYPE html><html><body><h1>Title</h1><img src="{rendering.data_uri(svg)}" alt="f"></body></html>'
    )
    assert rendering.html_to_pdf(page, tmp_path / "page.pdf") == 1
    assert (tmp_path / "page.pdf").read_bytes().startswith(b"%PDF")
    page.write_text('<!DOCTYPE html><html><body><img src="https://example.org/x.png" alt="x"></body></html>')
    with pytest.raises(FatalURLFetchingError, match="data: URIs"):
        rendering.html_to_pdf(page, tmp_path / "remote.pdf")
    assert not (tmp_path / "remote.pdf").exists()


def test_formula_svg_is_paths_only(tmp_path):
    from mnistflow import plots

    plots.formula(plots.cross_entropy_tex(10), tmp_path / "f.svg")
    svg = (tmp_path / "f.svg").read_text()
    assert "<path" in svg and "<text" not in svg  # glyphs drawn, no font needed by the viewer


def test_layout_finds_a_lead_in_only_where_a_paragraph_ends_and_the_body_before_the_appendix():
    from mnistflow import layout

    def word(text, x0, x1, top=700.0):
        return {"text": text, "x0": x0, "x1": x1, "top": top}

    right = 560.0
    ending = [word("above", 40, 80, 690), word("as", 40, 60), word("follows:", 62, 300)]
    wrapping = [word("(2D", 40, 60), word("and", 62, 300), word("3A:", 302, right - 2)]
    assert layout._last_line(ending, right) == "as follows:"
    assert layout._last_line(wrapping, right) == ""  # a line that runs to the margin wraps on: no lead-in
    assert layout._last_line([], right) == ""
    pages = [layout.Page(n, 0.9, headings=h) for n, h in ((1, [("Summary", 0.1)]), (2, []), (3, [("Appendix: x", 0)]))]
    assert layout.body_pages(pages) == 2 and layout.body_pages(pages[:2]) == 2


def test_a_template_edited_after_a_render_is_rendered_afresh(tmp_path):
    """render keeps one Jinja environment per template folder, yet never renders a stale template."""
    import os

    page = tmp_path / "page.html.j2"
    page.write_text("one {{ n }}")
    assert rendering.render(tmp_path, "page.html.j2", {"n": 1}) == "one 1"
    page.write_text("two {{ n }}")
    os.utime(page, (page.stat().st_atime, page.stat().st_mtime + 5))  # a later modification time
    assert rendering.render(tmp_path, "page.html.j2", {"n": 2}) == "two 2"
