"""The L2 sweep: canonical factor labels, aggregation over replicates."""

import re

import numpy as np
import pandas as pd
import pytest

from mnistflow import sweep


@pytest.mark.parametrize(
    "value, label",
    [
        (0, "0"),
        (0.0, "0"),
        (1e-6, "1e-6"),
        (0.000001, "1e-6"),
        (1.0e-4, "1e-4"),
        (3e-4, "3e-4"),
        (0.00025, "2.5e-4"),
        (1.0, "1e0"),
    ],
)
def test_format_factor_is_canonical(value, label):
    assert sweep.format_factor(value) == label
    assert re.fullmatch(sweep.FACTOR_PATTERN, label)
    assert float(label) == pytest.approx(value)


def test_factor_labels_refuse_duplicates_and_negatives():
    assert sweep.factor_labels([0, 1e-6, 1e-3]) == ["0", "1e-6", "1e-3"]
    with pytest.raises(ValueError, match=r"listed more than once"):
        sweep.factor_labels([1e-4, 0.0001])
    with pytest.raises(ValueError, match=r">= 0"):
        sweep.format_factor(-1e-4)


def fake_record(val, test, seed=1):
    return {
        "history": {"val_accuracy": val, "val_loss": [0.1] * len(val)},
        "test": {"accuracy": test, "loss": 0.2},
        "seed": seed,
    }


def test_runs_and_summary_tables():
    records = {
        ("0", 0): fake_record([0.90, 0.95], 0.94),
        ("0", 1): fake_record([0.91, 0.97], 0.96),
        ("1e-4", 0): fake_record([0.92, 0.98, 0.97], 0.975),
        ("1e-4", 1): fake_record([0.93, 0.99, 0.98], 0.985),
    }
    runs = sweep.runs_table(records)
    assert list(runs["factor_label"]) == ["0", "0", "1e-4", "1e-4"]
    assert list(runs["best_epoch"]) == [2, 2, 2, 2]
    summary = sweep.summary_table(runs).set_index("factor_label")
    assert summary.loc["0", "final_val_accuracy_mean"] == pytest.approx(0.96)
    assert summary.loc["0", "final_val_accuracy_std"] == pytest.approx(np.std([0.95, 0.97], ddof=1))
    assert summary.loc["1e-4", "best_val_accuracy_mean"] == pytest.approx(0.985)
    assert summary.loc["1e-4", "test_accuracy_mean"] == pytest.approx(0.98)
    assert summary.loc["1e-4", "replicates"] == 2
    # listed last, smaller than 1e-4: the curves follow the factor
    records[("1e-5", 0)] = fake_record([0.5, 0.6, 0.7], 0.7)
    curves = sweep.epoch_curves(records)
    assert [c["label"] for c in curves] == ["0", "1e-5", "1e-4"]
    assert curves[0]["runs"] == [[0.90, 0.95], [0.91, 0.97]] and curves[0]["mean"] == pytest.approx([0.905, 0.96])
    assert curves[2]["mean"] == pytest.approx([0.925, 0.985, 0.975])


def test_factor_curves_plot_draws_one_line_per_factor_in_order(tmp_path):
    from mnistflow import plots

    curves = [
        {
            "label": label,
            "factor": float(label),
            "runs": [[0.9 + 0.001 * e + 0.01 * i for e in range(40)] for i in range(3)],
            "mean": [0.91 + 0.001 * e for e in range(40)],
        }
        for label in ("0", "1e-6", "1e-4", "1e-3")
    ]
    path = tmp_path / "curves.svg"
    plots.factor_curves_plot({"validation accuracy": curves, "validation loss": curves}, path)
    text = path.read_text()
    order = [text.index(f"{label} (3 runs)") for label in ("0", "1e-6", "1e-4", "1e-3")]
    assert order == sorted(order)  # the legend follows the factor, not the string order
    assert text.count("epochs 21-40, own scale") == 2  # the second half on its own scale, for each metric
    assert "validation loss" in text
    short = tmp_path / "short.svg"
    plots.factor_curves_plot(
        {"v": [{**c, "runs": [r[:2] for r in c["runs"]], "mean": c["mean"][:2]} for c in curves]}, short
    )
    assert "own scale" not in short.read_text()


def test_factor_curves_are_told_apart_by_hue_then_line_style(tmp_path):
    """Neighbouring factors used to get near-identical dark shades of one colour scale: every factor now
    has its own (colour, line style), hues first."""
    from mnistflow import plots

    labels = [f"{k}e-{e}" for e in range(1, 4) for k in (1, 3, 5)]  # 9 factors: more than the palette's hues
    curves = [{"label": label, "runs": [[0.9, 0.91], [0.92, 0.93]], "mean": [0.91, 0.92]} for label in labels]
    path = tmp_path / "curves.svg"
    plots.factor_curves_plot({"v": curves}, path)
    text = path.read_text()
    hues = {colour.lower() for colour in plots.PALETTE}
    strokes = set(re.findall(r"stroke: (#[0-9a-f]{6})", text))
    assert len(hues & strokes) == len(plots.PALETTE)  # every hue used once the factors outnumber them
    assert "stroke-dasharray" in text  # the ninth factor: the first hue again, dashed


def test_sweep_figure_intervals_are_the_tables_t_intervals():
    from mnistflow import inference

    records = {("0", r): fake_record([0.9, v], v) for r, v in enumerate([0.95, 0.97, 0.96])}
    records[("1e-4", 0)] = fake_record([0.9, 0.98], 0.98)
    summary = sweep.summary_table(sweep.runs_table(records))
    lows, highs, what = sweep.mean_intervals(summary, "final_val_accuracy")
    table = inference.mean_interval([0.95, 0.97, 0.96])
    assert (lows[0], highs[0]) == pytest.approx((table.low, table.high))
    assert np.isnan(lows[1]) and np.isnan(highs[1])  # one run: no interval
    assert what == f"mean, {inference.LEVEL:.0%} t-interval over 1-3 runs"
    one = sweep.summary_table(sweep.runs_table({("0", 0): fake_record([0.9], 0.9)}))
    assert sweep.mean_intervals(one, "final_val_accuracy")[2] == "one run each: no interval"


def test_sweep_figure_names_its_error_bars(tmp_path):
    from mnistflow import plots

    path = tmp_path / "factor.svg"
    plots.factor_errorbar_plot(
        [0, 1e-4],
        [0.96, 0.97],
        [0.95, float("nan")],
        [0.97, float("nan")],
        path,
        ylabel="acc",
        interval_label="mean, 95% t-interval over 3 runs",
    )
    assert "mean, 95% t-interval over 3 runs" in path.read_text()


def test_single_replicate_has_zero_spread():
    summary = sweep.summary_table(sweep.runs_table({("0", 0): fake_record([0.9], 0.9)}))
    assert summary["test_accuracy_std"].iloc[0] == 0.0


def test_read_table_keeps_labels_as_text(tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame({"factor": [0.0, 1e-4], "factor_label": ["0", "1e-4"]}).to_csv(path, index=False)
    assert list(sweep.read_table(path)["factor_label"]) == ["0", "1e-4"]


def test_shift_figure_names_its_bands(tmp_path):
    from mnistflow import inference, plots

    def drawn(name, intervals, runs):
        path = tmp_path / f"{name}.svg"
        curve = {"x": [0, 1], "mean": [0.91, 0.9], "intervals": intervals, "runs": runs}
        plots.band_plot({"CNN": curve}, path, xlabel="shift", ylabel="accuracy", band_label="shaded: 95% t-interval")
        return path.read_text()

    interval = inference.mean_interval([0.9, 0.92, 0.91])
    banded = drawn("banded", [interval, interval], 3)
    assert "CNN (3 runs)" in banded and "shaded: 95% t-interval" in banded
    assert "shaded" not in drawn("plain", [None, None], 1)  # one run: no band, and no legend entry for one


def test_sweep_figure_has_a_factor_0_axis_only_where_0_was_tested(tmp_path):
    from mnistflow import plots

    def drawn(name, factors):
        path = tmp_path / f"{name}.svg"
        n = len(factors)
        plots.factor_errorbar_plot(
            factors, [0.97] * n, [0.96] * n, [0.98] * n, path, ylabel="acc", interval_label="mean, 95% t-interval"
        )
        return path.read_text()

    assert "(none)" in drawn("with", [0, 1e-4])
    assert "(none)" not in drawn("without", [1e-5, 1e-4])  # no empty axis suggesting factor 0 was tested


def test_factor_figure_same_bytes_however_its_axes_hash(tmp_path, monkeypatch):
    """Same numbers, same SVG: the drawing order may not follow the axes' hashes, which are their memory
    addresses in a real run. Each drawing here hashes its axes in the opposite order. The numbers are a
    smoke build's, whose figure's bytes once changed from one run to the next for this reason."""
    import itertools

    from matplotlib.axes import Axes

    from mnistflow import plots

    def drawn(name, order):
        def stable_hash(self):
            if "_test_hash" not in self.__dict__:
                self.__dict__["_test_hash"] = next(order)
            return self.__dict__["_test_hash"]

        monkeypatch.setattr(Axes, "__hash__", stable_hash)
        path = tmp_path / f"{name}.svg"
        plots.factor_errorbar_plot(
            [0.0, 1e-4],
            [0.7390000224] * 2,
            [0.6754690593103538] * 2,
            [0.8025309854896461] * 2,
            path,
            ylabel="final validation accuracy",
            interval_label="mean, 95% t-interval over 2 runs",
            reference=0.9859,
            reference_label="Hinton, test accuracy 0.9859",
        )
        return path.read_bytes()

    assert drawn("up", itertools.count(0)) == drawn("down", itertools.count(7, -1))
