# Question 4: the denoising autoencoder, denoising across noise levels, generated digits.

AE = config["autoencoder"]
DENOISING = config["denoising"]


rule train_autoencoder:
    """Train the 784-128-96-128-784 autoencoder on (noisy, clean) training pairs."""
    input:
        npz=rules.prepare_data.output.npz,
    output:
        autoencoder="results/autoencoder/autoencoder.keras",
        encoder="results/autoencoder/encoder.keras",
        decoder="results/autoencoder/decoder.keras",
        metrics="results/autoencoder/metrics.json",
        timing="results/autoencoder/timing.json",
    params:
        model=AE["model"],
        training=AE["training"],
        noise_level=AE["noise_level"],
        noise_seed=job_seed("noise", "autoencoder"),
        seed=job_seed("autoencoder"),
        backend=backend_of(AE),
        onednn_max_isa=onednn_cap(backend_of(AE)),
        code=script_code("train_autoencoder"),
    threads: config["threads"]
    resources:
        mem_mb=3000,
        runtime=30,
    log:
        "logs/autoencoder/train.log",
    benchmark:
        "results/benchmarks/train_autoencoder.tsv"
    conda:
        CONDA_ENV
    script:
        "../../scripts/train_autoencoder.py"


rule evaluate_denoising:
    """Questions 4B/4C: noisy and denoised test sets at every level: distances and accuracies."""
    input:
        npz=rules.prepare_data.output.npz,
        autoencoder=rules.train_autoencoder.output.autoencoder,
        choice=rules.select_classifier.output.choice,
        models=rules.select_classifier.input.models,
    output:
        table=report("results/denoising/levels.csv", caption="../report/captions/denoising_table.rst", category="4 Autoencoder"),
        examples="results/denoising/examples.npz",
    params:
        levels=DENOISING["levels"],
        examples=DENOISING["examples"],
        noise_seed=job_seed("noise", "test"),
        seed=job_seed("denoising"),
        backend=backend_of(CNN),
        onednn_max_isa=onednn_cap(backend_of(CNN)),
        code=script_code("evaluate_denoising"),
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=20,
    log:
        "logs/denoising.log",
    benchmark:
        "results/benchmarks/evaluate_denoising.tsv"
    conda:
        CONDA_ENV
    script:
        "../../scripts/evaluate_denoising.py"


rule generate_digits:
    """Question 4D: digits sampled in the latent space and decoded, judged by the best classifier."""
    input:
        npz=rules.prepare_data.output.npz,
        encoder=rules.train_autoencoder.output.encoder,
        decoder=rules.train_autoencoder.output.decoder,
        choice=rules.select_classifier.output.choice,
        models=rules.select_classifier.input.models,
    output:
        images="results/generation/digits.npz",
        scores="results/generation/scores.json",
    params:
        per_class=config["generation"]["per_class"],
        interpolation_steps=config["generation"]["interpolation_steps"],
        confident=config["generation"]["confident"],
        # the codes the decoder was trained on: same noise level and seed as train_autoencoder
        noise_level=rules.train_autoencoder.params.noise_level,
        noise_seed=rules.train_autoencoder.params.noise_seed,
        seed=job_seed("generation"),
        backend=backend_of(CNN),
        onednn_max_isa=onednn_cap(backend_of(CNN)),
        code=script_code("generate_digits"),
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=20,
    log:
        "logs/generation.log",
    benchmark:
        "results/benchmarks/generate_digits.tsv"
    conda:
        CONDA_ENV
    script:
        "../../scripts/generate_digits.py"
