"""Rule plot_loss_formula: question 2B's loss typeset as an SVG, for the PDF (which cannot draw MathML)."""

from mnistflow import files, plots

with files.redirect_output(snakemake.log[0]):
    plots.formula(plots.cross_entropy_tex(snakemake.params.num_classes), snakemake.output.figure)
