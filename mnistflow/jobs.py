"""What a compute rule does, end to end, so that each rule script is a single call: configure the
runtime, load the inputs, call the library (models, training, evaluation, noise, generation), write
the outputs and record where the job ran. The maths lives in those modules, not here.

Keras is imported only inside these functions, after `runtime.configure`.
"""

from __future__ import annotations

import os
import platform

import numpy as np

from . import data, files, runtime
from .noise import flatten, noisy_pairs


def where_it_ran(backend: str, threads: int) -> dict:
    """Provenance of a training job for its timing record: backend, threads, host, SLURM job, and the
    CPU facts that kernel choice depends on (model, instruction-set flags, cache sizes, oneDNN cap)."""
    return {
        "backend": backend,
        "threads": threads,
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "slurm_job_id": os.environ.get("SLURM_JOB_ID"),
        "memory_gib": runtime.memory_gib(),
        **runtime.cpu_identity(),
        "onednn_max_isa": os.environ.get("ONEDNN_MAX_CPU_ISA") if backend == "tensorflow" else None,
    }


def save_model(model, path: str) -> None:
    """Save a Keras model atomically (written beside `path`, renamed when complete)."""
    with files.atomic_path(path) as tmp:
        model.save(tmp)


def layer_rows(model) -> list[dict]:
    """The per-layer table of a model, with each layer's multiply-accumulates per image."""
    from . import models

    return [
        dict(row, macs=m["macs"]) for row, m in zip(models.layer_table(model), models.count_macs(model), strict=True)
    ]


def describe_classifier(*, builder: str, model_args: dict, backend: str, out_layers: str) -> None:
    """Build a model (untrained) and write its per-layer table: parameters and MACs."""
    runtime.configure(backend=backend, threads=1, seed=0)
    from . import models

    model = getattr(models, builder)(**model_args)
    files.write_json(out_layers, {"layers": layer_rows(model), "total_params": int(model.count_params())})


def train_classifier(
    *,
    npz: str,
    builder: str,
    model_args: dict,
    training: dict,
    seed: int,
    threads: int,
    backend: str,
    out_model: str,
    out_metrics: str,
    out_timing: str,
    out_predictions: str,
    epoch_predictions: bool = False,
    onednn_max_isa: str | None = None,
    l2_choice: str | None = None,
    design: str | None = None,
    design_part: str = "all",
    train_on_all: bool = False,
    continue_from: dict[str, str] | None = None,
    initial_epoch: int = 0,
    train_noise: dict | None = None,
) -> dict:
    """Train one classifier on the prepared data; write the model, its metrics, its timing and its
    predictions (`out_predictions`: the class it predicts for every validation and test image, beside
    the true labels, and with `epoch_predictions` its validation predictions after every epoch), which
    the paired comparisons of two models or two epochs on the same images read.

    `builder` names a function of `mnistflow.models` called with `model_args`;
    `training` holds optimizer, loss, epochs and batch_size. `l2_choice`, a JSON file with a "factor"
    (and optionally a "learning_rate"), sets the model's L2 factor and peak learning rate (chosen on
    validation by aggregate_sweep or choose_hinton); `continue_from`
    maps factor labels to models trained `initial_epoch` epochs, and the chosen factor's is trained on
    (the optimizer starts afresh: exact for plain SGD at a constant rate, which keeps no state); `design`, the
    3A study's choice, replaces model and training as `design_part` says (config.design_part);
    `train_noise` ({"level", "seed"}) trains and validates on salt-and-pepper versions of the training and
    validation images (the same noisy images for the same level and seed as the autoencoder's pairs).
    """
    keras = runtime.configure(backend=backend, threads=threads, seed=seed, onednn_max_isa=onednn_max_isa)
    model_args, training = chosen_settings(model_args, training, design, design_part, l2_choice)
    keras.mixed_precision.set_global_policy(training.get("precision", "float32"))
    arrays = data.preprocess(files.read_npz(npz))
    train = training_arrays(arrays, train_noise, train_on_all)
    model = classifier_model(builder, model_args, l2_choice, continue_from, initial_epoch)
    model.summary(print_fn=print)
    record, timing, by_epoch = fit_classifier(model, arrays, train, training, initial_epoch, epoch_predictions)
    record.update(
        seed=seed,
        settings={"model": model_args, "training": training},
        backend=backend,
        threads=threads,
        train_on_all=train_on_all,
        train_noise=train_noise,
    )
    timing.update(where_it_ran(backend, threads))
    write_classifier(model, arrays, by_epoch, record, timing, out_model, out_metrics, out_predictions, out_timing)
    print(f"test accuracy {record['test']['accuracy']:.4f}; {timing['fit_seconds']:.1f} s training")
    return record


def classifier_model(
    builder: str, model_args: dict, l2_choice: str | None, continue_from: dict[str, str] | None, initial_epoch: int
):
    """The classifier to train: a new one from `builder` and `model_args`, or, with `continue_from`, the saved
    model of the factor `l2_choice` chose, trained `initial_epoch` epochs so far."""
    from . import models

    if continue_from is not None:  # continue the run of the chosen factor, trained `initial_epoch` epochs so far
        # the model of the chosen factor among those given, or the one given as already at it ("chosen")
        source = continue_from.get(files.read_json(l2_choice)["label"]) or continue_from["chosen"]
        model = load_model(source)
        print(f"continuing {source} from epoch {initial_epoch}")
    else:
        model = getattr(models, builder)(**model_args)
    return model


def fit_classifier(
    model,
    arrays: dict,
    train: tuple[np.ndarray, np.ndarray],
    training: dict,
    initial_epoch: int,
    epoch_predictions: bool,
) -> tuple[dict, dict, object | None]:
    """Train `model` on `train`, validated on the validation images of `arrays`, and score it on the test images:
    its metrics record (with its layer table), its timing record and, with `epoch_predictions`, the
    training.EpochPredictions that kept its validation classes after every epoch (else None)."""
    from . import training as train_lib

    by_epoch = train_lib.EpochPredictions(arrays["x_val"]) if epoch_predictions else None
    record, timing = train_lib.fit(
        model,
        train=train,
        val=(arrays["x_val"], arrays["y_val"]),
        optimizer=training["optimizer"],
        loss=training["loss"],
        epochs=training["epochs"],
        batch_size=training["batch_size"],
        schedule=training.get("schedule", "constant"),
        initial_epoch=initial_epoch,
        callbacks=(by_epoch,) if by_epoch is not None else (),
    )
    record.update(
        test=train_lib.evaluate(model, arrays["x_test"], arrays["y_test"]),
        layers=layer_rows(model),
        total_params=int(model.count_params()),
    )
    return record, timing, by_epoch


def write_classifier(
    model,
    arrays: dict,
    by_epoch,
    record: dict,
    timing: dict,
    out_model: str,
    out_metrics: str,
    out_predictions: str,
    out_timing: str,
) -> None:
    """Write a trained classifier: the model, its metrics, its predictions (classifier_predictions) and its timing."""
    save_model(model, out_model)
    files.write_json(out_metrics, record)
    files.write_npz(out_predictions, **classifier_predictions(model, arrays, by_epoch))
    files.write_json(out_timing, timing)


def chosen_settings(
    model_args: dict, training: dict, design: str | None, design_part: str, l2_choice: str | None
) -> tuple[dict, dict]:
    """Model and training settings after the choices other rules made on validation: the 3A design study's
    (`design`, applied as `design_part` says) and the L2 factor, with the peak learning rate where it was
    tuned (`l2_choice`)."""
    if design is not None:
        from .config import design_part as take

        model_args, training = take(files.read_json(design), design_part, model_args, training)
    if l2_choice is not None:
        choice = files.read_json(l2_choice)
        model_args = {**model_args, "l2": choice["factor"]}
        if "learning_rate" in choice:
            training = {**training, "optimizer": {**training["optimizer"], "learning_rate": choice["learning_rate"]}}
    return model_args, training


def training_arrays(arrays: dict, train_noise: dict | None, train_on_all: bool) -> tuple[np.ndarray, np.ndarray]:
    """The (images, one-hot labels) a classifier trains on. With `train_noise` the training and validation
    images of `arrays` are replaced, in place, by their salt-and-pepper versions (the test images stay clean);
    with `train_on_all` the validation images join the training set (its validation curve is then not held out)."""
    if train_noise is not None:
        for split in ("train", "val"):
            noisy = noisy_pairs(arrays, split, train_noise["level"], train_noise["seed"])[0]
            arrays[f"x_{split}"] = noisy.reshape(arrays[f"x_{split}"].shape)
    if train_on_all:
        return (
            np.concatenate([arrays["x_train"], arrays["x_val"]]),
            np.concatenate([arrays["y_train"], arrays["y_val"]]),
        )
    return arrays["x_train"], arrays["y_train"]


def classifier_predictions(model, arrays: dict, by_epoch=None) -> dict:
    """The predictions file of a classifier: its class for every validation and test image beside the true
    labels, and its validation classes after each epoch where `by_epoch` (training.EpochPredictions) kept them."""
    from .evaluation import predict_labels

    predictions = {
        "labels_val": arrays["labels_val"].astype(np.uint8),
        "labels_test": arrays["labels_test"].astype(np.uint8),
        "val": predict_labels(model, arrays["x_val"]).astype(np.uint8),
        "test": predict_labels(model, arrays["x_test"]).astype(np.uint8),
    }
    if by_epoch is not None:
        predictions["val_by_epoch"] = np.stack(by_epoch.labels)
    return predictions


class CodeSpace:
    """The autoencoder's code layer for 4D: codes of a split's noisy images (the decoder's training inputs,
    `noise_level` and `noise_seed`), the code layer's values before its activation (where they are
    unbounded and Gaussians are fitted), the activation itself, and the decoder."""

    def __init__(self, keras, encoder, decoder, arrays: dict, noise_level: float, noise_seed: int):
        self.keras, self.encoder, self.decoder = keras, encoder, decoder
        self.arrays, self.noise_level, self.noise_seed = arrays, noise_level, noise_seed
        self.layer = encoder.layers[-1]
        layers = encoder.layers[:-1]
        self.body = keras.Sequential([keras.Input(shape=encoder.input_shape[1:]), *layers]) if layers else None
        self.weights, self.bias = self.layer.get_weights()

    def _noisy(self, split: str) -> np.ndarray:
        return noisy_pairs(self.arrays, split, self.noise_level, self.noise_seed)[0]

    def pre_activations(self, split: str) -> np.ndarray:
        noisy = self._noisy(split)
        hidden = np.asarray(self.body.predict(noisy, batch_size=1000, verbose=0)) if self.body is not None else noisy
        return hidden @ self.weights + self.bias

    def activate(self, pre: np.ndarray) -> np.ndarray:
        ops = self.keras.ops
        return np.asarray(ops.convert_to_numpy(self.layer.activation(ops.convert_to_tensor(pre))))

    def encode(self, split: str) -> np.ndarray:
        return np.asarray(self.encoder.predict(self._noisy(split), batch_size=1000, verbose=0))

    def decode(self, z: np.ndarray) -> np.ndarray:
        return np.asarray(self.decoder.predict(z, batch_size=1000, verbose=0))


def novelty_distances(images, decode, latents, val_decoded, train_flat, val_flat, seed: int) -> tuple:
    """4D's novelty: each generated image's nearest clean training image (index) and the distances to the
    nearest training image of the generated digits, of decoded training digits (copies through the
    decoder), of decoded and of clean validation digits (as many of each as there are references)."""
    from . import generation

    rng = np.random.default_rng(seed)
    n_ref = min(len(images), len(val_decoded))
    val_pick = rng.choice(len(val_decoded), size=n_ref, replace=False)
    train_pick = rng.choice(len(train_flat), size=n_ref, replace=False)
    nn_index, nn_distance = generation.nearest_neighbours(images, train_flat)
    distances = {
        "generated": nn_distance,
        "decoded_train": generation.nearest_neighbours(decode(latents[train_pick]), train_flat)[1],
        "decoded_val": generation.nearest_neighbours(val_decoded[val_pick], train_flat)[1],
        "clean_val": generation.nearest_neighbours(val_flat[val_pick], train_flat)[1],
    }
    print(
        "median distance to the nearest training image: "
        + ", ".join(f"{k} {np.median(v):.3f}" for k, v in distances.items())
    )
    return nn_index, distances


def load_model(path: str):
    """A saved .keras model, loadable whichever backend trained it (importing `models` registers its
    custom layers for deserialisation)."""
    import keras

    from . import models  # noqa: F401

    return keras.saving.load_model(path, compile=False)


def evaluate_shift(
    *,
    npz: str,
    cells: dict[str, list[str]],
    max_shift: int,
    seed: int,
    threads: int,
    backend: str,
    out_table: str,
    onednn_max_isa: str | None = None,
) -> None:
    """Question 3B: test accuracy against translation of every replicate (model files in replicate
    order) of each model; a cell with no models (no augmentation to control for) is left out."""
    runtime.configure(backend=backend, threads=threads, seed=seed, onednn_max_isa=onednn_max_isa)
    import pandas as pd

    from . import evaluation

    arrays = data.preprocess(files.read_npz(npz))
    rows = []
    for cell, paths in cells.items():
        for replicate, path in enumerate(paths):
            for row in evaluation.shift_accuracy(load_model(path), arrays["x_test"], arrays["labels_test"], max_shift):
                rows.append(
                    {
                        "cell": cell,
                        "architecture": evaluation.SHIFT_CELLS[cell],
                        "replicate": replicate,
                        "model": path,
                        **{k: v for k, v in row.items() if k != "correct"},
                    }
                )
            print(f"{cell}, replicate {replicate}: done")
    files.write_csv(out_table, pd.DataFrame(rows))


def diagnose_classifier(
    *,
    npz: str,
    models: list[str],
    metrics: list[str],
    examples: int,
    threads: int,
    backend: str,
    out: str,
    onednn_max_isa: str | None = None,
) -> None:
    """3A diagnostics of the CNN: the test confusion matrix of every replicate, and the misclassified test
    digits of the replicate with the best final validation accuracy, with how many replicates miss each."""
    runtime.configure(backend=backend, threads=threads, seed=0, onednn_max_isa=onednn_max_isa)
    from . import evaluation

    arrays = data.preprocess(files.read_npz(npz))
    labels = arrays["labels_test"]
    predictions = np.stack([evaluation.predict_labels(load_model(path), arrays["x_test"]) for path in models])
    found = evaluation.misclassified(
        predictions, labels, [files.read_json(path)["history"]["val_accuracy"][-1] for path in metrics], examples
    )
    images = arrays["x_test"][found["shown"]]
    files.write_npz(
        out,
        confusion=np.stack([evaluation.confusion_matrix(labels, p, data.NUM_CLASSES) for p in predictions]),
        error_histogram=evaluation.error_histogram(predictions, labels, data.NUM_CLASSES),
        chosen=np.array(found["chosen"]),
        misclassified=found["misclassified"],
        images=images[..., 0] if images.ndim == 4 else images,
        true=found["true"],
        predicted=found["predicted"],
        missed_by=found["missed_by"],
    )
    print(
        f"replicate {found['chosen']} (best on validation) misclassifies {len(found['misclassified'])} of "
        f"{len(labels)} test digits"
    )


def train_autoencoder(
    *,
    npz: str,
    model_args: dict,
    training: dict,
    noise_level: float,
    noise_seed: int,
    seed: int,
    threads: int,
    backend: str,
    out: dict,
    onednn_max_isa: str | None = None,
) -> dict:
    """Question 4A: train the denoising autoencoder on (noisy, clean) training pairs, validated on
    (noisy, clean) validation pairs; save autoencoder, encoder and decoder, history and test loss."""
    runtime.configure(backend=backend, threads=threads, seed=seed, onednn_max_isa=onednn_max_isa)
    from . import models
    from . import training as train_lib

    arrays = data.preprocess(files.read_npz(npz))
    model, encoder, decoder = models.autoencoder(input_dim=int(np.prod(arrays["x_train"].shape[1:])), **model_args)
    model.summary(print_fn=print, expand_nested=True)
    train, val = (
        noisy_pairs(arrays, "train", noise_level, noise_seed),
        noisy_pairs(arrays, "val", noise_level, noise_seed),
    )
    record, timing = train_lib.fit(
        model,
        train=train,
        val=val,
        optimizer=training["optimizer"],
        loss=training["loss"],
        epochs=training["epochs"],
        batch_size=training["batch_size"],
        metrics=("mse",),
        schedule=training.get("schedule", "constant"),
    )
    record.update(
        test=train_lib.evaluate(model, *noisy_pairs(arrays, "test", noise_level, noise_seed)),
        encoder_layers=layer_rows(encoder),
        decoder_layers=layer_rows(decoder),
        total_params=int(model.count_params()),
        latent_dim=int(encoder.output.shape[-1]),
        noise_level=noise_level,
        seed=seed,
        settings={"model": model_args, "training": training},
        backend=backend,
        threads=threads,
    )
    timing.update(where_it_ran(backend, threads))
    for key, m in (("autoencoder", model), ("encoder", encoder), ("decoder", decoder)):
        save_model(m, out[key])
    files.write_json(out["metrics"], record)
    files.write_json(out["timing"], timing)
    return record


def evaluate_denoising(
    *,
    npz: str,
    autoencoder: str,
    choice: str,
    noisy_classifier: str,
    levels: list[float],
    noise_seed: int,
    examples: int,
    seed: int,
    threads: int,
    backend: str,
    out_table: str,
    out_examples: str,
    onednn_max_isa: str | None = None,
) -> None:
    """Questions 4B and 4C: per noise level, distances of noisy, denoised and median-filtered (3x3, the
    first baseline) test images to the clean ones, and the best classifier's accuracy on each; the accuracy of
    `noisy_classifier` (trained on noisy digits, the second baseline) on the noisy images; plus a few
    example digits at every level."""
    runtime.configure(backend=backend, threads=threads, seed=seed, onednn_max_isa=onednn_max_isa)
    import pandas as pd

    from . import evaluation

    arrays = data.preprocess(files.read_npz(npz))
    shape = arrays["x_test"].shape
    clean = flatten(arrays["x_test"])
    labels = arrays["labels_test"]
    ae, classifier, noise_trained = denoising_models(autoencoder, choice, noisy_classifier)
    mean_image = flatten(arrays["x_train"]).mean(axis=0, keepdims=True)
    baseline_per_image = np.mean((clean - mean_image) ** 2, axis=1)
    baseline = float(np.mean(baseline_per_image))
    pick = np.random.default_rng(seed).choice(len(clean), size=examples, replace=False)
    rows, noisy_ex, denoised_ex = [], [], []
    for level in levels:
        noisy = noisy_pairs(arrays, "test", level, noise_seed)[0]
        versions, correct = denoising_versions(noisy, shape, labels, ae, classifier, noise_trained)
        row = {
            "level": level,
            "mse_mean_image": baseline,
            "images": len(labels),
            **evaluation.denoising_scores(clean, versions, correct, baseline_per_image),
        }
        rows.append(row)
        noisy_ex.append(noisy[pick])
        denoised_ex.append(versions["denoised"][pick])
        print(f"level {level}: {row}")
    files.write_csv(out_table, pd.DataFrame(rows))
    files.write_npz(
        out_examples,
        levels=np.array(levels),
        clean=clean[pick],
        labels=labels[pick],
        noisy=np.stack(noisy_ex),
        denoised=np.stack(denoised_ex),
    )


def denoising_models(autoencoder: str, choice: str, noisy_classifier: str) -> tuple:
    """The models 4B and 4C compare: the autoencoder, the best classifier (named in `choice`) and the
    classifier trained on noisy digits."""
    ae = load_model(autoencoder)
    classifier = load_model(files.read_json(choice)["best"]["model"])
    noise_trained = load_model(noisy_classifier)
    return ae, classifier, noise_trained


def denoising_versions(
    noisy: np.ndarray, shape: tuple, labels: np.ndarray, ae, classifier, noise_trained
) -> tuple[dict, dict]:
    """One noise level's versions of the test images (noisy, denoised by `ae`, median-filtered) and which of
    them `classifier` gets right, with `noise_trained` on the noisy ones."""
    from . import evaluation

    denoised = np.asarray(ae.predict(noisy, batch_size=1000, verbose=0))
    # the baseline a reader expects: a 3x3 median filter, the classic remedy for salt-and-pepper noise
    median = flatten(evaluation.median_filtered(noisy.reshape(shape)))
    versions = {"noisy": noisy, "denoised": denoised, "median": median}
    correct = {
        name: evaluation.predict_labels(classifier, images.reshape(shape)) == labels
        for name, images in versions.items()
    }
    correct["noise_trained"] = evaluation.predict_labels(noise_trained, noisy.reshape(shape)) == labels
    return versions, correct


def generate_digits(
    *,
    npz: str,
    encoder: str,
    decoder: str,
    choice: str,
    per_class: int,
    interpolation_steps: int,
    noise_level: float,
    noise_seed: int,
    confident: float,
    seed: int,
    threads: int,
    backend: str,
    out_images: str,
    out_scores: str,
    onednn_max_isa: str | None = None,
) -> None:
    """Question 4D: new digits from the decoder alone, judged by the best classifier, with references.

    The Gaussians are fitted to the code layer's pre-activations (before its ReLU) of the images the decoder
    was trained on (the noisy training images, same noise level and seed as in training), where values are
    unbounded; a sample passes through the same activation, so it is a code of the kind the encoder makes
    (a ReLU code keeps its zeros), and any coordinate still beyond the range of the training codes is moved
    to its edge (the share moved is reported). References: codes of real validation digits (noisy in the
    same way) and one class-agnostic Gaussian (also fitted before the activation). Novelty: each generated
    digit's nearest clean training image, against the same distance for decoded training digits (copies
    through the decoder) and for validation digits.
    """
    keras = runtime.configure(backend=backend, threads=threads, seed=seed, onednn_max_isa=onednn_max_isa)
    arrays = data.preprocess(files.read_npz(npz))
    shape = arrays["x_train"].shape[1:]
    codes = CodeSpace(keras, load_model(encoder), load_model(decoder), arrays, noise_level, noise_seed)
    classifier = load_model(files.read_json(choice)["best"]["model"])
    judge = digit_judge(classifier, shape, confident)
    found = sample_digits(codes, arrays, judge, per_class, seed)
    found.update(novelty_and_interpolation(codes, arrays, found, interpolation_steps, seed))
    write_generated(out_images, out_scores, found, codes, arrays, confident, noise_level, interpolation_steps, choice)


def digit_judge(classifier, shape: tuple, confident: float):
    """How `classifier` judges decoded images (generation.recognition of its probabilities, `confident` the
    threshold), against the intended classes where given."""
    from . import generation

    def judge(images, intended=None):
        probs = np.asarray(classifier.predict(images.reshape(-1, *shape), batch_size=1000, verbose=0))
        return generation.recognition(probs, confident, intended)

    return judge


def sample_digits(codes: CodeSpace, arrays: dict, judge, per_class: int, seed: int) -> dict:
    """4D's digits: sampled from class Gaussians fitted to the code layer's pre-activations of the training
    images, activated, clipped to the training codes' range, decoded and judged; with the references (one
    class-agnostic Gaussian, real validation codes)."""
    from . import generation
    from .config import derive_seed

    pre, labels = codes.pre_activations("train"), arrays["labels_train"]
    latents = codes.encode("train")
    if not np.allclose(codes.activate(pre), latents, atol=1e-4):
        raise RuntimeError("the code layer's pre-activations do not reproduce the encoder's codes")
    low, high = generation.code_bounds(latents)
    means, covs = generation.fit_class_gaussians(pre, labels, data.NUM_CLASSES)
    z_pre, classes = generation.sample_latents(means, covs, per_class, seed)
    z, clipped = generation.clip_to_bounds(codes.activate(z_pre), low, high)
    images = codes.decode(z)
    overall, predicted = judge(images, classes)
    per_class_scores = [
        {"class": k, **judge(images[classes == k], classes[classes == k])[0]} for k in range(data.NUM_CLASSES)
    ]
    agnostic_pre = generation.sample_gaussian(*generation.fit_gaussian(pre), len(z), derive_seed(seed, "agnostic"))
    agnostic_z, agnostic_clipped = generation.clip_to_bounds(codes.activate(agnostic_pre), low, high)
    agnostic, _ = judge(codes.decode(agnostic_z))
    val_decoded = codes.decode(codes.encode("val"))
    real, _ = judge(val_decoded, arrays["labels_val"])
    print(f"generated: {overall}\nclass-agnostic Gaussian: {agnostic}\nreal validation codes: {real}")
    return {
        "latents": latents,
        "high": high,
        "classes": classes,
        "clipped": clipped,
        "images": images,
        "overall": overall,
        "predicted": predicted,
        "per_class_scores": per_class_scores,
        "agnostic_clipped": agnostic_clipped,
        "agnostic": agnostic,
        "val_decoded": val_decoded,
        "real": real,
    }


def novelty_and_interpolation(codes: CodeSpace, arrays: dict, found: dict, interpolation_steps: int, seed: int) -> dict:
    """The novelty of the digits `found` (novelty_distances), and the decoded path between the codes of the first
    training digits of two classes drawn at random."""
    from . import generation
    from .config import derive_seed

    images, latents, val_decoded = found["images"], found["latents"], found["val_decoded"]
    labels = arrays["labels_train"]
    train_flat = flatten(arrays["x_train"])
    nn_index, distances = novelty_distances(
        images, codes.decode, latents, val_decoded, train_flat, flatten(arrays["x_val"]), derive_seed(seed, "novelty")
    )
    a, b = np.random.default_rng(derive_seed(seed, "interpolation")).choice(data.NUM_CLASSES, size=2, replace=False)
    ia, ib = int(np.flatnonzero(labels == a)[0]), int(np.flatnonzero(labels == b)[0])
    path = codes.decode(generation.interpolate(latents[ia], latents[ib], interpolation_steps))
    return {"train_flat": train_flat, "nn_index": nn_index, "distances": distances, "a": a, "b": b, "path": path}


def write_generated(
    out_images: str,
    out_scores: str,
    found: dict,
    codes: CodeSpace,
    arrays: dict,
    confident: float,
    noise_level: float,
    interpolation_steps: int,
    choice: str,
) -> None:
    """Write 4D's images (generated digits, interpolation, nearest training images, distances) and its scores."""
    from . import generation

    nn_index, distances, latents = found["nn_index"], found["distances"], found["latents"]
    files.write_npz(
        out_images,
        images=found["images"],
        classes=found["classes"],
        predicted=found["predicted"],
        interpolation=found["path"],
        interpolation_ends=np.array([found["a"], found["b"]]),
        nearest_index=nn_index,
        nearest_image=found["train_flat"][nn_index],
        nearest_label=arrays["labels_train"][nn_index],
        **{f"distance_{k}": v for k, v in distances.items()},
    )
    files.write_json(
        out_scores,
        {
            "per_class": found["per_class_scores"],
            "recognised": found["overall"]["recognised"],
            "confidence": found["overall"]["confidence"],
            "confident": found["overall"]["confident"],
            "confident_threshold": confident,
            "references": {"class_agnostic": found["agnostic"], "real_validation": found["real"]},
            "clipped_share": {"per_class": found["clipped"], "class_agnostic": found["agnostic_clipped"]},
            "activation": codes.layer.activation.__name__,
            "fitted_on": {"images": int(len(latents)), "noise_level": noise_level},
            "nearest_distance": generation.distance_summary(distances),
            "latent_dim": int(latents.shape[1]),
            "dead_latent_dims": int(np.sum(found["high"] <= 0)),
            "interpolation": {"from": int(found["a"]), "to": int(found["b"]), "steps": interpolation_steps},
            "classifier": files.read_json(choice)["best"]["name"],
        },
    )
