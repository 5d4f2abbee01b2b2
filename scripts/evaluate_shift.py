"""Rule evaluate_shift: accuracy on shifted test images of every replicate of the four 3B models."""

from mnistflow import files, jobs, sweep

i = snakemake.input
with files.redirect_output(snakemake.log[0]):
    chosen = files.read_json(i.l2_choice)["label"]
    jobs.evaluate_shift(
        npz=i.npz,
        cells={
            "dense": sweep.of_factor(snakemake.params.sweep_jobs, i.dense, chosen),
            "dense_augmented": list(i.dense_augmented),
            "cnn": list(i.cnn),
            "cnn_unaugmented": list(i.cnn_unaugmented),
        },
        max_shift=snakemake.params.max_shift,
        seed=snakemake.params.seed,
        threads=snakemake.threads,
        backend=snakemake.params.backend,
        onednn_max_isa=snakemake.params.onednn_max_isa,
        out_table=snakemake.output.table,
    )
