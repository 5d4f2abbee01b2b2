# Question 3A: the CNN design study (candidates compared on validation), the chosen design's replicate
# jobs, the earlier answer's CNN as a comparison point, and the diagnostics of the final classifier.
# CNN, CNN_REPLICATES, DESIGNS, DESIGN_JOBS and chosen_design are in common.smk (3B reads them too).

CNN_EARLIER = config["cnn_earlier"]


rule train_cnn_candidate:
    """3A design study: replicate {replicate} of the candidate design {design}, judged on validation only."""
    input:
        npz=rules.prepare_data.output.npz,
    output:
        model="results/cnn_design/{design}/rep{replicate}/model.keras",
        metrics="results/cnn_design/{design}/rep{replicate}/metrics.json",
        timing="results/cnn_design/{design}/rep{replicate}/timing.json",
        predictions="results/cnn_design/{design}/rep{replicate}/predictions.npz",
    log:
        "logs/cnn_design/{design}/rep{replicate}.log",
    benchmark:
        "results/benchmarks/cnn_design/{design}_rep{replicate}.tsv"
    conda:
        CONDA_ENV
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        builder="cnn_classifier",
        model=lambda w: design_settings(CNN, DESIGNS[w.design])["model"],
        training=lambda w: design_settings(CNN, DESIGNS[w.design])["training"],
        # shared by the candidates (compared on the same initialisation streams), apart from the 3A replicates
        seed=lambda w: job_seed("cnn_design", w.replicate),
        backend=backend_of(CNN),
        onednn_max_isa=onednn_cap(backend_of(CNN)),
        code=script_code("train_classifier"),
    script:
        "../../scripts/train_classifier.py"


add_benchmarks(rules.train_cnn_candidate, [dict(design=d, replicate=r) for d, r in DESIGN_JOBS])


rule select_cnn_design:
    """3A design study: the candidate with the most validation images right over its replicates."""
    input:
        metrics=[rules.train_cnn_candidate.output.metrics.format(design=d, replicate=r) for d, r in DESIGN_JOBS],
        predictions=[rules.train_cnn_candidate.output.predictions.format(design=d, replicate=r) for d, r in DESIGN_JOBS],
    output:
        design="results/cnn_design/choice.json",
    log:
        "logs/cnn_design/select.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        jobs=DESIGN_JOBS,
        candidates=without_descriptions(DESIGNS),
        settings={name: design_settings(CNN, c) for name, c in DESIGNS.items()},
        base=design_settings(CNN, {}),
        code=script_code("select_cnn_design"),
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
        predictions="results/cnn/rep{replicate}/predictions.npz",
    log:
        "logs/cnn/rep{replicate}.log",
    benchmark:
        "results/benchmarks/cnn/rep{replicate}.tsv"
    conda:
        CONDA_ENV
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        builder="cnn_classifier",
        model=CNN["model"],
        training=CNN["training"],
        design_part="all",  # the chosen design replaces model and training, when the study is on
        seed=lambda w: job_seed("cnn", w.replicate),
        backend=backend_of(CNN),
        onednn_max_isa=onednn_cap(backend_of(CNN)),
        code=script_code("train_classifier"),
    script:
        "../../scripts/train_classifier.py"


add_benchmarks(rules.train_cnn, [dict(replicate=r) for r in CNN_REPLICATES])


rule train_cnn_earlier:
    """Train the earlier answer's CNN as a comparison point (when cnn_earlier.enabled)."""
    input:
        npz=rules.prepare_data.output.npz,
    output:
        model="results/cnn_earlier/model.keras",
        metrics="results/cnn_earlier/metrics.json",
        timing="results/cnn_earlier/timing.json",
        predictions="results/cnn_earlier/predictions.npz",
    log:
        "logs/cnn_earlier/train.log",
    benchmark:
        "results/benchmarks/cnn_earlier.tsv"
    conda:
        CONDA_ENV
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=180,  # minutes: 40 epochs took close to an hour on 2 cores
    params:
        builder="cnn_classifier",
        model=CNN_EARLIER["model"],
        training=CNN_EARLIER["training"],
        seed=job_seed("cnn_earlier"),
        backend=backend_of(CNN_EARLIER),
        onednn_max_isa=onednn_cap(backend_of(CNN_EARLIER)),
        code=script_code("train_classifier"),
    script:
        "../../scripts/train_classifier.py"


if CNN_EARLIER["enabled"]:
    add_benchmarks(rules.train_cnn_earlier)


rule describe_cnn_earlier:
    """The earlier answer's CNN built (not trained): its layers, parameters and MACs for 3A/3B."""
    output:
        layers="results/cnn_earlier/layers.json",
    log:
        "logs/cnn_earlier/describe.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=2000,
        runtime=5,
    params:
        builder="cnn_classifier",
        model=CNN_EARLIER["model"],
        backend=backend_of(CNN_EARLIER),
        code=script_code("describe_model"),
    script:
        "../../scripts/describe_model.py"


rule aggregate_cnn:
    """Mean and standard deviation of the CNN over its replicates."""
    input:
        metrics=expand(rules.train_cnn.output.metrics, replicate=CNN_REPLICATES),
    output:
        summary=report(
            "results/cnn/summary.json",
            caption="../report/captions/cnn_summary.rst",
            category="3 Convolutional network",
        ),
    log:
        "logs/cnn/aggregate.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=script_code("aggregate_cnn"),
    script:
        "../../scripts/aggregate_cnn.py"


rule plot_cnn_history:
    """Question 3A: training and validation accuracy per epoch of the first CNN replicate."""
    input:
        metrics=rules.train_cnn.output.metrics.format(replicate=0),
    output:
        figure=report(
            "results/figures/cnn_accuracy.svg",
            caption="../report/captions/cnn_accuracy.rst",
            category="3 Convolutional network",
        ),
    log:
        "logs/figures/cnn_accuracy.log",
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


rule diagnose_cnn:
    """3A diagnostics: confusion matrix of every CNN replicate and the misclassified test digits of the best on validation."""
    input:
        npz=rules.prepare_data.output.npz,
        models=expand(rules.train_cnn.output.model, replicate=CNN_REPLICATES),
        metrics=expand(rules.train_cnn.output.metrics, replicate=CNN_REPLICATES),
    output:
        diagnostics="results/cnn/diagnostics.npz",
    log:
        "logs/cnn/diagnose.log",
    benchmark:
        "results/benchmarks/cnn/diagnose.tsv"
    conda:
        CONDA_ENV
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=10,
    params:
        examples=40,
        backend=backend_of(CNN),
        onednn_max_isa=onednn_cap(backend_of(CNN)),
        code=script_code("diagnose_cnn"),
    script:
        "../../scripts/diagnose_cnn.py"


add_benchmarks(rules.diagnose_cnn)


rule plot_cnn_diagnostics:
    """3A figures: the confusion matrix (mean over replicates) and the misclassified test digits."""
    input:
        diagnostics=rules.diagnose_cnn.output.diagnostics,
    output:
        confusion=report(
            "results/figures/cnn_confusion.svg",
            caption="../report/captions/cnn_confusion.rst",
            category="3 Convolutional network",
        ),
        misclassified=report(
            "results/figures/cnn_misclassified.png",
            caption="../report/captions/cnn_misclassified.rst",
            category="3 Convolutional network",
        ),
    log:
        "logs/figures/cnn_diagnostics.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        columns=10,
        class_names=config["data"]["class_names"],
        code=script_code("plot_cnn_diagnostics"),
    script:
        "../../scripts/plot_cnn_diagnostics.py"
