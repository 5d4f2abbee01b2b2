"""Rule diagnose_cnn: confusion matrices and misclassified test digits of the 3A CNN."""

from mnistflow import io, jobs

p = snakemake.params  # noqa: F821 (injected by Snakemake)
with io.redirect_output(snakemake.log[0]):  # noqa: F821
    jobs.diagnose_classifier(npz=snakemake.input.npz, models=list(snakemake.input.models), metrics=list(snakemake.input.metrics),  # noqa: F821
                             examples=p.examples, threads=snakemake.threads, backend=p.backend,  # noqa: F821
                             onednn_max_isa=p.onednn_max_isa, out=snakemake.output.diagnostics)  # noqa: F821
