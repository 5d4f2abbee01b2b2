"""Model construction, parameter counts, per-layer tables, the L2 penalty, the training function."""

import numpy as np
import pytest


def test_base_dense_parameter_counts(keras_jax):
    from mnistflow import models

    model = models.dense_classifier([64, 64])
    table = models.layer_table(model)
    assert [(r["name"], r["type"], r["params"]) for r in table] == [
        ("flatten", "Flatten", 0),
        ("hidden_1", "Dense", 50240),
        ("hidden_2", "Dense", 4160),
        ("output", "Dense", 650),
    ]
    assert model.count_params() == 55050
    assert table[1]["output_shape"] == [None, 64] and table[1]["activation"] == "relu"
    assert table[-1]["activation"] == "softmax"


def test_wide_dense_parameter_count(keras_jax):
    from mnistflow import models

    model = models.dense_classifier([500, 300])
    assert model.count_params() == 784 * 500 + 500 + 500 * 300 + 300 + 300 * 10 + 10


@pytest.mark.parametrize("factor", [0.0, 1e-3])
def test_l2_penalises_hidden_kernels_only(keras_jax, factor):
    """Keras' L2(f) adds f * sum(w**2) over each hidden kernel; nothing for f = 0."""
    from mnistflow import models

    model = models.dense_classifier([8, 6], l2=factor, input_shape=(4, 4, 1))
    penalty = sum(float(keras_jax.ops.convert_to_numpy(loss)) for loss in model.losses)
    kernels = [layer.kernel for layer in model.layers if layer.name.startswith("hidden_")]
    expected = factor * sum(float(np.sum(keras_jax.ops.convert_to_numpy(k) ** 2)) for k in kernels)
    assert penalty == pytest.approx(expected, rel=1e-5)
    assert model.get_layer("output").kernel_regularizer is None
    assert all(layer.bias_regularizer is None and layer.activity_regularizer is None for layer in model.layers[1:])


def test_make_optimizer(keras_jax):
    from mnistflow import models

    opt = models.make_optimizer({"name": "sgd", "learning_rate": 0.1})
    assert isinstance(opt, keras_jax.optimizers.SGD) and float(opt.learning_rate) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="unknown optimizer"):
        models.make_optimizer({"name": "nope", "learning_rate": 0.1})


def test_fit_records_history_and_timing(keras_jax):
    from mnistflow import models, training

    rng = np.random.default_rng(0)
    x = rng.random((64, 28, 28, 1), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 64)]
    model = models.dense_classifier([16])
    record, timing = training.fit(
        model,
        train=(x, y),
        val=(x[:16], y[:16]),
        optimizer={"name": "sgd", "learning_rate": 0.1},
        loss="categorical_crossentropy",
        epochs=2,
        batch_size=32,
    )
    assert set(record["history"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 2 for v in record["history"].values())
    assert record["initial"]["val_loss"] == pytest.approx(np.log(10), abs=0.5)
    assert len(timing["epoch_seconds"]) == 2 and timing["fit_seconds"] > 0
    assert "seconds" not in str(record)  # timings stay out of the metrics record


def test_cnn_layers_params_and_macs(keras_jax):
    from mnistflow import models

    model = models.cnn_classifier(
        [{"filters": 4, "kernel_size": 3, "pool": True}, {"filters": 8, "kernel_size": 3}],
        dense_units=[16],
        dense_dropout=0.5,
        augment_shift=2,
    )
    types = [row["type"] for row in models.layer_table(model)]
    assert types == ["RandomTranslation", "Conv2D", "MaxPooling2D", "Conv2D", "Flatten", "Dense", "Dropout", "Dense"]
    macs = {row["name"]: row["macs"] for row in models.count_macs(model)}
    # hand count: conv_1 26x26 outputs x 4 filters x 3x3x1; conv_2 11x11 x 8 x 3x3x4; dense 968x16; output 16x10
    assert macs["conv_1"] == 26 * 26 * 4 * 9
    assert macs["conv_2"] == 11 * 11 * 8 * 36
    assert macs["dense_1"] == 11 * 11 * 8 * 16 and macs["output"] == 160
    assert macs["pool_1"] == 0 and macs["random_shift"] == 0
    assert model.count_params() == (9 * 4 + 4) + (36 * 8 + 8) + (968 * 16 + 16) + (16 * 10 + 10)


def test_dense_macs_equal_weights(keras_jax):
    from mnistflow import models

    model = models.dense_classifier([64, 64])
    assert sum(r["macs"] for r in models.count_macs(model)) == 784 * 64 + 64 * 64 + 64 * 10


def test_autoencoder_parts_are_usable_alone(keras_jax):
    from mnistflow import models

    model, encoder, decoder = models.autoencoder(input_dim=784, encoder_units=[128, 96], decoder_units=[128])
    assert encoder.output.shape[-1] == 96 and decoder.output.shape[-1] == 784
    x = np.random.default_rng(0).random((3, 784), dtype=np.float32)
    z = encoder.predict(x, verbose=0)
    np.testing.assert_allclose(decoder.predict(z, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    assert model.count_params() == (784 * 128 + 128) + (128 * 96 + 96) + (96 * 128 + 128) + (128 * 784 + 784)
    assert decoder.layers[-1].activation.__name__ == "sigmoid"


def test_cosine_schedule_needs_steps(keras_jax):
    from mnistflow import models

    opt = models.make_optimizer({"name": "adam", "learning_rate": 0.01}, schedule="cosine", total_steps=100)
    schedule = opt._learning_rate
    assert isinstance(schedule, keras_jax.optimizers.schedules.CosineDecay)
    assert float(schedule(0)) == pytest.approx(0.01) and float(schedule(50)) == pytest.approx(0.005)
    assert float(schedule(100)) == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(ValueError, match="total number of training steps"):
        models.make_optimizer({"name": "adam", "learning_rate": 0.01}, schedule="cosine")
    with pytest.raises(ValueError, match="unknown learning-rate schedule"):
        models.make_optimizer({"name": "adam", "learning_rate": 0.01}, schedule="step")


def test_jax_thread_flags_are_ones_xla_accepts():
    """threads=1 turns Eigen's pool off with a flag XLA knows; a wrong flag would abort XLA at start-up."""
    import subprocess
    import sys

    code = (
        "from mnistflow import runtime; runtime.configure(backend='jax', threads=1, seed=0); import os, jax.numpy "
        "as jnp; "
        "print(os.environ['XLA_FLAGS']); print(float(jnp.ones(3).sum()))"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "XLA_FLAGS"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    flags, total = result.stdout.split()[-2:]
    assert flags == "--xla_cpu_multi_thread_eigen=false" and total == "3.0"


@pytest.mark.parametrize("cap, expected", [("AVX2", "Intel AVX2"), (None, None)])
def test_onednn_cap_sets_the_kernels_instruction_set(cap, expected):
    """The config's cap reaches oneDNN (its verbose log names the ISA in use); with no cap, a stray
    ONEDNN_MAX_CPU_ISA in the environment is removed, so only the config decides the kernels."""
    import os
    import subprocess
    import sys

    code = (
        f"from mnistflow import runtime; runtime.configure(backend='tensorflow', threads=1, seed=0, "
        f"onednn_max_isa={cap!r}); "
        "import os, numpy as np, tensorflow as tf; print('CAP', os.environ.get('ONEDNN_MAX_CPU_ISA')); "
        "tf.nn.conv2d(np.ones((2, 16, 16, 1), 'float32'), np.ones((3, 3, 1, 8), 'float32'), 1, 'SAME')"
    )
    env = dict(os.environ, ONEDNN_VERBOSE="1", ONEDNN_MAX_CPU_ISA="SSE41")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"CAP {cap}" in result.stdout
    isa = [line for line in (result.stdout + result.stderr).splitlines() if "cpu,isa:" in line]
    assert isa, "oneDNN ran no kernel"
    if expected:
        assert expected in isa[0] and "512" not in isa[0]
    else:
        assert "SSE4.1" not in isa[0]


def test_tensorflow_array_feed_runs_without_autotuning_and_gives_the_same_batches():
    """On TensorFlow, Keras' NumPy feed has tf.data's autotuning off (it stalled epochs for seconds),
    and yields exactly the batches, in the order, that Keras' own method gives from the same seed."""
    import os
    import subprocess
    import sys

    code = (
        "from mnistflow import runtime; keras = runtime.configure(backend='tensorflow', threads=1, seed=0)\n"
        "import numpy as np\n"
        "from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter as A\n"
        "x = np.arange(200, dtype='float32').reshape(50, 4); y = np.arange(50) % 10\n"
        "def batches(method):\n"
        "    keras.utils.set_random_seed(3)\n"
        "    ds = method(A(x, y, batch_size=8, shuffle=True))\n"
        "    return ds, [b[0].numpy() for b in ds] + [b[0].numpy() for b in ds]\n"
        "ours, got = batches(A.get_tf_dataset)\n"
        "theirs, want = batches(A.get_tf_dataset.keras_original)\n"
        "assert ours.options().autotune.enabled is False, 'autotuning is on'\n"
        "assert theirs.options().autotune.enabled is not False\n"
        "assert len(got) == len(want) == 14 and all((a == b).all() for a, b in zip(got, want))\n"
        "assert not (np.concatenate(got[:7]) == x).all(), 'not shuffled'\n"
        "print('SAME')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-1] == "SAME"


def test_onednn_cap_must_be_an_instruction_set_onednn_knows():
    from mnistflow import runtime

    with pytest.raises(ValueError, match="unknown oneDNN instruction set"):
        runtime.configure(backend="tensorflow", threads=1, seed=0, onednn_max_isa="AVX9")


def test_cpu_identity_names_model_flags_and_caches():
    from mnistflow import runtime

    identity = runtime.cpu_identity()
    if identity:  # Linux
        assert identity["cpu_model"] and len(identity["cpu_flags_sha256"]) == 12 and "L2" in identity["cpu_caches"]


def test_separable_translation_is_keras_translation_and_compiles(keras_jax, tmp_path):
    """The dense 3B control's shift: the same translations and the same images as Keras' RandomTranslation
    (bilinear, constant fill), but compiled on JAX (Keras' layer makes the whole model train eagerly)."""
    import keras

    from mnistflow import models

    x = np.random.default_rng(0).random((16, 28, 28, 1)).astype("float32")
    for fill in (0.0, 0.5):
        ref = keras.layers.RandomTranslation(2 / 28, 2 / 28, fill_mode="constant", fill_value=fill, seed=3)
        new = models.SeparableRandomTranslation(2 / 28, 2 / 28, fill_value=fill, seed=3)
        drawn = ref.get_random_transformation(x, training=True, seed=keras.random.SeedGenerator(5))
        fixed = {"translations": np.tile(np.array([[0.5, -1.25]], "float32"), (16, 1)), "input_shape": x.shape}
        for transformation in (drawn, fixed):
            np.testing.assert_allclose(
                np.asarray(new.transform_images(x, transformation, training=True)),
                np.asarray(ref.transform_images(x, transformation, training=True)),
                atol=1e-5,
            )
        # the same seed draws the same translations: the layers agree when called
        np.testing.assert_allclose(np.asarray(new(x, training=True)), np.asarray(ref(x, training=True)), atol=1e-5)
        np.testing.assert_array_equal(np.asarray(new(x, training=False)), x)  # inactive outside training
    with pytest.raises(ValueError, match="bilinear"):
        models.SeparableRandomTranslation(0.1, fill_mode="reflect")
    model = models.dense_classifier([8], augment_shift=2)
    assert [r["type"] for r in models.layer_table(model)][0] == "SeparableRandomTranslation"
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    assert model.jit_compile is True  # Keras' own RandomTranslation would turn compilation off
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
