"""Rule diagnose_cnn: confusion matrices and misclassified test digits of the 3A CNN."""

from mnistflow import files, jobs

p = snakemake.params
with files.redirect_output(snakemake.log[0]):
    jobs.diagnose_classifier(
        npz=snakemake.input.npz,
        models=list(snakemake.input.models),
        metrics=list(snakemake.input.metrics),
        examples=p.examples,
        threads=snakemake.threads,
        backend=p.backend,
        onednn_max_isa=p.onednn_max_isa,
        out=snakemake.output.diagnostics,
    )
