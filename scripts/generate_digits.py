"""Rule generate_digits: one call into the library."""

from mnistflow import files, jobs

p = snakemake.params
with files.redirect_output(snakemake.log[0]):
    jobs.generate_digits(
        npz=snakemake.input.npz,
        encoder=snakemake.input.encoder,
        decoder=snakemake.input.decoder,
        choice=snakemake.input.choice,
        per_class=p.per_class,
        interpolation_steps=p.interpolation_steps,
        noise_level=p.noise_level,
        noise_seed=p.noise_seed,
        confident=p.confident,
        seed=p.seed,
        threads=snakemake.threads,
        backend=p.backend,
        onednn_max_isa=p.onednn_max_isa,
        out_images=snakemake.output.images,
        out_scores=snakemake.output.scores,
    )
