"""Rule plot_sweep_curves: mean validation accuracy per epoch, one line per L2 factor."""

from mnistflow import io, plots

with io.redirect_output(snakemake.log[0]):  # noqa: F821
    curves = io.read_json(snakemake.input.curves)  # noqa: F821
    plots.line_plot({f"L2 {k}": v for k, v in curves.items()}, snakemake.output.figure, xlabel="epoch",  # noqa: F821
                    ylabel="validation accuracy", legend_title="mean over replicates")
