"""Rule describe_cnn_earlier: build a model without training it and record its layers."""

from mnistflow import io, jobs

p = snakemake.params
with io.redirect_output(snakemake.log[0]):
    jobs.describe_classifier(
        builder=p.builder, model_args=p.model, backend=p.backend, out_layers=snakemake.output.layers
    )
