"""Rule aggregate_cnn: mean and standard deviation over the CNN's replicates."""

from mnistflow import evaluation, io

with io.redirect_output(snakemake.log[0]):
    io.write_json(
        snakemake.output.summary, evaluation.summarise_replicates([io.read_json(p) for p in snakemake.input.metrics])
    )
