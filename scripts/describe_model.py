"""Rule describe_cnn_earlier: build a model without training it and record its layers."""

from mnistflow import files, jobs

p = snakemake.params
with files.redirect_output(snakemake.log[0]):
    jobs.describe_classifier(
        builder=p.builder, model_args=p.model, backend=p.backend, out_layers=snakemake.output.layers
    )
