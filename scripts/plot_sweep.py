"""Rule plot_sweep: final validation accuracy (mean and its t-interval) against the L2 factor."""

import yaml

from mnistflow import files, plots, sweep

with files.redirect_output(snakemake.log[0]):
    summary = sweep.read_table(snakemake.input.summary)
    # Hinton's figure is MNIST's: drawn only where the data is the canonical MNIST files
    hinton = yaml.safe_load(open(snakemake.input.references))["hinton"]["q2d_test_accuracy"]
    hinton = hinton if snakemake.params.cited else None
    lows, highs, what = sweep.mean_intervals(summary, "final_val_accuracy")
    plots.factor_errorbar_plot(
        summary["factor"],
        summary["final_val_accuracy_mean"],
        lows,
        highs,
        snakemake.output.figure,
        ylabel="final validation accuracy",
        interval_label=what,
        reference=hinton,
        reference_label=f"Hinton, test accuracy {hinton}",
    )
