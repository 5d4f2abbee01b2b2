# Questions 2A-2C: the base dense network, its learning curves and the loss formula of 2B.


rule train_dense:
    """Train the 64-64 dense network exactly as the assignment sets it."""
    input:
        npz=rules.prepare_data.output.npz,
    output:
        model="results/dense/model.keras",
        metrics="results/dense/metrics.json",
        timing="results/dense/timing.json",
        predictions="results/dense/predictions.npz",
    log:
        "logs/dense/train.log",
    benchmark:
        "results/benchmarks/train_dense.tsv"
    conda:
        CONDA_ENV
    threads: config["threads"]
    resources:
        mem_mb=3000,
        runtime=30,
    params:
        builder="dense_classifier",
        model=config["dense"]["model"],
        training=config["dense"]["training"],
        seed=job_seed("dense"),
        epoch_predictions=True,  # 2C compares epochs image by image on the validation set
        backend=config["keras_backend"],
        onednn_max_isa=onednn_cap(config["keras_backend"]),
        code=script_code("train_classifier"),
    script:
        "../../scripts/train_classifier.py"


add_benchmarks(rules.train_dense)


rule plot_dense_history:
    """Question 2C: training and validation accuracy per epoch."""
    input:
        metrics=rules.train_dense.output.metrics,
    output:
        figure=report(
            "results/figures/dense_accuracy.svg",
            caption="../report/captions/dense_accuracy.rst",
            category="2 Dense networks",
        ),
    log:
        "logs/figures/dense_accuracy.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        metrics=["accuracy", "loss"],
        code=script_code("plot_history"),
    script:
        "../../scripts/plot_history.py"


rule plot_loss_formula:
    """Question 2B: the loss formula as an SVG, for the PDF report (WeasyPrint does not draw MathML)."""
    output:
        figure=report(
            "results/figures/loss_formula.svg",
            caption="../report/captions/loss_formula.rst",
            category="2 Dense networks",
        ),
    log:
        "logs/figures/loss_formula.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        num_classes=NUM_CLASSES,
        code=script_code("plot_loss_formula"),
    script:
        "../../scripts/plot_loss_formula.py"
