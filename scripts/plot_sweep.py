"""Rule plot_sweep: final validation accuracy (mean +- std) against the L2 factor."""

import yaml

from mnistflow import files, plots, sweep

with files.redirect_output(snakemake.log[0]):
    summary = sweep.read_table(snakemake.input.summary)
    hinton = yaml.safe_load(open(snakemake.input.references))["hinton"]["q2d_test_accuracy"]
    plots.factor_errorbar_plot(
        summary["factor"],
        summary["final_val_accuracy_mean"],
        summary["final_val_accuracy_std"],
        snakemake.output.figure,
        ylabel="final validation accuracy",
        reference=hinton,
        reference_label=f"Hinton, test accuracy {hinton}",
    )
