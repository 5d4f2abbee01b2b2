"""Rule evaluate_denoising: one call into the library."""

from mnistflow import files, jobs

p = snakemake.params
with files.redirect_output(snakemake.log[0]):
    jobs.evaluate_denoising(
        npz=snakemake.input.npz,
        autoencoder=snakemake.input.autoencoder,
        choice=snakemake.input.choice,
        noisy_classifier=snakemake.input.noisy_classifier,
        levels=p.levels,
        noise_seed=p.noise_seed,
        examples=p.examples,
        seed=p.seed,
        threads=snakemake.threads,
        backend=p.backend,
        onednn_max_isa=p.onednn_max_isa,
        out_table=snakemake.output.table,
        out_examples=snakemake.output.examples,
    )
