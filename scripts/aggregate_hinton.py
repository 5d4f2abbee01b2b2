"""Rule aggregate_hinton: the Hinton study's variants beside the 2D runs at the chosen factor."""

from mnistflow import io, sweep

p = snakemake.params
with io.redirect_output(snakemake.log[0]):
    summary = sweep.summarise_variants(
        p.jobs,
        [io.read_json(path) for path in snakemake.input.metrics],
        p.variants,
        sweep.read_table(snakemake.input.sweep_runs),
        io.read_json(snakemake.input.l2_choice),
    )
    for name, v in summary["variants"].items():
        print(f"{name}: factor {v['factor']}, test accuracies {v['test']}")
    io.write_json(snakemake.output.summary, summary)
