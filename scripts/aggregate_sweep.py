"""Rule aggregate_sweep: per-run and per-factor tables of the L2 sweep."""

from mnistflow import files, sweep

with files.redirect_output(snakemake.log[0]):
    records = {
        tuple(job): files.read_json(path)
        for job, path in zip(snakemake.params.jobs, snakemake.input.metrics, strict=True)
    }
    runs = sweep.runs_table(records)
    files.write_csv(snakemake.output.runs, runs)
    files.write_csv(snakemake.output.summary, sweep.summary_table(runs))
    files.write_json(snakemake.output.curves, sweep.epoch_curves(records))
    n_val = next(iter(records.values()))["val_samples"]
    files.write_json(snakemake.output.choice, sweep.choose_factor(runs, n_val))
    files.write_json(snakemake.output.choice_with_decay, sweep.choose_factor(sweep.with_decay(runs), n_val))
