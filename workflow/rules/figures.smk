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
