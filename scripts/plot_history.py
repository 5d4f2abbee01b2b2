"""Figure rules for training curves: training and validation values per epoch, one panel per metric."""

from mnistflow import io, plots

with io.redirect_output(snakemake.log[0]):
    plots.history_plot(
        io.read_json(snakemake.input.metrics)["history"], snakemake.output.figure, metrics=snakemake.params.metrics
    )
