"""Rules that train a classifier (train_dense, ...): one call into the library."""

from mnistflow import files, jobs

p = snakemake.params
with files.redirect_output(snakemake.log[0]):
    jobs.train_classifier(
        npz=snakemake.input.npz,
        builder=p.builder,
        model_args=p.model,
        training=p.training,
        seed=p.seed,
        threads=snakemake.threads,
        backend=p.backend,
        onednn_max_isa=p.onednn_max_isa,
        out_model=snakemake.output.model,
        out_metrics=snakemake.output.metrics,
        out_timing=snakemake.output.timing,
        out_predictions=snakemake.output.predictions,
        epoch_predictions=getattr(p, "epoch_predictions", False),
        l2_choice=getattr(snakemake.input, "l2_choice", None),
        design=getattr(snakemake.input, "design", None),
        design_part=getattr(p, "design_part", "all"),
        train_on_all=getattr(p, "train_on_all", False),
        continue_from=dict(zip(p.continue_labels, snakemake.input.continue_models, strict=True))
        if getattr(p, "continue_labels", None)
        else None,
        initial_epoch=getattr(p, "initial_epoch", 0),
        train_noise=getattr(p, "train_noise", None),
    )
