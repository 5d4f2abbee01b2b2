"""Salt-and-pepper noise: the one function every rule uses to corrupt images, and the (noisy, clean)
pairs of a data split that the autoencoder trains and is judged on."""

from __future__ import annotations

import numpy as np


def salt_and_pepper(images: np.ndarray, level: float, seed: int) -> np.ndarray:
    """Keep each pixel with probability 1 - level; set each other pixel to 0 or 1 with equal odds.

    `images` are floats in [0, 1] of any shape; the result has the same shape and dtype.
    The same images, level and seed always give the same noisy images.
    """
    if not 0.0 <= level <= 1.0:
        raise ValueError(f"noise level must lie in [0, 1], got {level}")
    rng = np.random.default_rng(seed)
    replaced = rng.random(images.shape) < level
    values = (rng.random(images.shape) < 0.5).astype(images.dtype)
    return np.where(replaced, values, images).astype(images.dtype, copy=False)


def flatten(images: np.ndarray) -> np.ndarray:
    """Images (N, ...) as rows of pixels (N, pixels)."""
    return images.reshape(len(images), -1)


def noisy_pairs(arrays: dict, split: str, level: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(noisy, clean) flattened images of split `split` of preprocessed `arrays`; the noise seed is
    derived from `seed` per split, so every split gets its own noise and each is the same every time."""
    from .config import derive_seed

    clean = flatten(arrays[f"x_{split}"])
    return salt_and_pepper(clean, level, derive_seed(seed, split)), clean
