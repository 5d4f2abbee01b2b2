"""Salt-and-pepper noise, the latent sampler, shifts, thresholds and selection."""

import numpy as np
import pytest

from mnistflow import evaluation, generation
from mnistflow.noise import salt_and_pepper


@pytest.fixture
def images():
    return np.random.default_rng(0).random((200, 28, 28), dtype=np.float32) * 0.5 + 0.25  # no 0/1 pixels


def test_level_zero_is_identity(images):
    np.testing.assert_array_equal(salt_and_pepper(images, 0.0, seed=1), images)


def test_level_one_leaves_only_black_and_white_in_equal_shares(images):
    noisy = salt_and_pepper(images, 1.0, seed=1)
    assert set(np.unique(noisy).tolist()) == {0.0, 1.0}
    assert noisy.mean() == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize("level", [0.1, 0.4, 0.7])
def test_kept_share_is_one_minus_level(images, level):
    noisy = salt_and_pepper(images, level, seed=2)
    kept = np.mean(noisy == images)
    assert kept == pytest.approx(1 - level, abs=0.01)
    changed = noisy[noisy != images]
    assert set(np.unique(changed).tolist()) <= {0.0, 1.0}
    assert np.mean(changed) == pytest.approx(0.5, abs=0.02)


def test_same_seed_same_noise(images):
    np.testing.assert_array_equal(salt_and_pepper(images, 0.4, seed=3), salt_and_pepper(images, 0.4, seed=3))
    assert not np.array_equal(salt_and_pepper(images, 0.4, seed=3), salt_and_pepper(images, 0.4, seed=4))
    assert salt_and_pepper(images, 0.4, seed=3).dtype == images.dtype


def test_level_outside_unit_interval_is_refused(images):
    with pytest.raises(ValueError, match=r"noise level must lie in \[0, 1\]"):
        salt_and_pepper(images, 1.5, seed=0)


def test_latent_sampler_shapes_and_class_means():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0, 5.0], [10.0, 1.0, 0.0]])
    labels = np.repeat([0, 1], 500)
    latents = centres[labels] + rng.normal(0, 0.5, (1000, 3))
    means, covs = generation.fit_class_gaussians(latents, labels, 2)
    assert means.shape == (2, 3) and covs.shape == (2, 3, 3)
    np.testing.assert_allclose(means, centres, atol=0.1)
    z, classes = generation.sample_latents(means, covs, per_class=2000, seed=1)
    assert z.shape == (4000, 3) and z.dtype == np.float32
    np.testing.assert_array_equal(np.bincount(classes), [2000, 2000])
    np.testing.assert_allclose(z[classes == 1].mean(axis=0), centres[1], atol=0.05)
    z2, _ = generation.sample_latents(means, covs, per_class=2000, seed=1)
    np.testing.assert_array_equal(z, z2)
    with pytest.raises(ValueError, match="class 1 has 1 latent codes"):
        generation.fit_class_gaussians(latents[:501], labels[:501], 2)


def test_interpolation_ends_are_the_codes():
    path = generation.interpolate(np.zeros(4), np.ones(4), 5)
    assert path.shape == (5, 4)
    np.testing.assert_allclose(path[:, 0], [0, 0.25, 0.5, 0.75, 1])


def test_shift_images():
    x = np.arange(2 * 5 * 5, dtype=np.float32).reshape(2, 5, 5, 1)
    np.testing.assert_array_equal(evaluation.shift_images(x, 0, 0), x)
    down = evaluation.shift_images(x, 2, 0)
    assert down.shape == x.shape
    np.testing.assert_array_equal(down[:, :2], 0)
    np.testing.assert_array_equal(down[:, 2:], x[:, :3])
    left = evaluation.shift_images(x, 0, -1)
    np.testing.assert_array_equal(left[:, :, -1], 0)
    np.testing.assert_array_equal(left[:, :, :-1], x[:, :, 1:])
    assert not evaluation.shift_images(x, 5, 0).any()


def test_summaries_and_selection():
    recs = [
        {"test": {"accuracy": a}, "history": {"val_accuracy": [0.5, v]}, "seed": i}
        for i, (a, v) in enumerate([(0.99, 0.98), (0.97, 0.99)])
    ]
    s = evaluation.summarise_replicates(recs)
    assert s["test_accuracy"]["mean"] == pytest.approx(0.98) and s["test_accuracy"]["std"] == pytest.approx(
        np.std([0.99, 0.97], ddof=1)
    )
    assert evaluation.select_best({"a": recs[0], "b": recs[1]}) == "b"
    with pytest.raises(ValueError, match="no candidate"):
        evaluation.select_best({})


def test_nearest_neighbours_match_a_brute_force_search():
    rng = np.random.default_rng(5)
    reference = rng.uniform(0, 1, size=(300, 7, 7))
    queries = np.concatenate([rng.uniform(0, 1, size=(40, 7, 7)), reference[[3, 150]]])  # two exact copies
    index, distance = generation.nearest_neighbours(queries, reference, chunk=16)
    full = np.linalg.norm(queries.reshape(len(queries), 1, -1) - reference.reshape(1, len(reference), -1), axis=2)
    assert np.array_equal(index, full.argmin(axis=1))
    np.testing.assert_allclose(distance, full.min(axis=1), atol=1e-9)
    assert index[-2:].tolist() == [3, 150] and distance[-2:] == pytest.approx([0.0, 0.0], abs=1e-6)
    with pytest.raises(ValueError):
        generation.nearest_neighbours(queries, reference[:, :3])


def test_samples_are_clipped_into_the_box_of_the_training_codes():
    rng = np.random.default_rng(2)
    codes = np.maximum(rng.normal(0.5, 1.0, size=(500, 6)), 0.0)
    codes[:, 5] = 0.0  # a dimension that is never active
    low, high = generation.code_bounds(codes)
    assert np.all(low >= 0) and high[5] == 0
    z = generation.sample_gaussian(*generation.fit_gaussian(codes), 400, seed=1)
    assert np.any(z < 0)  # a Gaussian leaves the non-negative codes
    clipped, share = generation.clip_to_bounds(z, low, high)
    assert np.all(clipped >= low) and np.all(clipped <= high) and np.all(clipped[:, 5] == 0)
    assert share == pytest.approx(np.mean((z < low) | (z > high)))
    inside = np.clip(z, low, high)
    assert np.array_equal(generation.clip_to_bounds(inside, low, high)[0], inside.astype(np.float32))
    assert generation.clip_to_bounds(inside, low, high)[1] == 0.0


@pytest.mark.parametrize("levels, columns", [([0.0, 0.5], 2), ([0.3, 0.5], 3)])
def test_denoising_grid_shows_the_original_once(tmp_path, levels, columns):
    """At p = 0 the noisy digit is the original: its column stands for the original, which is not repeated."""
    from mnistflow import plots

    rng = np.random.default_rng(0)
    clean = rng.random((2, 784)).astype("float32")
    noisy = [clean.copy() if lvl == 0 else rng.random((2, 784)).astype("float32") for lvl in levels]
    denoised = [rng.random((2, 784)).astype("float32") for _ in levels]
    path = tmp_path / "grid.svg"
    plots.denoising_grid(clean, noisy, denoised, levels, path)
    text = path.read_text()
    assert text.count("<image") == 2 * 2 * columns  # two digits, two rows each
    assert ("(original)" in text) == (0.0 in levels)
    assert ("&gt;original&lt;" in text or ">original<" in text) == (0.0 not in levels)
