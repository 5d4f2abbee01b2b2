"""Rule plot_sweep: final validation accuracy (mean +- std) against the L2 factor."""

import yaml

from mnistflow import io, plots, sweep

with io.redirect_output(snakemake.log[0]):  # noqa: F821
    summary = sweep.read_table(snakemake.input.summary)  # noqa: F821
    hinton = yaml.safe_load(open(snakemake.input.references))["hinton"]["q2d_test_accuracy"]  # noqa: F821
    plots.factor_errorbar_plot(
        summary["factor"], summary["final_val_accuracy_mean"], summary["final_val_accuracy_std"], snakemake.output.figure,  # noqa: F821
        ylabel="final validation accuracy", reference=hinton, reference_label=f"Hinton, test accuracy {hinton}",
    )
