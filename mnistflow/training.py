"""The one training function every training rule uses, and its timing record."""

from __future__ import annotations

import time

import keras
import numpy as np

from .models import make_optimizer


def process_age() -> float | None:
    """Seconds since this process started (Linux /proc; None elsewhere)."""
    import os

    try:
        start_ticks = int(open("/proc/self/stat").read().rsplit(")", 1)[1].split()[19])
        uptime = float(open("/proc/uptime").read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


class EpochTimer(keras.callbacks.Callback):
    """Wall-clock seconds of each epoch (validation included), and the job's overhead: seconds from
    the start of its process to the end of its first training step (imports, data, model building,
    the initial evaluation, compiling the training step)."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []
        self._start = 0.0
        self.start_to_first_step: float | None = None

    def on_train_batch_end(self, batch, logs=None):
        if self.start_to_first_step is None:
            self.start_to_first_step = process_age()

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


class EpochPredictions(keras.callbacks.Callback):
    """The predicted class of every image of `x` after each epoch (one extra forward pass an epoch), for
    comparing epochs image by image on the same validation images."""

    def __init__(self, x: np.ndarray, batch_size: int = 1024) -> None:
        super().__init__()
        self.x, self.batch_size = x, batch_size
        self.labels: list[np.ndarray] = []

    def on_epoch_end(self, epoch, logs=None):
        scores = self.model.predict(self.x, batch_size=self.batch_size, verbose=0)
        self.labels.append(np.asarray(scores).argmax(axis=1).astype(np.uint8))


def fit(
    model: keras.Model,
    *,
    train: tuple[np.ndarray, np.ndarray],
    val: tuple[np.ndarray, np.ndarray],
    optimizer: dict,
    loss: str,
    epochs: int,
    batch_size: int,
    metrics: tuple[str, ...] = ("accuracy",),
    schedule: str = "constant",
    initial_epoch: int = 0,
    callbacks: tuple[keras.callbacks.Callback, ...] = (),
) -> tuple[dict, dict]:
    """Compile and train `model` up to epoch `epochs` (from `initial_epoch`, for a model trained that
    far already); returns (metrics record, timing record). `callbacks` run after the epoch timer.

    The metrics record holds the validation loss/metrics of the untrained model
    ("initial") and the per-epoch history; the timing record is kept apart so
    that metrics files stay identical between reruns.
    """
    steps = (epochs - initial_epoch) * int(np.ceil(len(train[0]) / batch_size))
    model.compile(
        optimizer=make_optimizer(optimizer, schedule=schedule, total_steps=steps), loss=loss, metrics=list(metrics)
    )
    initial = model.evaluate(*val, batch_size=max(batch_size, 1024), verbose=0, return_dict=True)
    timer = EpochTimer()
    start = time.perf_counter()
    history = model.fit(
        *train,
        validation_data=val,
        epochs=epochs,
        initial_epoch=initial_epoch,
        batch_size=batch_size,
        shuffle=True,
        verbose=2,
        callbacks=[timer, *callbacks],
    )
    total = time.perf_counter() - start
    record = {
        "initial": {f"val_{k}": float(v) for k, v in initial.items()},
        "history": {k: [float(x) for x in v] for k, v in history.history.items()},
        "epochs": epochs,
        "initial_epoch": initial_epoch,
        "batch_size": batch_size,
        "train_samples": int(len(train[0])),
        "val_samples": int(len(val[0])),
    }
    timing = {
        "fit_seconds": total,
        "epoch_seconds": timer.seconds,
        "train_samples": int(len(train[0])),
        "start_to_first_step_seconds": timer.start_to_first_step,
    }
    return record, timing


def evaluate(model: keras.Model, x: np.ndarray, y: np.ndarray, batch_size: int = 1024) -> dict:
    """Loss and metrics of `model` on (x, y), as plain floats."""
    return {k: float(v) for k, v in model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True).items()}
