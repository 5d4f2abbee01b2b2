"""Rules that train a classifier (train_dense, ...): one call into the library."""

from mnistflow import io, jobs

p = snakemake.params  # noqa: F821 (injected by Snakemake)
with io.redirect_output(snakemake.log[0]):  # noqa: F821
    jobs.train_classifier(
        npz=snakemake.input.npz,  # noqa: F821
        builder=p.builder,
        model_args=p.model,
        training=p.training,
        seed=p.seed,
        threads=snakemake.threads,  # noqa: F821
        backend=p.backend,
        onednn_max_isa=p.onednn_max_isa,
        out_model=snakemake.output.model,  # noqa: F821
        out_metrics=snakemake.output.metrics,  # noqa: F821
        out_timing=snakemake.output.timing,  # noqa: F821
        l2_choice=getattr(snakemake.input, "l2_choice", None),  # noqa: F821
        design=getattr(snakemake.input, "design", None),  # noqa: F821
        design_part=getattr(p, "design_part", "all"),
        train_on_all=getattr(p, "train_on_all", False),
        continue_from=dict(zip(p.continue_labels, snakemake.input.continue_models)) if getattr(p, "continue_labels", None) else None,  # noqa: F821
        initial_epoch=getattr(p, "initial_epoch", 0),
    )
