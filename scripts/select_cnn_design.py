"""Rule select_cnn_design: the 3A design study's choice on the validation set."""

from mnistflow import evaluation, files

p = snakemake.params
with files.redirect_output(snakemake.log[0]):
    choice = evaluation.choose_design(
        p.jobs,
        [files.read_json(path) for path in snakemake.input.metrics],
        p.candidates,
        p.settings,
        p.base,
        predictions=[files.read_npz(path) for path in snakemake.input.predictions],
    )
    print(f"chosen: {choice['name']}")
    files.write_json(snakemake.output.design, choice)
