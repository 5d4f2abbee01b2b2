"""Rule plot_examples: the first training image of each class."""

from mnistflow import data, files, plots

with files.redirect_output(snakemake.log[0]):
    arrays = files.read_npz(snakemake.input.npz)
    idx = data.first_of_each_class(arrays["y_train"])
    titles = plots.class_labels(snakemake.params.class_names, "label")
    plots.image_grid(arrays["x_train"][idx], snakemake.output.figure, titles=titles)
