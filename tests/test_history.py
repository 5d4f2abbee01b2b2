"""Build history: snapshots, the comparison of two builds, its noise verdicts, the terminal diff."""

from __future__ import annotations

import copy
import html as html_lib
import math
import re
import subprocess
import sys

import pytest
import synthetic
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as hs
from scipy import stats

from mnistflow import history, rendering, report

TEMPLATES = REPO / "workflow" / "report"


def build(tmp_path, name, numbers, config=None):
    """A snapshot of a report built from synthetic files (no training)."""
    config = config or synthetic.base_config()
    inputs = synthetic.write(tmp_path / name, config, numbers)
    context = report.build_context(inputs, config, **synthetic.report_roles(inputs), versions={}, repo=REPO)
    return context, inputs, history.snapshot(context, inputs, repo=REPO)


def rows(changes):
    return {r["key"]: r for r in changes["rows"]}


def render_changes(context, changes):
    context = dict(context, changes=changes)
    html = rendering.render(TEMPLATES, "report.html.j2", context)
    body = re.search(r'<section id="changes">(.*?)</section>', html, re.S).group(1)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_first_build_says_so(tmp_path):
    context, inputs, _ = build(tmp_path, "a", synthetic.Numbers())
    snap, changes = history.record(context, inputs, tmp_path / "history", REPO)
    assert changes["first"]
    # one line under the title, and neither a section nor a contents entry with nothing to compare
    html = rendering.render(TEMPLATES, "report.html.j2", dict(context, changes=changes))
    assert "The first build on record" in html
    assert '<section id="changes">' not in html and 'href="#changes"' not in html
    assert history.markdown(changes).startswith("Only one build")


def test_the_same_build_twice_has_no_changes(tmp_path):
    context, inputs, first = build(tmp_path, "a", synthetic.Numbers())
    second = history.snapshot(context, inputs, repo=REPO)
    changes = history.compare(first, second, REPO)
    assert changes["nothing_changed"] and not changes["moved"] and not changes["settings"]
    assert {r["verdict"] for r in changes["rows"]} == {"unchanged"}
    assert "No changes:" in render_changes(context, changes)
    assert "No changes:" in history.markdown(changes)


@pytest.mark.parametrize("shift, expected", [(0.002, "within_noise"), (0.03, "beyond_noise")])
def test_verdicts_flip_with_the_size_of_the_difference(tmp_path, shift, expected):
    """The CNN's mean over three replicates moves by less, then by more, than the noise of the two
    builds: the verdict flips, and the report and the terminal diff agree."""
    base = synthetic.Numbers(cnn_test=[0.950, 0.952, 0.951])
    moved = copy.deepcopy(base)
    moved.cnn_test = [v + shift for v in base.cnn_test]
    _, _, before = build(tmp_path, "a", base)
    context, _, after = build(tmp_path, "b", moved)
    changes = history.compare(before, after, REPO)
    row = rows(changes)["q3a.test_accuracy"]
    assert row["verdict"] == expected
    assert row["difference"] == pytest.approx(shift)
    text, md = render_changes(context, changes), history.markdown(changes)
    for line in (text, re.sub(r"\s+", " ", md)):
        assert all(re.sub(r"\s+", " ", row[k]) in line for k in ("label", "before_text", "after_text"))
        assert history.VERDICT_WORDS[expected] in line
    assert (row in changes["beyond"]) == (expected == "beyond_noise")


def test_a_setting_change_is_named_with_its_values(tmp_path):
    config = synthetic.base_config()
    later = copy.deepcopy(config)
    later["dense"]["training"]["epochs"] = 7
    _, _, before = build(tmp_path, "a", synthetic.Numbers(), config)
    context, _, after = build(tmp_path, "b", synthetic.Numbers(), later)
    changes = history.compare(before, after, REPO)
    assert changes["settings"] == [
        {"key": "dense.training.epochs", "before": str(config["dense"]["training"]["epochs"]), "after": "7"}
    ]
    assert not changes["nothing_changed"]
    assert "dense.training.epochs" in render_changes(context, changes)
    assert "`dense.training.epochs` 10 -> 7" in history.markdown(changes)


def test_jobs_that_reran_and_inputs_that_changed(tmp_path):
    context, inputs, before = build(tmp_path, "a", synthetic.Numbers())
    after = copy.deepcopy(before)
    after["jobs"] = [dict(j) for j in before["jobs"]] + [{"job": "new_job", "seconds": 1.0, "finished": "x"}]
    after["inputs"]["dense_metrics"] = {"sha256": "other", "mtime": 1.0}
    after["inputs"]["data_info"] = dict(before["inputs"]["data_info"], mtime=2.0)
    changes = history.compare(before, after, REPO)
    assert changes["new_jobs"] == ["new_job"]
    assert changes["changed_inputs"] == ["dense_metrics"]
    assert changes["remade_inputs"] == ["data_info", "dense_metrics"]
    assert not changes["nothing_changed"]


def test_labels_and_counts_are_changed_or_unchanged_never_noise():
    a = history._headline("k", "2D", "factor", "1e-4", "label")
    b = history._headline("k", "2D", "factor", "0", "label")
    assert history.compare_number(a, b)["verdict"] == "changed"
    assert history.compare_number(a, a)["verdict"] == "unchanged"
    assert history.compare_number(None, a)["verdict"] == "new"
    assert history.compare_number(a, None)["verdict"] == "removed"
    c, d = (history._headline("n", "1", "images", n, "count") for n in (100, 120))
    assert history.compare_number(c, d)["verdict"] == "changed"


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    v1=hs.floats(0.5, 0.99),
    v2=hs.floats(0.5, 0.99),
    se1=hs.floats(1e-4, 0.02),
    se2=hs.floats(1e-4, 0.02),
    df1=hs.one_of(hs.none(), hs.integers(1, 20)),
    df2=hs.one_of(hs.none(), hs.integers(1, 20)),
)
def test_noise_rule_matches_a_welch_interval_and_is_symmetric(v1, v2, se1, se2, df1, df2):
    a = history._headline("x", "3A", "x", v1, "accuracy", se1, df1)
    b = history._headline("x", "3A", "x", v2, "accuracy", se2, df2)
    forward, backward = history.compare_number(a, b), history.compare_number(b, a)
    if v1 == v2:
        assert forward["verdict"] == "unchanged"
        return
    assert {forward["verdict"], backward["verdict"]} <= {"within_noise", "beyond_noise"}
    assert forward["verdict"] == backward["verdict"]  # the rule does not depend on which build came first
    var = se1**2 + se2**2
    terms = [(s**2, d) for s, d in ((se1, df1), (se2, df2)) if d is not None]
    q = stats.t.ppf(0.975, var**2 / sum(v**2 / d for v, d in terms)) if terms else stats.norm.ppf(0.975)
    margin = abs(v2 - v1) - q * math.sqrt(var)
    if abs(margin) > 1e-9:
        assert (forward["verdict"] == "beyond_noise") == (margin > 0)


def test_snapshots_are_never_overwritten(tmp_path):
    snap = {"schema": history.SCHEMA, "time": "2026-01-01T00:00:00Z", "headlines": []}
    first, second = history.save(tmp_path, snap), history.save(tmp_path, snap)
    assert first != second and first.is_file() and second.is_file()
    assert [p.name for p in history.snapshots(tmp_path)] == [first.name, second.name]


def test_terminal_diff_prints_the_latest_two(tmp_path):
    _, _, before = build(tmp_path, "a", synthetic.Numbers(cnn_test=[0.95, 0.951, 0.952]))
    _, _, after = build(tmp_path, "b", synthetic.Numbers(cnn_test=[0.98, 0.981, 0.982]))
    after["time"] = "2999-01-01T00:00:00Z"
    folder = tmp_path / "history"
    history.save(folder, before)
    history.save(folder, after)
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "diff.py"), "--history", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    expected = history.markdown(
        history.compare(history.load(history.snapshots(folder)[0]), history.load(history.snapshots(folder)[1]), REPO)
    )
    assert result.stdout == expected
    assert "| 3A | CNN test accuracy (mean of 3) | 0.9510 | 0.9810 | +0.0300 |" in result.stdout
    empty = subprocess.run(
        [sys.executable, str(REPO / "tools" / "diff.py"), "--history", str(tmp_path / "none")],
        capture_output=True,
        text=True,
    )
    assert empty.returncode != 0 and "no build snapshots" in empty.stderr
