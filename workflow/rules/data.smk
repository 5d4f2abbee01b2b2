# Question 1: raw IDX files -> one prepared uint8 .npz (train/validation/test) -> its description
# and an example of every class.


rule prepare_data:
    """Check the IDX files against their checksums; split off validation; write one .npz.

    The data's identity is its checksums (params), not where it comes from: the files are found when
    the job runs (MNIST_DIR, data.dir, else Keras' downloader), so switching between sources with the
    same content reruns nothing, and a damaged or unreachable source never invalidates prepared data."""
    output:
        npz="results/data/mnist.npz",
        info="results/data/info.json",
    log:
        "logs/prepare_data.log",
    benchmark:
        "results/benchmarks/prepare_data.tsv"
    conda:
        CONDA_ENV
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        checksums=config["data"]["sha256"],
        validation_size=config["data"]["validation_size"],
        subset=config["data"]["subset"],
        seed=job_seed("split"),
        code=script_code("prepare_data"),
    script:
        "../../scripts/prepare_data.py"


add_benchmarks(rules.prepare_data)


rule describe_data:
    """Question 1: shapes, types, ranges before/after preprocessing, class counts."""
    input:
        npz=rules.prepare_data.output.npz,
    output:
        summary="results/data/summary.json",
    log:
        "logs/describe_data.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=2000,
        runtime=5,
    params:
        code=script_code("describe_data"),
    script:
        "../../scripts/describe_data.py"


rule plot_examples:
    """Question 1: one example image per class."""
    input:
        npz=rules.prepare_data.output.npz,
    output:
        figure=report("results/figures/examples.png", caption="../report/captions/examples.rst", category="1 Data"),
    log:
        "logs/figures/examples.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=2000,
        runtime=5,
    params:
        class_names=config["data"]["class_names"],
        code=script_code("plot_examples"),
    script:
        "../../scripts/plot_examples.py"
