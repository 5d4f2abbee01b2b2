"""Rule plot_examples: the first training image of each class."""

from mnistflow import data, io, plots

with io.redirect_output(snakemake.log[0]):
    arrays = io.read_npz(snakemake.input.npz)
    idx = data.first_of_each_class(arrays["y_train"])
    plots.image_grid(arrays["x_train"][idx], snakemake.output.figure, titles=[f"label {c}" for c in range(len(idx))])
