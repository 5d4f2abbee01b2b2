"""Rule choose_hinton: a Hinton-study variant's learning rate and factor, chosen on validation."""

from mnistflow import files, sweep

p = snakemake.params
with files.redirect_output(snakemake.log[0]):
    choice = sweep.choose_setting(p.jobs, [files.read_json(path) for path in snakemake.input.metrics])
    print(f"chosen: learning rate {choice['lr_label']}, factor {choice['label']}")
    files.write_json(snakemake.output.choice, choice)
