# Question 4: the denoising autoencoder (4A), denoising across noise levels judged by distance (4B)
# and by the best classifier (4C, selection.smk), and generated digits (4D).

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
    log:
        "logs/autoencoder/train.log",
    benchmark:
        "results/benchmarks/train_autoencoder.tsv"
    conda:
        CONDA_ENV
    threads: config["threads"]
    resources:
        mem_mb=3000,
        runtime=30,
    params:
        model=AE["model"],
        training=AE["training"],
        noise_level=AE["noise_level"],
        noise_seed=job_seed("noise", "autoencoder"),
        seed=job_seed("autoencoder"),
        backend=backend_of(AE),
        onednn_max_isa=onednn_cap(backend_of(AE)),
        code=script_code("train_autoencoder"),
    script:
        "../../scripts/train_autoencoder.py"


add_benchmarks(rules.train_autoencoder)


rule train_noisy_classifier:
    """4C's second baseline: the 3A CNN (its chosen design, replicate 0's seed) trained and validated on noisy
    digits at the autoencoder's training level, the same noisy training images the autoencoder saw."""
    input:
        unpack(chosen_design),
        npz=rules.prepare_data.output.npz,
    output:
        model="results/noisy_classifier/model.keras",
        metrics="results/noisy_classifier/metrics.json",
        timing="results/noisy_classifier/timing.json",
        predictions="results/noisy_classifier/predictions.npz",
    log:
        "logs/noisy_classifier/train.log",
    benchmark:
        "results/benchmarks/train_noisy_classifier.tsv"
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
        design_part="all",
        # the noisy training images of the autoencoder's pairs: same level, same noise seed
        train_noise={
            "level": rules.train_autoencoder.params.noise_level,
            "seed": rules.train_autoencoder.params.noise_seed,
        },
        seed=job_seed("cnn", 0),
        backend=backend_of(CNN),
        onednn_max_isa=onednn_cap(backend_of(CNN)),
        code=script_code("train_classifier"),
    script:
        "../../scripts/train_classifier.py"


add_benchmarks(rules.train_noisy_classifier)


rule plot_autoencoder_loss:
    """Question 4A: training and validation loss per epoch of the autoencoder."""
    input:
        metrics=rules.train_autoencoder.output.metrics,
    output:
        figure=report(
            "results/figures/autoencoder_loss.svg",
            caption="../report/captions/autoencoder_loss.rst",
            category="4 Autoencoder",
        ),
    log:
        "logs/figures/autoencoder_loss.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        metrics=["loss"],
        code=script_code("plot_history"),
    script:
        "../../scripts/plot_history.py"


rule plot_autoencoder_diagram:
    """Question 4A: a diagram of the autoencoder drawn from the trained model's layers."""
    input:
        metrics=rules.train_autoencoder.output.metrics,
    output:
        figure=report(
            "results/figures/autoencoder_diagram.svg",
            caption="../report/captions/autoencoder_diagram.rst",
            category="4 Autoencoder",
        ),
    log:
        "logs/figures/autoencoder_diagram.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=script_code("plot_autoencoder_diagram"),
    script:
        "../../scripts/plot_autoencoder_diagram.py"


rule evaluate_denoising:
    """Questions 4B/4C: noisy and denoised test sets at every level: distances and accuracies."""
    input:
        npz=rules.prepare_data.output.npz,
        autoencoder=rules.train_autoencoder.output.autoencoder,
        choice=rules.select_classifier.output.choice,
        models=rules.select_classifier.input.models,
        noisy_classifier=rules.train_noisy_classifier.output.model,
    output:
        table=report(
            "results/denoising/levels.csv", caption="../report/captions/denoising_table.rst", category="4 Autoencoder"
        ),
        examples="results/denoising/examples.npz",
    log:
        "logs/denoising.log",
    benchmark:
        "results/benchmarks/evaluate_denoising.tsv"
    conda:
        CONDA_ENV
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=20,
    params:
        levels=DENOISING["levels"],
        examples=DENOISING["examples"],
        noise_seed=job_seed("noise", "test"),
        seed=job_seed("denoising"),
        backend=EVALUATION_BACKEND,
        onednn_max_isa=onednn_cap(EVALUATION_BACKEND),
        code=script_code("evaluate_denoising"),
    script:
        "../../scripts/evaluate_denoising.py"


add_benchmarks(rules.evaluate_denoising)


rule plot_denoising:
    """Questions 4B/4C: example digits across noise levels; distances and accuracies per level."""
    input:
        examples=rules.evaluate_denoising.output.examples,
        table=rules.evaluate_denoising.output.table,
    output:
        examples=report(
            "results/figures/denoising_examples.png",
            caption="../report/captions/denoising_examples.rst",
            category="4 Autoencoder",
        ),
        mse=report(
            "results/figures/denoising_mse.svg",
            caption="../report/captions/denoising_mse.rst",
            category="4 Autoencoder",
        ),
        accuracy=report(
            "results/figures/denoising_accuracy.svg",
            caption="../report/captions/denoising_accuracy.rst",
            category="4 Autoencoder",
        ),
    log:
        "logs/figures/denoising.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        code=script_code("plot_denoising"),
    script:
        "../../scripts/plot_denoising.py"


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
    log:
        "logs/generation.log",
    benchmark:
        "results/benchmarks/generate_digits.tsv"
    conda:
        CONDA_ENV
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=20,
    params:
        per_class=config["generation"]["per_class"],
        interpolation_steps=config["generation"]["interpolation_steps"],
        confident=config["generation"]["confident"],
        # the codes the decoder was trained on: same noise level and seed as train_autoencoder
        noise_level=rules.train_autoencoder.params.noise_level,
        noise_seed=rules.train_autoencoder.params.noise_seed,
        seed=job_seed("generation"),
        backend=EVALUATION_BACKEND,
        onednn_max_isa=onednn_cap(EVALUATION_BACKEND),
        code=script_code("generate_digits"),
    script:
        "../../scripts/generate_digits.py"


add_benchmarks(rules.generate_digits)


rule plot_generated:
    """Question 4D: generated digits beside their nearest training images, nearest-image distances, a latent interpolation."""
    input:
        images=rules.generate_digits.output.images,
    output:
        grid=report(
            "results/figures/generated.png", caption="../report/captions/generated.rst", category="4 Autoencoder"
        ),
        interpolation=report(
            "results/figures/interpolation.png",
            caption="../report/captions/interpolation.rst",
            category="4 Autoencoder",
        ),
        novelty=report(
            "results/figures/generated_novelty.svg",
            caption="../report/captions/generated_novelty.rst",
            category="4 Autoencoder",
        ),
    log:
        "logs/figures/generated.log",
    localrule: True
    conda:
        CONDA_ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        pairs=3,  # pairs of each class, and the classes in two columns: a figure that shares its page
        groups=2,
        class_names=config["data"]["class_names"],
        code=script_code("plot_generated"),
    script:
        "../../scripts/plot_generated.py"
