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


# 3B separates architecture from augmentation with two controls, each with the seeds of the runs it
# controls: the dense network of 2D at the factor chosen on validation, trained with the CNN's
# augmentation, and the CNN trained without it. Without augmentation in the CNN there is nothing to separate.
AUGMENTATION = {key: CNN["model"].get(key, 0) for key in ("augment_shift", "augment_rotation", "augment_zoom")}
AUGMENTS = any(AUGMENTATION.values())
SWEEP_REPLICATES = list(range(config["sweep"]["replicates"]))


rule train_dense_augmented:
    """3B control: replicate {replicate} of the 2D network at the chosen L2 factor, trained with the CNN's augmentation."""
    input:
        npz=rules.prepare_data.output.npz,
        l2_choice=rules.aggregate_sweep.output.choice,
    output:
        model="results/shift/dense_augmented/rep{replicate}/model.keras",
        metrics="results/shift/dense_augmented/rep{replicate}/metrics.json",
        timing="results/shift/dense_augmented/rep{replicate}/timing.json",
    params:
        builder="dense_classifier",
        model={**config["sweep"]["model"], **AUGMENTATION},
        training=config["sweep"]["training"],
        seed=lambda w: job_seed("sweep", w.replicate),  # the seed of the 2D replicate it controls
        backend=config["keras_backend"],
        onednn_max_isa=onednn_cap(config["keras_backend"]),
        code=script_code("train_classifier"),
    threads: config["threads"]
    resources:
        mem_mb=3000,
        runtime=60,
    log:
        "logs/shift/dense_augmented/rep{replicate}.log",
    benchmark:
        "results/benchmarks/shift/dense_augmented_rep{replicate}.tsv"
    conda:
        CONDA_ENV
    script:
        "../../scripts/train_classifier.py"


rule train_cnn_unaugmented:
    """3B control: replicate {replicate} of our CNN trained without augmentation."""
    input:
        npz=rules.prepare_data.output.npz,
    output:
        model="results/shift/cnn_unaugmented/rep{replicate}/model.keras",
        metrics="results/shift/cnn_unaugmented/rep{replicate}/metrics.json",
        timing="results/shift/cnn_unaugmented/rep{replicate}/timing.json",
    params:
        builder="cnn_classifier",
        model={**CNN["model"], **{key: 0 for key in AUGMENTATION}},
        training=CNN["training"],
        seed=lambda w: job_seed("cnn", w.replicate),  # the seed of the 3A replicate it controls
        backend=backend_of(CNN),
        onednn_max_isa=onednn_cap(backend_of(CNN)),
        code=script_code("train_classifier"),
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=60,
    log:
        "logs/shift/cnn_unaugmented/rep{replicate}.log",
    benchmark:
        "results/benchmarks/shift/cnn_unaugmented_rep{replicate}.tsv"
    conda:
        CONDA_ENV
    script:
        "../../scripts/train_classifier.py"


rule evaluate_shift:
    """Question 3B: accuracy on shifted test images of every replicate of the 2D network (chosen factor),
    the CNN and, where the CNN augments, the two controls."""
    input:
        npz=rules.prepare_data.output.npz,
        l2_choice=rules.aggregate_sweep.output.choice,
        dense=for_each_sweep_job(rules.train_sweep.output.model),
        cnn=expand(rules.train_cnn.output.model, replicate=CNN_REPLICATES),
        dense_augmented=expand(rules.train_dense_augmented.output.model, replicate=SWEEP_REPLICATES) if AUGMENTS else [],
        cnn_unaugmented=expand(rules.train_cnn_unaugmented.output.model, replicate=CNN_REPLICATES) if AUGMENTS else [],
    output:
        table=report("results/shift/accuracy.csv", caption="../report/captions/shift_table.rst", category="3 Convolutional network"),
    params:
        sweep_jobs=SWEEP_JOBS,
        max_shift=config["shift"]["max_shift"],
        seed=job_seed("shift"),
        backend=backend_of(CNN),
        onednn_max_isa=onednn_cap(backend_of(CNN)),
        code=script_code("evaluate_shift"),
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=30,
    log:
        "logs/shift.log",
    benchmark:
        "results/benchmarks/evaluate_shift.tsv"
    conda:
        CONDA_ENV
    script:
        "../../scripts/evaluate_shift.py"
