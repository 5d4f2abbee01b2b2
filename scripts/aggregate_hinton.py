"""Rule aggregate_hinton: the Hinton study's variants beside the 2D runs at the chosen factor."""

from mnistflow import files, sweep

p = snakemake.params
with files.redirect_output(snakemake.log[0]):
    summary = sweep.summarise_variants(
        p.jobs,
        [files.read_json(path) for path in snakemake.input.metrics],
        p.variants,
        sweep.read_table(snakemake.input.sweep_runs),
        files.read_json(snakemake.input.l2_choice),
        baseline_extra=list(
            zip(p.baseline_replicates, [files.read_json(x) for x in snakemake.input.baseline], strict=True)
        ),
        choices=dict(zip(p.tuned, [files.read_json(x) for x in snakemake.input.choices], strict=True)),
        baseline_learning_rate=p.baseline_learning_rate,
    )
    for name, v in summary["variants"].items():
        print(f"{name}: factor {v['factor']}, learning rate {v['learning_rate']}, test accuracies {v['test']}")
    files.write_json(snakemake.output.summary, summary)
