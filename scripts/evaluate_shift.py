"""Rule evaluate_shift: accuracy of the best dense network and the best CNN on shifted test images."""

from mnistflow import io, jobs

with io.redirect_output(snakemake.log[0]):  # noqa: F821
    jobs.evaluate_shift(
        npz=snakemake.input.npz, choice=snakemake.input.choice, max_shift=snakemake.params.max_shift,  # noqa: F821
        seed=snakemake.params.seed, threads=snakemake.threads, backend=snakemake.params.backend,  # noqa: F821
        onednn_max_isa=snakemake.params.onednn_max_isa,  # noqa: F821
        out_table=snakemake.output.table, out_correct=snakemake.output.correct,  # noqa: F821
    )
