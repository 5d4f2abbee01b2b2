"""Rule plot_cnn_diagnostics: the CNN's confusion matrix (mean over replicates) and its misclassified test digits."""

from mnistflow import files, plots

with files.redirect_output(snakemake.log[0]):
    d = files.read_npz(snakemake.input.diagnostics)
    plots.confusion_plot(d["confusion"].mean(axis=0), snakemake.output.confusion, labels=snakemake.params.class_names)
    titles = [
        f"{t} \u2192 {p}" + (f" ({m})" if len(d["confusion"]) > 1 else "")
        for t, p, m in zip(d["true"], d["predicted"], d["missed_by"], strict=True)
    ]
    plots.image_grid(
        d["images"], snakemake.output.misclassified, titles=titles, ncols=snakemake.params.columns, cell=0.75
    )
