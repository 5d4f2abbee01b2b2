"""Rule aggregate_cnn: mean and standard deviation over the CNN's replicates."""

from mnistflow import evaluation, files

with files.redirect_output(snakemake.log[0]):
    files.write_json(
        snakemake.output.summary, evaluation.summarise_replicates([files.read_json(p) for p in snakemake.input.metrics])
    )
