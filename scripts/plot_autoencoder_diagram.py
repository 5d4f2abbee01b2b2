"""Rule plot_autoencoder_diagram: the model's diagram, drawn from its own layer table."""

from mnistflow import files, plots

with files.redirect_output(snakemake.log[0]):
    m = files.read_json(snakemake.input.metrics)
    plots.layer_diagram(
        [("encoder", m["encoder_layers"]), ("decoder", m["decoder_layers"])],
        snakemake.output.figure,
        input_units=m["decoder_layers"][-1]["output_shape"][-1],
    )
