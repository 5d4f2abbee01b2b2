"""Figure rules for training curves: training and validation accuracy per epoch."""

from mnistflow import io, plots

with io.redirect_output(snakemake.log[0]):  # noqa: F821
    plots.history_plot(io.read_json(snakemake.input.metrics)["history"], snakemake.output.figure, metric=snakemake.params.metric, ylabel=snakemake.params.metric)  # noqa: F821
