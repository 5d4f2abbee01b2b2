"""Rule plot_shift: test accuracy against shift (mean over four directions), one line per model."""

import pandas as pd

from mnistflow import evaluation, io, plots

with io.redirect_output(snakemake.log[0]):  # noqa: F821
    table = pd.read_csv(snakemake.input.table)  # noqa: F821
    names = table.groupby("kind")["model"].first()
    summary = evaluation.shift_summary(table)
    plots.line_plot({f"{names[k]} ({k})": summary[k].tolist() for k in summary.columns}, snakemake.output.figure,  # noqa: F821
                    x=summary.index.tolist(), xlabel="shift of the test images (pixels, mean over 4 directions)", ylabel="test accuracy")
