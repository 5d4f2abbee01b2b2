# Figures: one rule per figure, each reading another rule's declared outputs.


rule plot_examples:
    """Question 1: one example image per class."""
    input:
        npz=rules.prepare_data.output.npz,
    output:
        figure="results/figures/examples.png",
    params:
        code=code_version("data", "io", "plots"),
    log:
        "logs/figures/examples.log",
    resources:
        mem_mb=2000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/plot_examples.py"


rule plot_dense_history:
    """Question 2C: training and validation accuracy per epoch."""
    input:
        metrics=rules.train_dense.output.metrics,
    output:
        figure="results/figures/dense_accuracy.svg",
    params:
        metric="accuracy",
        code=code_version("io", "plots"),
    log:
        "logs/figures/dense_accuracy.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/plot_history.py"


rule plot_sweep:
    """Question 2D: final validation accuracy against the L2 factor, mean +- std, Hinton's result."""
    input:
        summary=rules.aggregate_sweep.output.summary,
        references=REPORT_DIR / "references.yaml",
    output:
        figure="results/figures/sweep_factor.svg",
    params:
        code=code_version("io", "plots"),
    log:
        "logs/figures/sweep_factor.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/plot_sweep.py"


rule plot_sweep_curves:
    """Question 2D: validation accuracy per epoch for each factor (mean over replicates)."""
    input:
        curves=rules.aggregate_sweep.output.curves,
    output:
        figure="results/figures/sweep_curves.svg",
    params:
        code=code_version("io", "plots"),
    log:
        "logs/figures/sweep_curves.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/plot_sweep_curves.py"
