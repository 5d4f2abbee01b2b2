# Question 3B: accuracy on shifted test digits. Two controls, each with the seeds of the runs it
# controls, separate architecture from augmentation: the 2D network at the factor chosen on validation
# trained with the CNN's augmentation, and the CNN trained without it. Without augmentation in the CNN
# there is nothing to separate.

AUGMENTATION = {key: CNN["model"].get(key, 0) for key in AUGMENTATION_KEYS}
AUGMENTS = any(design_settings(CNN, c)["model"].get(key) for c in [{}, *DESIGNS.values()] for key in AUGMENTATION_KEYS)
# The augmented dense control trains on the 2D networks' backend unless a design could rotate or zoom:
# Keras marks its rotation and zoom layers as not jit-compatible, so on JAX the whole model then trains
# eagerly (13 s an epoch against about 1.2 s on TensorFlow); the shift alone compiles
# (models.SeparableRandomTranslation) and runs as fast as the plain 2D network.
SLOW_AUGMENTATION = any(
    design_settings(CNN, c)["model"].get(key)
    for c in [{}, *DESIGNS.values()]
    for key in ("augment_rotation", "augment_zoom")
)
DENSE_AUGMENTED_BACKEND = backend_of(CNN) if SLOW_AUGMENTATION else backend_of(SWEEP)


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
        predictions="results/shift/dense_augmented/rep{replicate}/predictions.npz",
    log:
        "logs/shift/dense_augmented/rep{replicate}.log",
    benchmark:
        "results/benchmarks/shift/dense_augmented_rep{replicate}.tsv"
    conda:
        CONDA_ENV
    threads: config["threads"]
    resources:
        mem_mb=3000,
        runtime=60,
    params:
        builder="dense_classifier",
        model={**config["sweep"]["model"], **AUGMENTATION},
        design_part="augmentation",  # the chosen design's augmentation, when the study is on
        training=config["sweep"]["training"],
        seed=lambda w: job_seed("sweep", w.replicate),  # the seed of the 2D replicate it controls
        backend=DENSE_AUGMENTED_BACKEND,
        onednn_max_isa=onednn_cap(DENSE_AUGMENTED_BACKEND),
        code=script_code("train_classifier"),
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
        predictions="results/shift/cnn_unaugmented/rep{replicate}/predictions.npz",
    log:
        "logs/shift/cnn_unaugmented/rep{replicate}.log",
    benchmark:
        "results/benchmarks/shift/cnn_unaugmented_rep{replicate}.tsv"
    conda:
        CONDA_ENV
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        builder="cnn_classifier",
        model={**CNN["model"], **{key: 0 for key in AUGMENTATION}},
        design_part="without_augmentation",  # of the chosen design, when the study is on
        training=CNN["training"],
        seed=lambda w: job_seed("cnn", w.replicate),  # the seed of the 3A replicate it controls
        backend=backend_of(CNN),
        onednn_max_isa=onednn_cap(backend_of(CNN)),
        code=script_code("train_classifier"),
    script:
        "../../scripts/train_classifier.py"


if AUGMENTS:
    add_benchmarks(rules.train_dense_augmented, [dict(replicate=r) for r in SWEEP_REPLICATES])
    add_benchmarks(rules.train_cnn_unaugmented, [dict(replicate=r) for r in CNN_REPLICATES])


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
        table=report(
            "results/shift/accuracy.csv",
            caption="../report/captions/shift_table.rst",
            category="3 Convolutional network",
        ),
    log:
        "logs/shift.log",
    benchmark:
        "results/benchmarks/evaluate_shift.tsv"
    conda:
        CONDA_ENV
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        sweep_jobs=SWEEP_JOBS,
        max_shift=config["shift"]["max_shift"],
        seed=job_seed("shift"),
        backend=EVALUATION_BACKEND,
        onednn_max_isa=onednn_cap(EVALUATION_BACKEND),
        code=script_code("evaluate_shift"),
    script:
        "../../scripts/evaluate_shift.py"


add_benchmarks(rules.evaluate_shift)


rule plot_shift:
    """Question 3B: accuracy against the shift of the test images, dense network and CNN."""
    input:
        table=rules.evaluate_shift.output.table,
    output:
        figure=report(
            "results/figures/shift.svg", caption="../report/captions/shift.rst", category="3 Convolutional network"
        ),
    log:
        "logs/figures/shift.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        names=SHIFT_CELL_NAMES,
        code=script_code("plot_shift"),
    script:
        "../../scripts/plot_shift.py"
