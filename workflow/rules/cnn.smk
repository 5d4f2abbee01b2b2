# Question 3: the convolutional network (replicate jobs), the optional earlier-answer CNN,
# the choice of the best classifier, and the translation-robustness experiment.

CNN = config["cnn"]
CNN_REPLICATES = list(range(CNN["replicates"]))
CNN_EARLIER = config["cnn_earlier"]


rule train_cnn:
    """Train replicate {replicate} of our CNN."""
    input:
        npz=rules.prepare_data.output.npz,
    output:
        model="results/cnn/rep{replicate}/model.keras",
        metrics="results/cnn/rep{replicate}/metrics.json",
        timing="results/cnn/rep{replicate}/timing.json",
    params:
        builder="cnn_classifier",
        model=CNN["model"],
        training=CNN["training"],
        seed=lambda w: job_seed("cnn", w.replicate),
        backend=backend_of(CNN),
        onednn_max_isa=onednn_cap(backend_of(CNN)),
        code=script_code("train_classifier"),
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=60,
    log:
        "logs/cnn/rep{replicate}.log",
    benchmark:
        "results/benchmarks/cnn/rep{replicate}.tsv"
    conda:
        CONDA_ENV
    script:
        "../../scripts/train_classifier.py"


rule train_cnn_earlier:
    """Train the earlier answer's CNN as a comparison point (when cnn_earlier.enabled)."""
    input:
        npz=rules.prepare_data.output.npz,
    output:
        model="results/cnn_earlier/model.keras",
        metrics="results/cnn_earlier/metrics.json",
        timing="results/cnn_earlier/timing.json",
    params:
        builder="cnn_classifier",
        model=CNN_EARLIER["model"],
        training=CNN_EARLIER["training"],
        seed=job_seed("cnn_earlier"),
        backend=backend_of(CNN_EARLIER),
        onednn_max_isa=onednn_cap(backend_of(CNN_EARLIER)),
        code=script_code("train_classifier"),
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=180,  # minutes: 40 epochs took close to an hour on 2 cores
    log:
        "logs/cnn_earlier/train.log",
    benchmark:
        "results/benchmarks/cnn_earlier.tsv"
    conda:
        CONDA_ENV
    script:
        "../../scripts/train_classifier.py"


rule describe_cnn_earlier:
    """The earlier answer's CNN built (not trained): its layers, parameters and MACs for 3A/3B."""
    output:
        layers="results/cnn_earlier/layers.json",
    params:
        builder="cnn_classifier",
        model=CNN_EARLIER["model"],
        backend=backend_of(CNN_EARLIER),
        code=script_code("describe_model"),
    log:
        "logs/cnn_earlier/describe.log",
    resources:
        mem_mb=2000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/describe_model.py"


rule aggregate_cnn:
    """Mean and standard deviation of the CNN over its replicates."""
    input:
        metrics=expand(rules.train_cnn.output.metrics, replicate=CNN_REPLICATES),
    output:
        summary=report("results/cnn/summary.json", caption="../report/captions/cnn_summary.rst", category="3 Convolutional network"),
    params:
        code=script_code("aggregate_cnn"),
    log:
        "logs/cnn/aggregate.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/aggregate_cnn.py"


# Every trained classifier of questions 2-3 by name: (metrics file, model file).
CLASSIFIERS = {
    "dense " + "-".join(map(str, config["dense"]["model"]["hidden_units"])): classifier_files(rules.train_dense),
    **{
        f"{'-'.join(map(str, config['sweep']['model']['hidden_units']))}, L2 {f}, replicate {r}": classifier_files(rules.train_sweep, factor=f, replicate=r)
        for f, r in SWEEP_JOBS
    },
    **{f"CNN, replicate {r}": classifier_files(rules.train_cnn, replicate=r) for r in CNN_REPLICATES},
}


rule select_classifier:
    """The best classifier of questions 2-3 by final validation accuracy (used by 3B and 4C)."""
    input:
        metrics=[metrics for metrics, _ in CLASSIFIERS.values()],
        models=[model for _, model in CLASSIFIERS.values()],
    output:
        choice="results/best_classifier.json",
    params:
        names=list(CLASSIFIERS),
        code=script_code("select_classifier"),
    log:
        "logs/select_classifier.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/select_classifier.py"


rule evaluate_shift:
    """Question 3B: accuracy of the best dense network and of the best CNN on shifted test images."""
    input:
        npz=rules.prepare_data.output.npz,
        choice=rules.select_classifier.output.choice,
        models=rules.select_classifier.input.models,
    output:
        table=report("results/shift/accuracy.csv", caption="../report/captions/shift_table.rst", category="3 Convolutional network"),
        correct="results/shift/correct.npz",
    params:
        max_shift=config["shift"]["max_shift"],
        seed=job_seed("shift"),
        backend=backend_of(CNN),
        onednn_max_isa=onednn_cap(backend_of(CNN)),
        code=script_code("evaluate_shift"),
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=20,
    log:
        "logs/shift.log",
    benchmark:
        "results/benchmarks/evaluate_shift.tsv"
    conda:
        CONDA_ENV
    script:
        "../../scripts/evaluate_shift.py"
