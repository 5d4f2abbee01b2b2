"""Rule select_cnn_design: the 3A design study's choice on the validation set."""

from mnistflow import evaluation, io

p = snakemake.params
with io.redirect_output(snakemake.log[0]):
    choice = evaluation.choose_design(
        p.jobs,
        [io.read_json(path) for path in snakemake.input.metrics],
        p.candidates,
        p.settings,
        p.base,
        predictions=[io.read_npz(path) for path in snakemake.input.predictions],
    )
    print(f"chosen: {choice['name']}")
    io.write_json(snakemake.output.design, choice)
