"""Model builders and model introspection (per-layer tables)."""

from __future__ import annotations

from collections.abc import Sequence

import keras

from .data import NUM_CLASSES

INPUT_SHAPE = (28, 28, 1)

OPTIMIZERS = {"sgd": keras.optimizers.SGD, "adam": keras.optimizers.Adam}


def make_optimizer(
    spec: dict, *, schedule: str = "constant", total_steps: int | None = None
) -> keras.optimizers.Optimizer:
    """An optimizer from a config mapping such as {name: sgd, learning_rate: 0.1}.

    schedule "cosine" decays the learning rate to 0 over `total_steps` along a half cosine.
    """
    spec = dict(spec)
    name = spec.pop("name")
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}")
    if schedule == "cosine":
        if not total_steps:
            raise ValueError("a cosine schedule needs the total number of training steps")
        spec["learning_rate"] = keras.optimizers.schedules.CosineDecay(spec["learning_rate"], decay_steps=total_steps)
    elif schedule != "constant":
        raise ValueError(f"unknown learning-rate schedule {schedule!r}; choose constant or cosine")
    return OPTIMIZERS[name](**spec)


def dense_classifier(
    hidden_units: Sequence[int],
    *,
    activation: str = "relu",
    l2: float = 0.0,
    augment_shift: int = 0,
    augment_rotation: float = 0.0,
    augment_zoom: float = 0.0,
    input_shape: tuple[int, ...] = INPUT_SHAPE,
    num_classes: int = NUM_CLASSES,
    name: str = "dense",
) -> keras.Sequential:
    """Flatten -> Dense(u, activation) for each u -> Dense(num_classes, softmax).

    With l2 > 0 every hidden layer's kernel (its weights, not biases or outputs)
    carries an L2 penalty: l2 * sum(w**2) is added to the loss. The augment_* arguments add the
    training-only augmentation layers of `augmentation_layers` in front (the 3B control), the shift
    computed by SeparableRandomTranslation so that it runs fast on JAX.
    """
    regularizer = keras.regularizers.L2(l2) if l2 > 0 else None
    layers = [
        keras.Input(shape=input_shape, name="image"),
        *augmentation_layers(input_shape, augment_shift, augment_rotation, augment_zoom, separable_shift=True),
        keras.layers.Flatten(name="flatten"),
    ]
    for i, units in enumerate(hidden_units, start=1):
        layers.append(
            keras.layers.Dense(units, activation=activation, kernel_regularizer=regularizer, name=f"hidden_{i}")
        )
    # float32 output under any precision policy (Keras' advice for mixed precision; a no-op in float32)
    layers.append(keras.layers.Dense(num_classes, activation="softmax", name="output", dtype="float32"))
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


@keras.saving.register_keras_serializable(package="mnistflow")
class SeparableRandomTranslation(keras.layers.RandomTranslation):
    """Keras' RandomTranslation (bilinear, constant fill) with the same random translations, each
    image translated by two small matrix products instead of the backend's generic affine transform.

    A translation by (dx, dy) with bilinear interpolation is separable: output row i is source row
    i - dy, interpolated, i.e. the rows weighted by max(0, 1 - |k - (i - dy)|) (a source row outside
    the image contributes the fill value); likewise for the columns. That is the same image Keras'
    affine transform computes (tested against it, to float rounding), and unlike Keras' layer it can be
    compiled: Keras marks RandomTranslation as not jit-compatible, so on JAX a model containing it
    trains eagerly (the dense network took 13 s an epoch instead of about 1 s)."""

    def __init__(self, height_factor, width_factor=None, **kwargs):
        kwargs.setdefault("fill_mode", "constant")
        kwargs.setdefault("interpolation", "bilinear")
        if (
            kwargs["fill_mode"] != "constant"
            or kwargs["interpolation"] != "bilinear"
            or kwargs.get("data_format") == "channels_first"
        ):
            raise ValueError(
                "SeparableRandomTranslation supports bilinear interpolation, constant fill and channels-last "
                "images only"
            )
        super().__init__(height_factor, width_factor, **kwargs)
        # Keras marks RandomTranslation as not jit-compatible, which makes the JAX trainer run the whole
        # model eagerly (13 s an epoch); this layer's operations compile (tested under jax.jit)
        self.supports_jit = True

    def _translate_inputs(self, inputs, transformation, interpolation):
        if transformation is None:
            return inputs
        ops = self.backend
        unbatched = len(ops.shape(inputs)) == 3
        images = ops.numpy.expand_dims(inputs, axis=0) if unbatched else inputs
        height, width = ops.shape(images)[1], ops.shape(images)[2]
        translations = ops.cast(transformation["translations"], "float32")  # (batch, [dx, dy])

        def weights(size, offset):  # (batch, out, in): how much source index k contributes to output index i
            index = ops.cast(ops.numpy.arange(size), "float32")
            source = index[None, :, None] - offset[:, None, None]
            return ops.numpy.maximum(0.0, 1.0 - ops.numpy.abs(index[None, None, :] - source))

        rows, cols = weights(height, translations[:, 1]), weights(width, translations[:, 0])
        x = ops.cast(images, "float32")
        out = ops.numpy.einsum("bik,bkwc->biwc", rows, x)
        out = ops.numpy.einsum("bjw,biwc->bijc", cols, out)
        if self.fill_value:  # what falls outside the image: 1 - the weights received, times the fill value
            covered = ops.numpy.sum(rows, axis=2)[:, :, None, None] * ops.numpy.sum(cols, axis=2)[:, None, :, None]
            out = out + self.fill_value * (1.0 - covered)
        out = ops.cast(out, images.dtype)
        return ops.numpy.squeeze(out, axis=0) if unbatched else out


def augmentation_layers(
    input_shape: tuple[int, ...],
    shift: int = 0,
    rotation: float = 0.0,
    zoom: float = 0.0,
    separable_shift: bool = False,
) -> list:
    """Random rotation (degrees), zoom (fraction) and shift (pixels) layers, active in training only;
    empty padding is black (0), like the background of the digits. `separable_shift` computes the
    shift with SeparableRandomTranslation (same translations, same images, fast on JAX)."""
    fill = {"fill_mode": "constant", "fill_value": 0.0}
    layers = []
    if rotation:
        layers.append(keras.layers.RandomRotation(rotation / 360.0, name="random_rotation", **fill))
    if zoom:
        layers.append(keras.layers.RandomZoom((-zoom, zoom), name="random_zoom", **fill))
    if shift:
        frac = shift / input_shape[0]
        translation = SeparableRandomTranslation if separable_shift else keras.layers.RandomTranslation
        layers.append(translation(frac, frac, name="random_shift", **fill))
    return layers


def cnn_classifier(
    conv_blocks: Sequence[dict],
    *,
    dense_units: Sequence[int] = (128,),
    batch_norm: bool = False,
    conv_dropout: float = 0.0,
    dense_dropout: float = 0.0,
    augment_shift: int = 0,
    augment_rotation: float = 0.0,
    augment_zoom: float = 0.0,
    input_shape: tuple[int, ...] = INPUT_SHAPE,
    num_classes: int = NUM_CLASSES,
    name: str = "cnn",
) -> keras.Sequential:
    """A convolutional classifier from a list of blocks {filters, kernel_size, padding?, pool?}.

    Each block: Conv2D -> [BatchNormalization] -> ReLU -> [MaxPooling2D 2x2]. Then
    [Dropout] -> Flatten -> Dense(u, relu) [-> Dropout] for each u -> Dense(softmax).
    Augmentation, active in training only: augment_rotation > 0 rotates by up to that many degrees,
    augment_zoom > 0 zooms in or out by up to that fraction, augment_shift > 0 shifts by up to that
    many pixels (in this order).
    """
    layers: list = [
        keras.Input(shape=input_shape, name="image"),
        *augmentation_layers(input_shape, augment_shift, augment_rotation, augment_zoom),
    ]
    for i, block in enumerate(conv_blocks, start=1):
        layers.append(
            keras.layers.Conv2D(
                block["filters"],
                block["kernel_size"],
                padding=block.get("padding", "valid"),
                activation=None if batch_norm else "relu",
                use_bias=not batch_norm,
                name=f"conv_{i}",
            )
        )
        if batch_norm:
            layers.append(keras.layers.BatchNormalization(name=f"batchnorm_{i}"))
            layers.append(keras.layers.Activation("relu", name=f"relu_{i}"))
        if block.get("pool", False):
            layers.append(keras.layers.MaxPooling2D(2, name=f"pool_{i}"))
    if conv_dropout:
        layers.append(keras.layers.Dropout(conv_dropout, name="dropout_conv"))
    layers.append(keras.layers.Flatten(name="flatten"))
    for j, units in enumerate(dense_units, start=1):
        layers.append(keras.layers.Dense(units, activation="relu", name=f"dense_{j}"))
        if dense_dropout:
            layers.append(keras.layers.Dropout(dense_dropout, name=f"dropout_{j}"))
    # float32 output under any precision policy (Keras' advice for mixed precision; a no-op in float32)
    layers.append(keras.layers.Dense(num_classes, activation="softmax", name="output", dtype="float32"))
    return keras.Sequential(layers, name=name)


def count_macs(model: keras.Model) -> list[dict]:
    """Multiply-accumulate operations per image of each Dense and Conv2D layer (the bulk of
    the arithmetic; pooling, normalisation and activations are counted as 0)."""
    rows = []
    for layer in model.layers:
        macs = 0
        if isinstance(layer, keras.layers.Dense):
            macs = int(layer.kernel.shape[0] * layer.kernel.shape[1])
        elif isinstance(layer, keras.layers.Conv2D):
            kh, kw, cin, cout = layer.kernel.shape
            _, oh, ow, _ = layer.output.shape
            macs = int(oh * ow * cout * kh * kw * cin)
        rows.append({"name": layer.name, "macs": macs})
    return rows


def autoencoder(
    *,
    input_dim: int = 784,
    encoder_units: Sequence[int] = (128, 96),
    decoder_units: Sequence[int] = (128,),
    activation: str = "relu",
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """A dense autoencoder; returns (autoencoder, encoder, decoder), the last two usable alone.

    encoder: input -> Dense(u, activation) for u in encoder_units (the last is the latent code);
    decoder: latent -> Dense(u, activation) for u in decoder_units -> Dense(input_dim, sigmoid).
    """
    latent_dim = encoder_units[-1]
    enc_layers = [keras.Input(shape=(input_dim,), name="noisy_image")]
    for i, units in enumerate(encoder_units, start=1):
        last = i == len(encoder_units)
        enc_layers.append(keras.layers.Dense(units, activation=activation, name="latent" if last else f"encoder_{i}"))
    encoder = keras.Sequential(enc_layers, name="encoder")
    dec_layers = [keras.Input(shape=(latent_dim,), name="latent_code")]
    for i, units in enumerate(decoder_units, start=1):
        dec_layers.append(keras.layers.Dense(units, activation=activation, name=f"decoder_{i}"))
    dec_layers.append(keras.layers.Dense(input_dim, activation="sigmoid", name="reconstruction"))
    decoder = keras.Sequential(dec_layers, name="decoder")
    inputs = keras.Input(shape=(input_dim,), name="image")
    model = keras.Model(inputs, decoder(encoder(inputs)), name="autoencoder")
    return model, encoder, decoder
