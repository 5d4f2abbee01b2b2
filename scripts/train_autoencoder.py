"""Rule train_autoencoder: one call into the library."""

from mnistflow import files, jobs

p = snakemake.params
with files.redirect_output(snakemake.log[0]):
    jobs.train_autoencoder(
        npz=snakemake.input.npz,
        model_args=p.model,
        training=p.training,
        noise_level=p.noise_level,
        noise_seed=p.noise_seed,
        seed=p.seed,
        threads=snakemake.threads,
        backend=p.backend,
        onednn_max_isa=p.onednn_max_isa,
        out=dict(snakemake.output.items()),
    )
