"""Rule choose_hinton: a Hinton-study variant's learning rate and factor, chosen on validation."""

from mnistflow import io, sweep

p = snakemake.params
with io.redirect_output(snakemake.log[0]):
    choice = sweep.choose_setting(p.jobs, [io.read_json(path) for path in snakemake.input.metrics])
    print(f"chosen: learning rate {choice['lr_label']}, factor {choice['label']}")
    io.write_json(snakemake.output.choice, choice)
