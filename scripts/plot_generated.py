"""Rule plot_generated: generated digits per class, and the latent interpolation."""

import numpy as np

from mnistflow import io, plots

with io.redirect_output(snakemake.log[0]):  # noqa: F821
    g = io.read_npz(snakemake.input.images)  # noqa: F821
    n = snakemake.params.columns  # noqa: F821
    classes = np.unique(g["classes"])
    rows = np.concatenate([g["images"][g["classes"] == k][:n] for k in classes])
    plots.image_grid(rows.reshape(-1, 28, 28), snakemake.output.grid, row_labels=[f"class {k}" for k in classes], ncols=n, cell=0.7)  # noqa: F821
    a, b = g["interpolation_ends"]
    plots.image_grid(g["interpolation"].reshape(-1, 28, 28), snakemake.output.interpolation, cell=0.8,  # noqa: F821
                     titles=[f"from {a}"] + [""] * (len(g["interpolation"]) - 2) + [f"to {b}"])
