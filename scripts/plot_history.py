"""Figure rules for training curves: training and validation values per epoch, one panel per metric."""

from mnistflow import files, plots

with files.redirect_output(snakemake.log[0]):
    plots.history_plot(
        files.read_json(snakemake.input.metrics)["history"], snakemake.output.figure, metrics=snakemake.params.metrics
    )
