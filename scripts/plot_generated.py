"""Rule plot_generated: generated digits beside their nearest training images, the distances to the
nearest training image against those of real digits, and the latent interpolation."""

import numpy as np

from mnistflow import files, plots

DISTANCE_SETS = {  # npz key -> legend label
    "distance_generated": "generated images",
    "distance_decoded_train": "training images through the autoencoder (copies)",
    "distance_decoded_val": "validation images through the autoencoder",
    "distance_clean_val": "validation images as they are",
}

with files.redirect_output(snakemake.log[0]):
    g = files.read_npz(snakemake.input.images)
    n = snakemake.params.pairs
    classes = np.unique(g["classes"])
    labels = plots.class_labels(snakemake.params.class_names, "class")
    names = [str(c) for c in snakemake.params.class_names]
    pick = np.concatenate([np.flatnonzero(g["classes"] == k)[:n] for k in classes])
    plots.nearest_pairs_grid(
        g["images"][pick],
        g["nearest_image"][pick],
        g["distance_generated"][pick],
        [labels[k] for k in classes],
        snakemake.output.grid,
        pairs=n,
        groups=snakemake.params.groups,
    )
    plots.distributions_plot(
        {label: g[key] for key, label in DISTANCE_SETS.items()},
        snakemake.output.novelty,
        xlabel="Euclidean distance to the nearest training image (pixel values 0-1)",
    )
    a, b = g["interpolation_ends"]
    plots.image_grid(
        g["interpolation"].reshape(-1, 28, 28),
        snakemake.output.interpolation,
        cell=0.8,
        titles=[f"from {names[a]}"] + [""] * (len(g["interpolation"]) - 2) + [f"to {names[b]}"],
    )
