"""Rule plot_sweep_curves: validation accuracy and loss per epoch, one line per L2 factor, with the
replicates' range; the curves drawn are saved as JSON beside the figure."""

from mnistflow import files, plots, sweep

with files.redirect_output(snakemake.log[0]):
    records = {
        tuple(job): files.read_json(path)
        for job, path in zip(snakemake.params.jobs, snakemake.input.metrics, strict=True)
    }
    panels = {
        "validation accuracy": sweep.epoch_curves(records, "val_accuracy"),
        "validation loss": sweep.epoch_curves(records, "val_loss"),
    }
    files.write_json(snakemake.output.data, panels)
    plots.factor_curves_plot(panels, snakemake.output.figure)
