"""Figures: one style, one saving routine, a few plot kinds reused by every figure rule."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .files import atomic_path  # noqa: E402
from .sweep import ZOOM_AFTER_EPOCHS  # noqa: E402

#: Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
LINESTYLES = ["-", "--", ":", "-."]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]  # with the colours, so that neighbouring lines differ twice

STYLE = {
    "figure.figsize": (6.4, 3.8),
    "figure.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "font.size": 10,
    "svg.hashsalt": "mnistflow",  # stable element ids: same data, same SVG bytes
    "svg.fonttype": "none",
}


#: How the report prints a figure (style.css, print media): at most the text width (180 mm) wide and
#: 110 mm high, or 230 mm high for a figure of class "tall". Text in raster figures cannot be measured
#: in the PDF, so those figures size their labels with `print_points`.
PRINT_WIDTH_IN, PRINT_HEIGHT_IN, TALL_PRINT_HEIGHT_IN = 180 / 25.4, 110 / 25.4, 230 / 25.4
#: Smallest size of printed figure text, in points (the layout test's limit is 7 pt).
MIN_PRINT_POINTS = 7.5


def print_points(width_in: float, height_in: float, points: float = MIN_PRINT_POINTS, *, tall: bool = False) -> float:
    """The font size (pt, at the figure's own size) that prints at `points` once a figure of
    width_in x height_in inches is scaled down to fit the report's page (never scaled up)."""
    scale = min(1.0, PRINT_WIDTH_IN / width_in, (TALL_PRINT_HEIGHT_IN if tall else PRINT_HEIGHT_IN) / height_in)
    return points / scale


def save(fig, path: str | os.PathLike, style: Mapping | None = None) -> None:
    """Save a figure atomically; SVG and PDF without a timestamp so reruns give the same bytes.
    `style` overrides entries of STYLE for this figure."""
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lstrip(".").lower()
    metadata = {"Date": None} if ext in ("svg", "pdf") else {}
    with plt.rc_context({**STYLE, **(style or {})}), atomic_path(path) as tmp:
        fig.savefig(tmp, format=ext, bbox_inches="tight", metadata=metadata, dpi=150)
    plt.close(fig)


def line_plot(
    series: Mapping[str, Sequence[float]],
    path: str | os.PathLike,
    *,
    xlabel: str,
    ylabel: str,
    x: Sequence[float] | None = None,
    styles: Mapping[str, dict] | None = None,
    markers: bool | None = None,
    legend_title: str | None = None,
) -> None:
    """One line per named series against x (default 1..n, i.e. epochs); markers by default
    only when there are few points, so that short runs stay visible."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        for i, (label, values) in enumerate(series.items()):
            xs = list(x) if x is not None else list(range(1, len(values) + 1))
            show = markers if markers is not None else len(values) <= 15
            style = {"marker": "o" if show else None, "markersize": 3, "color": PALETTE[i % len(PALETTE)]}
            style.update((styles or {}).get(label, {}))
            ax.plot(xs, values, label=label, **style)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if x is None or all(float(v).is_integer() for v in x):
            ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(frameon=False, title=legend_title)
    save(fig, path)


def band_plot(
    curves: Mapping[str, dict], path: str | os.PathLike, *, xlabel: str, ylabel: str, band_label: str
) -> None:
    """One line per named curve {x, mean, intervals}, with its intervals (objects with low/high, or None
    where there is none) drawn as a shaded band; the legend names the number of runs behind each and,
    where a band is drawn, what the band is (`band_label`)."""
    banded = False
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        for i, (label, curve) in enumerate(curves.items()):
            colour = PALETTE[i % len(PALETTE)]
            runs = curve.get("runs")
            ax.plot(
                curve["x"],
                curve["mean"],
                marker=MARKERS[i % len(MARKERS)],
                markersize=4,
                linestyle=LINESTYLES[i % len(LINESTYLES)],
                color=colour,
                label=label if runs is None else f"{label} ({runs} run{'' if runs == 1 else 's'})",
            )
            spans = [
                (x, iv.low, iv.high) for x, iv in zip(curve["x"], curve["intervals"], strict=True) if iv is not None
            ]
            if spans:
                xs, lows, highs = zip(*spans, strict=True)
                ax.fill_between(xs, lows, highs, color=colour, alpha=0.2, linewidth=0)
                banded = True
        if banded:
            ax.fill_between([], [], [], color="grey", alpha=0.3, linewidth=0, label=band_label)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(frameon=False, fontsize=8, loc="best")
    save(fig, path)


def factor_curves_plot(panels: Mapping[str, Sequence[dict]], path: str | os.PathLike) -> None:
    """Per-epoch curves of a sweep, one row per metric (`panels`: y-axis label -> sweep.epoch_curves, per
    factor in increasing order, each replicate's values and their mean): one line per factor, mean over
    replicates, each factor in its own hue (then line style), with the range over replicates as a band.
    With more than six epochs a second column repeats the second half of training on its own scale."""
    first_curves = next(iter(panels.values()))
    n = max(len(c["mean"]) for c in first_curves)
    # distinct hues (the colour-blind-safe PALETTE), then line styles once the hues run out
    looks = [
        {"color": PALETTE[i % len(PALETTE)], "linestyle": LINESTYLES[i // len(PALETTE) % len(LINESTYLES)]}
        for i in range(len(first_curves))
    ]
    zoom = n > ZOOM_AFTER_EPOCHS
    start = n // 2 + 1  # first epoch of the zoomed panels
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            len(panels),
            2 if zoom else 1,
            figsize=(7.0, 2.8 * len(panels)),
            gridspec_kw={"width_ratios": [3, 2]} if zoom else None,
            squeeze=False,
        )
        for row, (ylabel, curves) in zip(axes, panels.items(), strict=True):
            # one panel per row without the zoom
            for ax, first in zip(row, (1, start), strict=False):
                for look, curve in zip(looks, curves, strict=True):
                    runs = np.array(curve["runs"])
                    epochs = np.arange(1, runs.shape[1] + 1)
                    keep = epochs >= first
                    replicates = len(runs)
                    ax.plot(
                        epochs[keep],
                        np.asarray(curve["mean"])[keep],
                        **look,
                        marker="o" if n <= 15 else None,
                        markersize=3,
                        label=f"{curve['label']} ({replicates} run{'' if replicates == 1 else 's'})",
                    )
                    if replicates > 1:
                        ax.fill_between(
                            epochs[keep],
                            runs.min(axis=0)[keep],
                            runs.max(axis=0)[keep],
                            color=look["color"],
                            alpha=0.15,
                            linewidth=0,
                        )
                ax.set_xlabel("epoch")
                ax.xaxis.get_major_locator().set_params(integer=True)
            row[0].set_ylabel(ylabel)
            if zoom:
                row[1].set_title(f"epochs {start}-{n}, own scale", fontsize=9)
        axes[0][0].legend(frameon=False, fontsize=8, title="L2 factor", title_fontsize=8, loc="lower right")
        fig.tight_layout()
    save(fig, path)


def history_plot(
    history: Mapping[str, Sequence[float]], path: str | os.PathLike, *, metrics: Sequence[str] = ("accuracy",)
) -> None:
    """Training and validation values per epoch of each of `metrics` (e.g. accuracy and loss), from a
    Keras history record: one panel per metric, side by side."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, len(metrics), figsize=(7.0, 3.0) if len(metrics) > 1 else None, squeeze=False)
        for ax, metric in zip(axes[0], metrics, strict=True):
            for i, (label, values) in enumerate(
                (("training", history[metric]), ("validation", history[f"val_{metric}"]))
            ):
                epochs = list(range(1, len(values) + 1))
                ax.plot(
                    epochs,
                    values,
                    label=label,
                    color=PALETTE[i],
                    marker="o" if len(values) <= 15 else None,
                    markersize=3,
                )
            ax.set_xlabel("epoch")
            ax.set_ylabel(metric)
            ax.xaxis.get_major_locator().set_params(integer=True)
            ax.legend(frameon=False, fontsize=8)
        fig.tight_layout()
    save(fig, path)


def image_grid(
    images: np.ndarray,
    path: str | os.PathLike,
    *,
    titles: Sequence[str] | None = None,
    row_labels: Sequence[str] | None = None,
    ncols: int | None = None,
    cell: float = 1.0,
) -> None:
    """Grey-level images (N, H, W) or (N, H, W, 1) in rows of `ncols`, values 0..1 or 0..255."""
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    n = len(images)
    ncols = ncols or n
    nrows = int(np.ceil(n / ncols))
    vmax = 255 if images.dtype == np.uint8 else 1.0
    with plt.rc_context(STYLE):
        width, height = cell * ncols + (0.8 if row_labels else 0), cell * nrows + 0.3
        size = print_points(width, height)
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False)
        for i, ax in enumerate(axes.flat):
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set_visible(False)
            if i < n:
                ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=vmax, interpolation="nearest")
                if titles is not None:
                    ax.set_title(titles[i], fontsize=size, pad=2)
        if row_labels:
            for r, label in enumerate(row_labels):
                axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=size)
        fig.tight_layout()
    save(fig, path)


def _draw_pair(
    fig,
    spec,
    samples: np.ndarray,
    neighbours: np.ndarray,
    distances: Sequence[float],
    i: int,
    row_label: str,
    labelled: bool,
    size: float,
) -> None:
    """Pair i in the grid cell `spec`: the generated sample, then its nearest training image (framed) with
    the distance under it; blank past the last sample. `labelled`: `row_label` left of the sample."""
    inner = spec.subgridspec(1, 2, wspace=0.04)
    for j, image in enumerate((samples, neighbours)):
        ax = fig.add_subplot(inner[0, j])
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(j == 1)
            spine.set_color("#999999")
        if i < len(samples):
            ax.imshow(image[i], cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
            if j == 1:
                ax.set_xlabel(f"d = {distances[i]:.1f}", fontsize=size, labelpad=1)
        if labelled and j == 0:
            ax.set_ylabel(row_label, rotation=0, ha="right", va="center", fontsize=size)


def nearest_pairs_grid(
    samples: np.ndarray,
    neighbours: np.ndarray,
    distances: Sequence[float],
    row_labels: Sequence[str],
    path: str | os.PathLike,
    *,
    pairs: int,
    groups: int = 1,
    side: int = 28,
    cell: float = 0.45,
) -> None:
    """One labelled row of (generated sample, its nearest training image) pairs per entry of `row_labels`,
    `pairs` per row, with the rows laid out in `groups` side-by-side columns (a shorter figure); the
    distance is printed under each neighbour and a gap separates the pairs."""
    samples = np.asarray(samples).reshape(-1, side, side)
    neighbours = np.asarray(neighbours).reshape(-1, side, side)
    nlabels = len(row_labels)
    nrows = -(-nlabels // groups)
    with plt.rc_context(STYLE):
        width, height = (cell * 2.25 * pairs + 0.9) * groups, cell * 1.35 * nrows + 0.5
        size = print_points(width, height, tall=True)
        fig = plt.figure(figsize=(width, height))
        # a narrower spacer column before each group after the first holds that group's row labels
        ratios = ([0.9] if groups > 1 else []) + ([1.0] * pairs + [0.9]) * (groups - 1) + [1.0] * pairs
        ratios = ratios[1:] if groups > 1 else ratios
        outer = fig.add_gridspec(
            nrows,
            len(ratios),
            width_ratios=ratios,
            wspace=0.25,
            hspace=0.45,
            top=1 - 0.35 / height,
            bottom=0.02,
            left=0.9 / width,
            right=0.99,
        )
        for label in range(nlabels):
            r, g = label % nrows, label // nrows
            for c in range(pairs):
                spec = outer[r, g * (pairs + 1) + c]
                _draw_pair(
                    fig, spec, samples, neighbours, distances, label * pairs + c, row_labels[label], c == 0, size
                )
        fig.text(
            0.5,
            0.995,
            "each pair: generated image | its nearest training image (framed), Euclidean distance d",
            ha="center",
            va="top",
            fontsize=size,
        )
    save(fig, path)


def distributions_plot(
    samples: Mapping[str, Sequence[float]], path: str | os.PathLike, *, xlabel: str, bins: int = 40
) -> None:
    """Step histograms (as densities, on common bins) of several samples, median marked for each."""
    arrays = {k: np.asarray(v, dtype=float) for k, v in samples.items()}
    edges = np.histogram_bin_edges(np.concatenate(list(arrays.values())), bins=bins)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        for i, (label, values) in enumerate(arrays.items()):
            colour = PALETTE[i % len(PALETTE)]
            ax.hist(
                values,
                bins=edges,
                density=True,
                histtype="step",
                linewidth=1.6,
                color=colour,
                label=f"{label} (median {np.median(values):.2f})",
            )
            ax.axvline(np.median(values), color=colour, linestyle=":", linewidth=1.2)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("density")
        ax.legend(frameon=False, fontsize=8, loc="upper left")
        ax.set_ylim(top=ax.get_ylim()[1] * 1.35)  # room for the legend above the curves
    save(fig, path)


def class_labels(class_names: list, prefix: str) -> list[str]:
    """What a figure prints for each class: "`prefix` k" where the classes are named by their labels
    (MNIST's digits), else the class's name."""
    names = [str(c) for c in class_names]
    if names == [str(k) for k in range(len(names))]:
        return [f"{prefix} {k}" for k in range(len(names))]
    return names


def confusion_plot(matrix: np.ndarray, path: str | os.PathLike, *, labels: Sequence | None = None) -> None:
    """A confusion matrix (rows: true class, columns: prediction) with the off-diagonal counts written in
    their cells; the diagonal (correct) is left blank so that the errors stand out. `labels`: the classes'
    names for the ticks (default: their numbers)."""
    matrix = np.asarray(matrix, dtype=float)
    k = len(matrix)
    off = matrix.copy()
    np.fill_diagonal(off, 0)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(5.2, 4.6))
        image = ax.imshow(off, cmap="Blues", vmin=0, vmax=max(off.max(), 1))
        for i in range(k):
            for j in range(k):
                if i != j and off[i, j] > 0:
                    v = float(off[i, j])  # a mean over replicates: two figures below 10, whole numbers above
                    ax.text(
                        j,
                        i,
                        f"{v:.0f}" if v >= 10 else f"{v:.2g}",
                        ha="center",
                        va="center",
                        fontsize=7.5,
                        color="white" if off[i, j] > 0.6 * off.max() else "black",
                    )
        names = [str(c) for c in labels] if labels is not None else [str(i) for i in range(k)]
        slanted = any(len(name) > 2 for name in names)  # names longer than a number: tilted to fit
        ax.set_xticks(range(k), names, rotation=45 if slanted else 0, ha="right" if slanted else "center")
        ax.set_yticks(range(k), names)
        ax.set_xlabel("predicted class")
        ax.set_ylabel("true class")
        ax.grid(False)
        fig.colorbar(image, ax=ax, label="test images (mean over replicates)", shrink=0.8)
    save(fig, path)


def factor_errorbar_plot(
    factors: Sequence[float],
    means: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    path: str | os.PathLike,
    *,
    ylabel: str,
    interval_label: str,
    xlabel: str = "L2 factor (log scale)",
    reference: float | None = None,
    reference_label: str | None = None,
) -> None:
    """Means with their intervals (`lows`, `highs`; NaN draws no bar) against a positive factor on a log
    axis, the legend naming the interval (`interval_label`); factor 0 on its own narrow axis at the left
    (a log axis has no place for 0); an optional horizontal reference."""
    factors, means, lows, highs = map(np.asarray, (factors, means, lows, highs))
    bars = np.nan_to_num(np.stack([means - lows, highs - means]))
    zero = factors == 0
    with plt.rc_context(STYLE):
        if zero.any():  # a narrow axis for factor 0 only where it was tested
            fig, (ax0, ax) = plt.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1, 6], "wspace": 0.05})
            ax0.errorbar(np.zeros(zero.sum()), means[zero], yerr=bars[:, zero], fmt="o", color=PALETTE[0], capsize=4)
            ax0.set_xticks([0], ["0\n(none)"])
            ax0.set_xlim(-1, 1)
            ax0.spines["right"].set_visible(False)
        else:
            fig, ax = plt.subplots()
            ax0 = ax
        ax.errorbar(
            factors[~zero],
            means[~zero],
            yerr=bars[:, ~zero],
            fmt="o-",
            color=PALETTE[0],
            capsize=4,
            label=interval_label,
        )
        ax.set_xscale("log")
        if ax0 is not ax:
            ax.spines["left"].set_visible(False)
            ax.tick_params(axis="y", left=False)
        if reference is not None:
            for a in dict.fromkeys((ax0, ax)):  # in order: a set's order changes the SVG's bytes
                a.axhline(reference, color=PALETTE[3], linestyle="--", linewidth=1)
            ax.plot([], [], color=PALETTE[3], linestyle="--", label=reference_label)
        ax0.set_ylabel(ylabel)
        ax.set_xlabel(xlabel)
        ax.legend(frameon=False, loc="best")  # not over a point
    save(fig, path)


def denoising_grid(clean, noisy, denoised, levels, path: str | os.PathLike, side: int = 28) -> None:
    """For each example digit two rows across the noise levels: noisy, then denoised; the first column
    holds the clean original, unless a level leaves the digits unchanged (p = 0), whose column then
    shows the original once, titled as such."""
    n, k = len(clean), len(levels)
    unchanged = any(np.array_equal(np.asarray(noisy[j]), np.asarray(clean)) for j in range(k))
    blank = np.ones(side * side, dtype=np.float32) * np.nan
    cells, row_labels = [], []
    for i in range(n):
        cells += ([] if unchanged else [clean[i]]) + [noisy[j][i] for j in range(k)]
        cells += ([] if unchanged else [blank]) + [denoised[j][i] for j in range(k)]
        row_labels += [f"image {i + 1}\nnoisy", "denoised"]
    titles = [
        f"p = {lvl:g}" + ("\n(original)" if np.array_equal(np.asarray(noisy[j]), np.asarray(clean)) else "")
        for j, lvl in enumerate(levels)
    ]
    titles = ([] if unchanged else ["original"]) + titles
    ncols = len(titles)
    image_grid(
        np.array(cells).reshape(-1, side, side),
        path,
        titles=titles + [""] * (len(cells) - ncols),
        row_labels=row_labels,
        ncols=ncols,
        cell=0.55,
    )


def layer_diagram(parts: Sequence[tuple[str, Sequence[dict]]], path: str | os.PathLike, *, input_units: int) -> None:
    """A block diagram of a dense model drawn from its own layer table: one bar per layer, its
    height proportional to the layer's width, labelled with units and activation; parts
    (e.g. encoder, decoder) bracketed underneath."""
    bars = [("input", input_units, None, None)]
    for part, layers in parts:
        for layer in layers:
            bars.append((layer["name"], layer["output_shape"][-1], layer.get("activation"), part))
    biggest = max(units for _, units, _, _ in bars)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(1.35 * len(bars) + 0.5, 3.6))
        colours = {None: "#BBBBBB"}
        for i, (part, _) in enumerate(parts):
            colours[part] = PALETTE[i % len(PALETTE)]
        for x, (name, units, act, part) in enumerate(bars):
            h = 0.25 + 2.0 * units / biggest
            colour = PALETTE[2] if name == "latent" else colours[part]
            ax.add_patch(
                matplotlib.patches.FancyBboxPatch(
                    (x - 0.3, -h / 2), 0.6, h, boxstyle="round,pad=0.02", color=colour, alpha=0.85
                )
            )
            ax.text(x, h / 2 + 0.12, f"{units}", ha="center", va="bottom", fontsize=10, fontweight="bold")
            ax.text(x, -h / 2 - 0.12, f"{name}\n{act or ''}", ha="center", va="top", fontsize=8)
            if x:
                ax.annotate(
                    "", xy=(x - 0.32, 0), xytext=(x - 0.68, 0), arrowprops={"arrowstyle": "->", "color": "#555555"}
                )
        start = 1
        for part, layers in parts:
            end = start + len(layers) - 1
            ax.plot([start - 0.35, end + 0.35], [-1.9, -1.9], color=colours[part], linewidth=3)
            ax.text((start + end) / 2, -2.05, part, ha="center", va="top", fontsize=10, color=colours[part])
            start = end + 1
        ax.set_xlim(-0.6, len(bars) - 0.4)
        ax.set_ylim(-2.5, 1.6)
        ax.axis("off")
    save(fig, path)


def formula(tex: str, path: str | os.PathLike, *, fontsize: int = 15) -> None:
    """A formula typeset by matplotlib's mathtext (glyphs as paths), for media that cannot draw
    MathML, such as the PDF report."""
    style = {"svg.fonttype": "path", "mathtext.fontset": "dejavuserif"}
    with plt.rc_context({**STYLE, **style}):
        fig = plt.figure(figsize=(0.1, 0.1))
        fig.text(0, 0, f"${tex}$", fontsize=fontsize)
    save(fig, path, style)


def cross_entropy_tex(num_classes: int) -> str:
    """Question 2B's loss in mathtext, the same formula as the report's MathML."""
    return (
        rf"L = -\frac{{1}}{{N}}\sum_{{n=1}}^{{N}}\sum_{{k=1}}^{{{num_classes}}} y_{{nk}}\,\log p_{{nk}}"
        r" = -\frac{1}{N}\sum_{n=1}^{N}\log p_{n,c_n}"
    )
