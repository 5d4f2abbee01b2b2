# Figures: one rule per figure, each reading another rule's declared outputs.


rule plot_examples:
    """Question 1: one example image per class."""
    input:
        npz=rules.prepare_data.output.npz,
    output:
        figure=report("results/figures/examples.png", caption="../report/captions/examples.rst", category="1 Data"),
    params:
        code=script_code("plot_examples"),
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
        figure=report("results/figures/dense_accuracy.svg", caption="../report/captions/dense_accuracy.rst", category="2 Dense networks"),
    params:
        metrics=["accuracy", "loss"],
        code=script_code("plot_history"),
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
        figure=report("results/figures/sweep_factor.svg", caption="../report/captions/sweep_factor.rst", category="2 Dense networks"),
    params:
        code=script_code("plot_sweep"),
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
    """Question 2D: validation accuracy and loss per epoch for each factor (mean and range over
    replicates), read from every sweep run; the curves drawn are saved beside the figure."""
    input:
        metrics=for_each_sweep_job(rules.train_sweep.output.metrics),
    output:
        figure=report("results/figures/sweep_curves.svg", caption="../report/captions/sweep_curves.rst", category="2 Dense networks"),
        data="results/figures/sweep_curves.json",
    params:
        jobs=SWEEP_JOBS,
        code=script_code("plot_sweep_curves"),
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
        figure=report("results/figures/cnn_accuracy.svg", caption="../report/captions/cnn_accuracy.rst", category="3 Convolutional network"),
    params:
        metrics=["accuracy", "loss"],
        code=script_code("plot_history"),
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
        figure=report("results/figures/shift.svg", caption="../report/captions/shift.rst", category="3 Convolutional network"),
    params:
        names=SHIFT_CELL_NAMES,
        code=script_code("plot_shift"),
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
        figure=report("results/figures/autoencoder_loss.svg", caption="../report/captions/autoencoder_loss.rst", category="4 Autoencoder"),
    params:
        metrics=["loss"],
        code=script_code("plot_history"),
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
        figure=report("results/figures/autoencoder_diagram.svg", caption="../report/captions/autoencoder_diagram.rst", category="4 Autoencoder"),
    params:
        code=script_code("plot_autoencoder_diagram"),
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
        examples=report("results/figures/denoising_examples.png", caption="../report/captions/denoising_examples.rst", category="4 Autoencoder"),
        mse=report("results/figures/denoising_mse.svg", caption="../report/captions/denoising_mse.rst", category="4 Autoencoder"),
        accuracy=report("results/figures/denoising_accuracy.svg", caption="../report/captions/denoising_accuracy.rst", category="4 Autoencoder"),
    params:
        code=script_code("plot_denoising"),
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
    """Question 4D: generated digits beside their nearest training images, nearest-image distances, a latent interpolation."""
    input:
        images=rules.generate_digits.output.images,
    output:
        grid=report("results/figures/generated.png", caption="../report/captions/generated.rst", category="4 Autoencoder"),
        interpolation=report("results/figures/interpolation.png", caption="../report/captions/interpolation.rst", category="4 Autoencoder"),
        novelty=report("results/figures/generated_novelty.svg", caption="../report/captions/generated_novelty.rst", category="4 Autoencoder"),
    params:
        pairs=5,
        code=script_code("plot_generated"),
    log:
        "logs/figures/generated.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/plot_generated.py"


rule plot_loss_formula:
    """Question 2B: the loss formula as an SVG, for the PDF report (WeasyPrint does not draw MathML)."""
    output:
        figure=report("results/figures/loss_formula.svg", caption="../report/captions/loss_formula.rst", category="2 Dense networks"),
    params:
        num_classes=NUM_CLASSES,
        code=script_code("plot_loss_formula"),
    log:
        "logs/figures/loss_formula.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/plot_loss_formula.py"
