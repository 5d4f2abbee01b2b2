"""Rule plot_denoising: example digits (noisy and denoised at every level) and the curves of 4B/4C."""

import pandas as pd

from mnistflow import files, plots

with files.redirect_output(snakemake.log[0]):
    ex = files.read_npz(snakemake.input.examples)
    plots.denoising_grid(ex["clean"], ex["noisy"], ex["denoised"], ex["levels"].tolist(), snakemake.output.examples)
    t = pd.read_csv(snakemake.input.table)
    plots.line_plot(
        {"noisy": t["mse_noisy"], "denoised": t["mse_denoised"], "mean training image": t["mse_mean_image"]},
        snakemake.output.mse,
        x=t["level"],
        xlabel="noise level p",
        ylabel="mean squared error to the clean image",
    )
    plots.line_plot(
        {"noisy": t["accuracy_noisy"], "denoised": t["accuracy_denoised"]},
        snakemake.output.accuracy,
        x=t["level"],
        xlabel="noise level p",
        ylabel="accuracy of the best classifier",
    )
