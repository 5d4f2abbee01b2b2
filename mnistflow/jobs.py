"""What a training rule does, end to end, so that each rule script is a single call.

Keras is imported only inside these functions, after `runtime.configure`.
"""

from __future__ import annotations

import os
import platform

from . import data, io, runtime


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
) -> dict:
    """Train one classifier on the prepared data; write the model, its metrics and its timing.

    `builder` names a function of `mnistflow.models` called with `model_args`;
    `training` holds optimizer, loss, epochs and batch_size.
    """
    runtime.configure(backend=backend, threads=threads, seed=seed)
    from . import models
    from . import training as train_lib

    arrays = data.preprocess(io.read_npz(npz))
    model = getattr(models, builder)(**model_args)
    model.summary(print_fn=print)
    record, timing = train_lib.fit(
        model,
        train=(arrays["x_train"], arrays["y_train"]),
        val=(arrays["x_val"], arrays["y_val"]),
        optimizer=training["optimizer"],
        loss=training["loss"],
        epochs=training["epochs"],
        batch_size=training["batch_size"],
    )
    record.update(
        test=train_lib.evaluate(model, arrays["x_test"], arrays["y_test"]),
        layers=models.layer_table(model),
        total_params=int(model.count_params()),
        seed=seed,
        settings={"model": model_args, "training": training},
        backend=backend,
        threads=threads,
    )
    timing.update(backend=backend, threads=threads, host=platform.node(), cpus=os.cpu_count(), slurm_job_id=os.environ.get("SLURM_JOB_ID"))
    with io.atomic_path(out_model) as tmp:
        model.save(tmp)
    io.write_json(out_metrics, record)
    io.write_json(out_timing, timing)
    print(f"test accuracy {record['test']['accuracy']:.4f}; {timing['fit_seconds']:.1f} s training")
    return record
