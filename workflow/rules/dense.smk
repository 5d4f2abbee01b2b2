# Questions 2A-2C: the base dense network.


rule train_dense:
    """Train the 64-64 dense network exactly as the assignment sets it."""
    input:
        npz=rules.prepare_data.output.npz,
    output:
        model="results/dense/model.keras",
        metrics="results/dense/metrics.json",
        timing="results/dense/timing.json",
    params:
        builder="dense_classifier",
        model=config["dense"]["model"],
        training=config["dense"]["training"],
        seed=job_seed("dense"),
        backend=config["keras_backend"],
        onednn_max_isa=onednn_cap(config["keras_backend"]),
        code=script_code("train_classifier"),
    threads: config["threads"]
    resources:
        mem_mb=3000,
        runtime=30,
    log:
        "logs/dense/train.log",
    benchmark:
        "results/benchmarks/train_dense.tsv"
    conda:
        CONDA_ENV
    script:
        "../../scripts/train_classifier.py"
