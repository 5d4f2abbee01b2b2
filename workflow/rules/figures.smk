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


rule plot_cnn_history:
    """Question 3A: training and validation accuracy per epoch of the first CNN replicate."""
    input:
        metrics=rules.train_cnn.output.metrics.format(replicate=0),
    output:
        figure="results/figures/cnn_accuracy.svg",
    params:
        metric="accuracy",
        code=code_version("io", "plots"),
    log:
        "logs/figures/cnn_accuracy.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/plot_history.py"


rule plot_shift:
    """Question 3B: accuracy against the shift of the test images, dense network and CNN."""
    input:
        table=rules.evaluate_shift.output.table,
    output:
        figure="results/figures/shift.svg",
    params:
        code=code_version("io", "plots", "evaluation"),
    log:
        "logs/figures/shift.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/plot_shift.py"


rule plot_autoencoder_loss:
    """Question 4A: training and validation loss per epoch of the autoencoder."""
    input:
        metrics=rules.train_autoencoder.output.metrics,
    output:
        figure="results/figures/autoencoder_loss.svg",
    params:
        metric="loss",
        code=code_version("io", "plots"),
    log:
        "logs/figures/autoencoder_loss.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/plot_history.py"


rule plot_autoencoder_diagram:
    """Question 4A: a diagram of the autoencoder drawn from the trained model's layers."""
    input:
        metrics=rules.train_autoencoder.output.metrics,
    output:
        figure="results/figures/autoencoder_diagram.svg",
    params:
        code=code_version("io", "plots"),
    log:
        "logs/figures/autoencoder_diagram.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/plot_autoencoder_diagram.py"


rule plot_denoising:
    """Questions 4B/4C: example digits across noise levels; distances and accuracies per level."""
    input:
        examples=rules.evaluate_denoising.output.examples,
        table=rules.evaluate_denoising.output.table,
    output:
        examples="results/figures/denoising_examples.png",
        mse="results/figures/denoising_mse.svg",
        accuracy="results/figures/denoising_accuracy.svg",
    params:
        code=code_version("io", "plots"),
    log:
        "logs/figures/denoising.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/plot_denoising.py"


rule plot_generated:
    """Question 4D: a grid of generated digits per class and a latent interpolation."""
    input:
        images=rules.generate_digits.output.images,
    output:
        grid="results/figures/generated.png",
        interpolation="results/figures/interpolation.png",
    params:
        columns=10,
        code=code_version("io", "plots"),
    log:
        "logs/figures/generated.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/plot_generated.py"
