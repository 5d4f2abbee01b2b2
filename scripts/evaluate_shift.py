"""Rule evaluate_shift: accuracy on shifted test images of every replicate of the four 3B models."""

from mnistflow import io, jobs, sweep

i = snakemake.input  # noqa: F821 (injected by Snakemake)
with io.redirect_output(snakemake.log[0]):  # noqa: F821
    chosen = io.read_json(i.l2_choice)["label"]
    jobs.evaluate_shift(
        npz=i.npz,
        cells={"dense": sweep.of_factor(snakemake.params.sweep_jobs, i.dense, chosen), "dense_augmented": list(i.dense_augmented),  # noqa: F821
               "cnn": list(i.cnn), "cnn_unaugmented": list(i.cnn_unaugmented)},
        max_shift=snakemake.params.max_shift, seed=snakemake.params.seed, threads=snakemake.threads,  # noqa: F821
        backend=snakemake.params.backend, onednn_max_isa=snakemake.params.onednn_max_isa,  # noqa: F821
        out_table=snakemake.output.table,  # noqa: F821
    )
