"""Rule diagnose_cnn: confusion matrices and misclassified test digits of the 3A CNN."""

from mnistflow import io, jobs

p = snakemake.params
with io.redirect_output(snakemake.log[0]):
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
