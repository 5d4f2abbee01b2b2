"""Rule plot_shift: test accuracy against shift (mean over four directions), one line per model with
its 95% interval over replicates as a band."""

import pandas as pd

from mnistflow import evaluation, files, inference, plots

with files.redirect_output(snakemake.log[0]):
    table = pd.read_csv(snakemake.input.table)
    plots.band_plot(
        evaluation.shift_curves(table, snakemake.params.names),
        snakemake.output.figure,
        xlabel="shift of the test images (pixels, mean over 4 directions)",
        ylabel="test accuracy",
        band_label=f"shaded: {inference.LEVEL:.0%} t-interval of the mean over replicates",
    )
