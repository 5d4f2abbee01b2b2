# Question 2D: the 500-300 network under an L2 weight-decay sweep.
# One job per (factor, replicate); an aggregation rule collects them.

SWEEP = config["sweep"]


wildcard_constraints:
    factor=FACTOR_PATTERN,
    replicate=r"[0-9]+",


rule train_sweep:
    """Train one 500-300 network with L2 factor {factor} on the hidden kernels, replicate {replicate}."""
    input:
        npz=rules.prepare_data.output.npz,
    output:
        model="results/sweep/l2_{factor}/rep{replicate}/model.keras",
        metrics="results/sweep/l2_{factor}/rep{replicate}/metrics.json",
        timing="results/sweep/l2_{factor}/rep{replicate}/timing.json",
    params:
        builder="dense_classifier",
        model=lambda w: {**SWEEP["model"], "l2": float(w.factor)},
        training=SWEEP["training"],
        # the same seed for a replicate at every factor: factors compared on the same initialisations
        seed=lambda w: job_seed("sweep", w.replicate),
        backend=config["keras_backend"],
        onednn_max_isa=onednn_cap(config["keras_backend"]),
        code=script_code("train_classifier"),
    threads: config["threads"]
    resources:
        mem_mb=3000,
        runtime=60,
    log:
        "logs/sweep/l2_{factor}/rep{replicate}.log",
    benchmark:
        "results/benchmarks/sweep/l2_{factor}_rep{replicate}.tsv"
    conda:
        CONDA_ENV
    script:
        "../../scripts/train_classifier.py"


rule aggregate_sweep:
    """All sweep jobs in one per-run table and one per-factor summary (mean, std)."""
    input:
        metrics=for_each_sweep_job(rules.train_sweep.output.metrics),
    output:
        runs=report("results/sweep/runs.csv", caption="../report/captions/sweep_runs.rst", category="2 Dense networks"),
        summary=report("results/sweep/summary.csv", caption="../report/captions/sweep_summary.rst", category="2 Dense networks"),
        curves="results/sweep/curves.json",
        choice="results/sweep/choice.json",  # the factor chosen on validation (3B's dense network)
    params:
        jobs=SWEEP_JOBS,
        code=script_code("aggregate_sweep"),
    log:
        "logs/sweep/aggregate.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/aggregate_sweep.py"
