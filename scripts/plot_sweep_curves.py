"""Rule plot_sweep_curves: validation accuracy per epoch, one line per L2 factor, with the replicates' range."""

from mnistflow import io, plots

with io.redirect_output(snakemake.log[0]):  # noqa: F821
    plots.factor_curves_plot(io.read_json(snakemake.input.curves), snakemake.output.figure, ylabel="validation accuracy")  # noqa: F821
