"""Model builders and model introspection (per-layer tables)."""

from __future__ import annotations

from typing import Sequence

import keras

from .data import NUM_CLASSES

INPUT_SHAPE = (28, 28, 1)

OPTIMIZERS = {"sgd": keras.optimizers.SGD, "adam": keras.optimizers.Adam}


def make_optimizer(spec: dict) -> keras.optimizers.Optimizer:
    """An optimizer from a config mapping such as {name: sgd, learning_rate: 0.1}."""
    spec = dict(spec)
    name = spec.pop("name")
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}")
    return OPTIMIZERS[name](**spec)


def dense_classifier(
    hidden_units: Sequence[int],
    *,
    activation: str = "relu",
    l2: float = 0.0,
    input_shape: tuple[int, ...] = INPUT_SHAPE,
    num_classes: int = NUM_CLASSES,
    name: str = "dense",
) -> keras.Sequential:
    """Flatten -> Dense(u, activation) for each u -> Dense(num_classes, softmax).

    With l2 > 0 every hidden layer's kernel (its weights, not biases or outputs)
    carries an L2 penalty: l2 * sum(w**2) is added to the loss.
    """
    regularizer = keras.regularizers.L2(l2) if l2 > 0 else None
    layers = [keras.Input(shape=input_shape, name="image"), keras.layers.Flatten(name="flatten")]
    for i, units in enumerate(hidden_units, start=1):
        layers.append(keras.layers.Dense(units, activation=activation, kernel_regularizer=regularizer, name=f"hidden_{i}"))
    layers.append(keras.layers.Dense(num_classes, activation="softmax", name="output"))
    return keras.Sequential(layers, name=name)


def layer_table(model: keras.Model) -> list[dict]:
    """One row per layer: name, type, output shape (batch dimension as None), parameter count."""
    rows = []
    for layer in model.layers:
        shape = [None if d is None else int(d) for d in layer.output.shape]
        rows.append(
            {
                "name": layer.name,
                "type": type(layer).__name__,
                "output_shape": shape,
                "activation": getattr(getattr(layer, "activation", None), "__name__", None),
                "params": int(layer.count_params()),
            }
        )
    return rows
