"""Rule train_autoencoder: one call into the library."""

from mnistflow import io, jobs

p = snakemake.params  # noqa: F821 (injected by Snakemake)
with io.redirect_output(snakemake.log[0]):  # noqa: F821
    jobs.train_autoencoder(npz=snakemake.input.npz, model_args=p.model, training=p.training, noise_level=p.noise_level,  # noqa: F821
                           noise_seed=p.noise_seed, seed=p.seed, threads=snakemake.threads, backend=p.backend, onednn_max_isa=p.onednn_max_isa,  # noqa: F821
                           out=dict(snakemake.output.items()))  # noqa: F821
