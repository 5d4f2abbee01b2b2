# Question 3: the convolutional network (replicate jobs), the optional earlier-answer CNN,
# the choice of the best classifier, and the translation-robustness experiment.

CNN = config["cnn"]
CNN_REPLICATES = list(range(CNN["replicates"]))
CNN_EARLIER = config["cnn_earlier"]
STUDY = CNN.get("design_study") or {"enabled": False}
DESIGNS = STUDY["candidates"] if STUDY["enabled"] else {}
DESIGN_JOBS = [(name, r) for name in DESIGNS for r in range(STUDY.get("replicates", 1))]


wildcard_constraints:
    design=r"[A-Za-z0-9_]+",


rule train_cnn_candidate:
    """3A design study: replicate {replicate} of the candidate design {design}, judged on validation only."""
    input:
        npz=rules.prepare_data.output.npz,
    output:
        model="results/cnn_design/{design}/rep{replicate}/model.keras",
        metrics="results/cnn_design/{design}/rep{replicate}/metrics.json",
        timing="results/cnn_design/{design}/rep{replicate}/timing.json",
    params:
        builder="cnn_classifier",
        model=lambda w: design_settings(CNN, DESIGNS[w.design])["model"],
        training=lambda w: design_settings(CNN, DESIGNS[w.design])["training"],
        # shared by the candidates (compared on the same initialisation streams), apart from the 3A replicates
        seed=lambda w: job_seed("cnn_design", w.replicate),
        backend=backend_of(CNN),
        onednn_max_isa=onednn_cap(backend_of(CNN)),
        code=script_code("train_classifier"),
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=60,
    log:
        "logs/cnn_design/{design}/rep{replicate}.log",
    benchmark:
        "results/benchmarks/cnn_design/{design}_rep{replicate}.tsv"
    conda:
        CONDA_ENV
    script:
        "../../scripts/train_classifier.py"


rule select_cnn_design:
    """3A design study: the candidate with the most validation images right over its replicates."""
    input:
        metrics=[rules.train_cnn_candidate.output.metrics.format(design=d, replicate=r) for d, r in DESIGN_JOBS],
    output:
        design="results/cnn_design/choice.json",
    params:
        jobs=DESIGN_JOBS,
        candidates=without_descriptions(DESIGNS),
        settings={name: design_settings(CNN, c) for name, c in DESIGNS.items()},
        base=design_settings(CNN, {}),
        code=script_code("select_cnn_design"),
    log:
        "logs/cnn_design/select.log",
    localrule: True
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/select_cnn_design.py"


rule train_cnn:
    """Train replicate {replicate} of our CNN (the design chosen on validation when the study is on)."""
    input:
        unpack(chosen_design),
        npz=rules.prepare_data.output.npz,
    output:
        model="results/cnn/rep{replicate}/model.keras",
        metrics="results/cnn/rep{replicate}/metrics.json",
        timing="results/cnn/rep{replicate}/timing.json",
    params:
        builder="cnn_classifier",
        model=CNN["model"],
        training=CNN["training"],
        design_part="all",  # the chosen design replaces model and training, when the study is on
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


rule diagnose_cnn:
    """3A diagnostics: confusion matrix of every CNN replicate and the misclassified test digits of the best on validation."""
    input:
        npz=rules.prepare_data.output.npz,
        models=expand(rules.train_cnn.output.model, replicate=CNN_REPLICATES),
        metrics=expand(rules.train_cnn.output.metrics, replicate=CNN_REPLICATES),
    output:
        diagnostics="results/cnn/diagnostics.npz",
    params:
        examples=40,
        backend=backend_of(CNN),
        onednn_max_isa=onednn_cap(backend_of(CNN)),
        code=script_code("diagnose_cnn"),
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=10,
    log:
        "logs/cnn/diagnose.log",
    benchmark:
        "results/benchmarks/cnn/diagnose.tsv"
    conda:
        CONDA_ENV
    script:
        "../../scripts/diagnose_cnn.py"


rule plot_cnn_diagnostics:
    """3A figures: the confusion matrix (mean over replicates) and the misclassified test digits."""
    input:
        diagnostics=rules.diagnose_cnn.output.diagnostics,
    output:
        confusion=report("results/figures/cnn_confusion.svg", caption="../report/captions/cnn_confusion.rst", category="3 Convolutional network"),
        misclassified=report("results/figures/cnn_misclassified.png", caption="../report/captions/cnn_misclassified.rst", category="3 Convolutional network"),
    params:
        columns=10,
        code=script_code("plot_cnn_diagnostics"),
    log:
        "logs/figures/cnn_diagnostics.log",
    localrule: True
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/plot_cnn_diagnostics.py"


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
AUGMENTATION = {key: CNN["model"].get(key, 0) for key in AUGMENTATION_KEYS}
AUGMENTS = any(
    design_settings(CNN, c)["model"].get(key) for c in [{}, *DESIGNS.values()] for key in AUGMENTATION_KEYS
)
SWEEP_REPLICATES = list(range(config["sweep"]["replicates"]))
# The augmented dense control trains on the 2D networks' backend unless a design could rotate or zoom:
# Keras marks its rotation and zoom layers as not jit-compatible, so on JAX the whole model then trains
# eagerly (13 s an epoch against about 1.2 s on TensorFlow); the shift alone compiles
# (models.SeparableRandomTranslation) and runs as fast as the plain 2D network.
SLOW_AUGMENTATION = any(
    design_settings(CNN, c)["model"].get(key) for c in [{}, *DESIGNS.values()] for key in ("augment_rotation", "augment_zoom")
)
DENSE_AUGMENTED_BACKEND = backend_of(CNN) if SLOW_AUGMENTATION else backend_of(config["sweep"])


rule train_dense_augmented:
    """3B control: replicate {replicate} of the 2D network at the chosen L2 factor, trained with the CNN's augmentation."""
    input:
        unpack(chosen_design),
        npz=rules.prepare_data.output.npz,
        l2_choice=rules.aggregate_sweep.output.choice,
    output:
        model="results/shift/dense_augmented/rep{replicate}/model.keras",
        metrics="results/shift/dense_augmented/rep{replicate}/metrics.json",
        timing="results/shift/dense_augmented/rep{replicate}/timing.json",
    params:
        builder="dense_classifier",
        model={**config["sweep"]["model"], **AUGMENTATION},
        design_part="augmentation",  # the chosen design's augmentation, when the study is on
        training=config["sweep"]["training"],
        seed=lambda w: job_seed("sweep", w.replicate),  # the seed of the 2D replicate it controls
        backend=DENSE_AUGMENTED_BACKEND,
        onednn_max_isa=onednn_cap(DENSE_AUGMENTED_BACKEND),
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
        unpack(chosen_design),
        npz=rules.prepare_data.output.npz,
    output:
        model="results/shift/cnn_unaugmented/rep{replicate}/model.keras",
        metrics="results/shift/cnn_unaugmented/rep{replicate}/metrics.json",
        timing="results/shift/cnn_unaugmented/rep{replicate}/timing.json",
    params:
        builder="cnn_classifier",
        model={**CNN["model"], **{key: 0 for key in AUGMENTATION}},
        design_part="without_augmentation",  # of the chosen design, when the study is on
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
