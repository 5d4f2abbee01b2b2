#!/usr/bin/env python
"""Where a TensorFlow epoch's time goes: training steps, the wait before the first step, validation.

    MNIST_DIR=../shared/data/mnist .venv/bin/python bench/epoch_stall.py [--epochs 6] [--feeds FEED ...]

Trains the config's 3A CNN (its `cnn` section: model, optimizer, batch size, precision) on TensorFlow
for `--epochs` epochs, once for each feed, and prints for each epoch its wall time, the sum of its
training steps, the wait from the epoch's start to its first step, and its validation pass:

- `keras`: NumPy arrays given to `model.fit` with `shuffle=True` by `mnistflow.training.fit` itself.
  Keras makes a new data iterator every epoch; `mnistflow.runtime` turns tf.data's autotuning off
  for it.
- `keras-autotune`: the same with Keras' own feed, autotuning on (the workflow before commit
  e364afd): some epochs wait seconds before their first step.
- `repeat`: one seeded `tf.data` pipeline (shuffle, batch, repeat, prefetch) with `steps_per_epoch`.
  Keras keeps one iterator for the whole fit. It draws the images in another order.

Speed only: docs/performance.md, "a stall at the start of TensorFlow epochs".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FEEDS = ("keras", "keras-autotune", "repeat")
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))


def _timer(keras):
    class EpochParts(keras.callbacks.Callback):
        """Per epoch: wall seconds, training-step seconds, start-to-first-step and validation seconds."""

        def __init__(self):
            super().__init__()
            self.epochs = []

        def on_epoch_begin(self, epoch, logs=None):
            self.begin, self.steps, self.first, self.val = time.perf_counter(), 0.0, None, 0.0

        def on_train_batch_begin(self, batch, logs=None):
            self.step_start = time.perf_counter()
            if self.first is None:
                self.first = self.step_start - self.begin

        def on_train_batch_end(self, batch, logs=None):
            self.steps += time.perf_counter() - self.step_start

        def on_test_begin(self, logs=None):
            self.val_start = time.perf_counter()

        def on_test_end(self, logs=None):
            self.val = time.perf_counter() - self.val_start

        def on_epoch_end(self, epoch, logs=None):
            self.epochs.append(
                {
                    "seconds": time.perf_counter() - self.begin,
                    "steps_seconds": self.steps,
                    "start_to_first_step_seconds": self.first,
                    "validation_seconds": self.val,
                }
            )

    return EpochParts()


def run_feed(feed: str, *, config: dict, data_dir: str, epochs: int, threads: int, train_images: int | None) -> list:
    from mnistflow import runtime

    keras = runtime.configure(backend="tensorflow", threads=threads, seed=config["seed"])
    section = config["cnn"]
    keras.mixed_precision.set_global_policy(section["training"].get("precision", "float32"))
    import tensorflow as tf
    import throughput
    from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter

    from mnistflow import models, training

    if feed == "keras-autotune":  # Keras' own method, as before runtime wrapped it
        ArrayDataAdapter.get_tf_dataset = ArrayDataAdapter.get_tf_dataset.keras_original

    arrays = throughput.load_arrays(config, data_dir)
    x, y = arrays["x_train"][:train_images], arrays["y_train"][:train_images]
    batch = section["training"]["batch_size"]
    model = models.cnn_classifier(**section["model"])
    timer = _timer(keras)
    val = (arrays["x_val"], arrays["y_val"])
    settings = {key: section["training"][key] for key in ("optimizer", "loss")}
    schedule = section["training"].get("schedule", "constant")
    if feed in ("keras", "keras-autotune"):  # the workflow's own fit
        training.fit(
            model,
            train=(x, y),
            val=val,
            epochs=epochs,
            batch_size=batch,
            schedule=schedule,
            callbacks=(timer,),
            **settings,
        )
    else:
        steps = -(-len(x) // batch)
        model.compile(
            optimizer=training.make_optimizer(settings["optimizer"], schedule=schedule, total_steps=epochs * steps),
            loss=settings["loss"],
            metrics=["accuracy"],
        )
        data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=config["seed"]).batch(batch)
        model.fit(
            data.repeat().prefetch(2),
            steps_per_epoch=steps,
            validation_data=val,
            validation_batch_size=batch,
            epochs=epochs,
            verbose=0,
            callbacks=[timer],
        )
    return timer.epochs


def main(argv: list[str] | None = None) -> None:
    import subprocess

    import yaml

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(REPO / "config" / "config.yaml"))
    parser.add_argument("--data-dir", default=os.environ.get("MNIST_DIR", str(REPO.parent / "shared/data/mnist")))
    parser.add_argument("--feeds", nargs="+", choices=FEEDS, default=list(FEEDS))
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--train", type=int, help="train on this many images an epoch (default: all)")
    parser.add_argument("--out", help="write the results here as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    config = yaml.safe_load(Path(args.config).read_text())
    if args.child:  # one feed in a process of its own (TensorFlow's thread pools are fixed once a process)
        epochs = run_feed(
            args.feeds[0],
            config=config,
            data_dir=args.data_dir,
            epochs=args.epochs,
            threads=args.threads,
            train_images=args.train,
        )
        sys.stdout.write(json.dumps(epochs) + "\n")
        return
    results = {}
    for feed in args.feeds:
        cmd = [sys.executable, __file__, "--child", "--feeds", feed, "--config", args.config]
        cmd += ["--data-dir", args.data_dir, "--epochs", str(args.epochs), "--threads", str(args.threads)]
        cmd += ["--train", str(args.train)] if args.train else []
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"the {feed} feed failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        results[feed] = json.loads(proc.stdout.strip().splitlines()[-1])
        for i, e in enumerate(results[feed]):
            print(
                f"{feed} epoch {i + 1}: {e['seconds']:.2f} s; steps {e['steps_seconds']:.2f} s, "
                f"wait before the first step {e['start_to_first_step_seconds']:.2f} s, "
                f"validation {e['validation_seconds']:.2f} s",
                flush=True,
            )
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
