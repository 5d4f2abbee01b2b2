# Question 2D: the 500-300 network under an L2 weight-decay sweep, one job per (factor, replicate)
# (SWEEP_JOBS, common.smk); an aggregation rule collects them, two figure rules draw them. Then the
# Hinton study, an addition to 2D: training variants of the same network, paired with the 2D
# replicates by seed (its jobs, HINTON_JOBS, and inputs, hinton_inputs, are in common.smk).


rule train_sweep:
    """Train one 500-300 network with L2 factor {factor} on the hidden kernels, replicate {replicate}."""
    input:
        npz=rules.prepare_data.output.npz,
    output:
        model="results/sweep/l2_{factor}/rep{replicate}/model.keras",
        metrics="results/sweep/l2_{factor}/rep{replicate}/metrics.json",
        timing="results/sweep/l2_{factor}/rep{replicate}/timing.json",
        predictions="results/sweep/l2_{factor}/rep{replicate}/predictions.npz",
    log:
        "logs/sweep/l2_{factor}/rep{replicate}.log",
    benchmark:
        "results/benchmarks/sweep/l2_{factor}_rep{replicate}.tsv"
    conda:
        CONDA_ENV
    threads: config["threads"]
    resources:
        mem_mb=3000,
        runtime=60,
    params:
        builder="dense_classifier",
        model=lambda w: {**SWEEP["model"], "l2": float(w.factor)},
        training=SWEEP["training"],
        # the same seed for a replicate at every factor: factors compared on the same initialisations
        seed=lambda w: job_seed("sweep", w.replicate),
        backend=config["keras_backend"],
        onednn_max_isa=onednn_cap(config["keras_backend"]),
        code=script_code("train_classifier"),
    script:
        "../../scripts/train_classifier.py"


add_benchmarks(rules.train_sweep, [dict(factor=f, replicate=r) for f, r in SWEEP_JOBS])


rule aggregate_sweep:
    """All sweep jobs in one per-run table and one per-factor summary (mean, std)."""
    input:
        metrics=for_each_sweep_job(rules.train_sweep.output.metrics),
    output:
        runs=report("results/sweep/runs.csv", caption="../report/captions/sweep_runs.rst", category="2 Dense networks"),
        summary=report(
            "results/sweep/summary.csv", caption="../report/captions/sweep_summary.rst", category="2 Dense networks"
        ),
        curves="results/sweep/curves.json",
        choice="results/sweep/choice.json",  # the factor chosen on validation (3B's dense network)
        # the factor chosen on validation among those above 0 (the Hinton study: his entry uses weight decay)
        choice_with_decay="results/sweep/choice_with_decay.json",
    log:
        "logs/sweep/aggregate.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        jobs=SWEEP_JOBS,
        code=script_code("aggregate_sweep"),
    script:
        "../../scripts/aggregate_sweep.py"


rule plot_sweep:
    """Question 2D: final validation accuracy against the L2 factor, mean and t-interval, Hinton's result."""
    input:
        summary=rules.aggregate_sweep.output.summary,
        references=REPORT_DIR / "references.yaml",
    output:
        figure=report(
            "results/figures/sweep_factor.svg",
            caption="../report/captions/sweep_factor.rst",
            category="2 Dense networks",
        ),
    log:
        "logs/figures/sweep_factor.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=script_code("plot_sweep"),
        cited=CITATIONS_APPLY,
    script:
        "../../scripts/plot_sweep.py"


rule plot_sweep_curves:
    """Question 2D: validation accuracy and loss per epoch for each factor (mean and range over
    replicates), read from every sweep run; the curves drawn are saved beside the figure."""
    input:
        metrics=for_each_sweep_job(rules.train_sweep.output.metrics),
    output:
        figure=report(
            "results/figures/sweep_curves.svg",
            caption="../report/captions/sweep_curves.rst",
            category="2 Dense networks",
        ),
        data="results/figures/sweep_curves.json",
    log:
        "logs/figures/sweep_curves.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        jobs=SWEEP_JOBS,
        code=script_code("plot_sweep_curves"),
    script:
        "../../scripts/plot_sweep_curves.py"


rule train_hinton_tuning:
    """Hinton study, tuning: variant {variant} at peak learning rate {lr} and L2 factor {factor}, replicate {replicate} (judged on validation)."""
    input:
        unpack(hinton_tuning_inputs),
    output:
        model="results/hinton/{variant}/tuning/lr_{lr}/l2_{factor}/rep{replicate}/model.keras",
        metrics="results/hinton/{variant}/tuning/lr_{lr}/l2_{factor}/rep{replicate}/metrics.json",
        timing="results/hinton/{variant}/tuning/lr_{lr}/l2_{factor}/rep{replicate}/timing.json",
        predictions="results/hinton/{variant}/tuning/lr_{lr}/l2_{factor}/rep{replicate}/predictions.npz",
    log:
        "logs/hinton/{variant}/tuning/lr_{lr}_l2_{factor}_rep{replicate}.log",
    benchmark:
        "results/benchmarks/hinton/{variant}_tuning_lr_{lr}_l2_{factor}_rep{replicate}.tsv"
    wildcard_constraints:
        variant=r"[A-Za-z0-9_]+",
        lr=FACTOR_PATTERN,
        factor=rf"chosen|{FACTOR_PATTERN}",
    conda:
        CONDA_ENV
    threads: config["threads"]
    resources:
        mem_mb=3000,
        runtime=120,
    params:
        builder="dense_classifier",
        # "chosen": the factor with decay chosen in 2D, read from l2_choice by the job
        model=lambda w: {**SWEEP["model"], "l2": 0.0 if w.factor == "chosen" else float(w.factor)},
        training=lambda w: {
            **variant_training(w.variant),
            "optimizer": {**variant_training(w.variant)["optimizer"], "learning_rate": float(w.lr)},
        },
        train_on_all=False,
        # the cells share their seeds (compared on the same streams), apart from the comparison runs' seeds: the
        # chosen cell's runs are then new runs, their validation scores not those the choice was made on
        seed=lambda w: job_seed("hinton_tuning", w.replicate),
        backend=config["keras_backend"],
        onednn_max_isa=onednn_cap(config["keras_backend"]),
        code=script_code("train_classifier"),
    script:
        "../../scripts/train_classifier.py"


add_benchmarks(rules.train_hinton_tuning, HINTON_TUNING_WILDCARDS)


rule choose_hinton:
    """Hinton study: the learning rate and factor variant {variant} re-chooses on validation among its tuning runs."""
    input:
        metrics=hinton_tuning_metrics,
    output:
        choice="results/hinton/{variant}/choice.json",
    log:
        "logs/hinton/{variant}/choose.log",
    wildcard_constraints:
        variant=r"[A-Za-z0-9_]+",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        jobs=lambda w: [(lr, f, r) for v, lr, f, r in HINTON_TUNING_JOBS if v == w.variant],
        code=script_code("choose_hinton"),
    script:
        "../../scripts/choose_hinton.py"


rule train_hinton_baseline:
    """Hinton study: an extra run of the 2D settings at 2D's factor with decay, replicate {replicate} (beyond the sweep's)."""
    input:
        npz=rules.prepare_data.output.npz,
        l2_choice=rules.aggregate_sweep.output.choice_with_decay,
    output:
        model="results/hinton/2d_baseline/rep{replicate}/model.keras",
        metrics="results/hinton/2d_baseline/rep{replicate}/metrics.json",
        timing="results/hinton/2d_baseline/rep{replicate}/timing.json",
        predictions="results/hinton/2d_baseline/rep{replicate}/predictions.npz",
    log:
        "logs/hinton/2d_baseline/rep{replicate}.log",
    benchmark:
        "results/benchmarks/hinton/2d_baseline_rep{replicate}.tsv"
    conda:
        CONDA_ENV
    threads: config["threads"]
    resources:
        mem_mb=3000,
        runtime=60,
    params:
        builder="dense_classifier",
        model={**SWEEP["model"], "l2": 0.0},  # the factor is read from l2_choice by the job
        training=SWEEP["training"],
        seed=lambda w: job_seed("sweep", w.replicate),  # the seed 2D's replicate {replicate} would have
        backend=config["keras_backend"],
        onednn_max_isa=onednn_cap(config["keras_backend"]),
        code=script_code("train_classifier"),
    script:
        "../../scripts/train_classifier.py"


add_benchmarks(rules.train_hinton_baseline, [dict(replicate=r) for r in HINTON_BASELINE_EXTRA])


rule train_hinton:
    """Hinton study: variant {variant} at its chosen settings ({factor}), replicate {replicate} (the 2D replicate's seed)."""
    input:
        unpack(hinton_inputs),
    output:
        model="results/hinton/{variant}/l2_{factor}/rep{replicate}/model.keras",
        metrics="results/hinton/{variant}/l2_{factor}/rep{replicate}/metrics.json",
        timing="results/hinton/{variant}/l2_{factor}/rep{replicate}/timing.json",
        predictions="results/hinton/{variant}/l2_{factor}/rep{replicate}/predictions.npz",
    log:
        "logs/hinton/{variant}/l2_{factor}/rep{replicate}.log",
    benchmark:
        "results/benchmarks/hinton/{variant}_l2_{factor}_rep{replicate}.tsv"
    wildcard_constraints:
        variant=r"[A-Za-z0-9_]+",
        factor="chosen",
    conda:
        CONDA_ENV
    threads: config["threads"]
    resources:
        mem_mb=3000,
        runtime=120,
    params:
        builder="dense_classifier",
        # the factor (and, for a tuned variant, the peak learning rate) is read from l2_choice by the job
        model={**SWEEP["model"], "l2": 0.0},
        training=lambda w: variant_training(w.variant),
        train_on_all=lambda w: bool(VARIANTS[w.variant].get("train_on_all")),
        continue_labels=lambda w: continued_labels(w.replicate) if CONTINUES_2D[w.variant] else [],
        initial_epoch=lambda w: SWEEP["training"]["epochs"] if CONTINUES_2D[w.variant] else 0,
        seed=lambda w: job_seed("sweep", w.replicate),  # paired with 2D replicate {replicate}
        backend=config["keras_backend"],
        onednn_max_isa=onednn_cap(config["keras_backend"]),
        code=script_code("train_classifier"),
    script:
        "../../scripts/train_classifier.py"


add_benchmarks(rules.train_hinton, [dict(variant=v, factor=f, replicate=r) for v, f, r in HINTON_JOBS])


rule aggregate_hinton:
    """Hinton study: per variant, its chosen settings and test accuracies, beside the 2D runs (and their extra seeds)."""
    input:
        metrics=[rules.train_hinton.output.metrics.format(variant=v, factor=f, replicate=r) for v, f, r in HINTON_JOBS],
        baseline=[rules.train_hinton_baseline.output.metrics.format(replicate=r) for r in HINTON_BASELINE_EXTRA],
        choices=[rules.choose_hinton.output.choice.format(variant=v) for v in TUNED],
        sweep_runs=rules.aggregate_sweep.output.runs,
        l2_choice=rules.aggregate_sweep.output.choice_with_decay,
    output:
        summary="results/hinton/summary.json",
    log:
        "logs/hinton/aggregate.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        jobs=HINTON_JOBS,
        baseline_replicates=HINTON_BASELINE_EXTRA,
        baseline_learning_rate=SWEEP["training"]["optimizer"]["learning_rate"],
        tuned=TUNED,
        variants=without_descriptions(VARIANTS),
        code=script_code("aggregate_hinton"),
    script:
        "../../scripts/aggregate_hinton.py"
