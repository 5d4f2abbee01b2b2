"""Rule select_classifier: the best classifier of questions 2-3 on the validation set."""

from mnistflow import evaluation, files

with files.redirect_output(snakemake.log[0]):
    files.write_json(
        snakemake.output.choice,
        evaluation.choose_classifiers(snakemake.params.names, snakemake.input.metrics, snakemake.input.models),
    )
