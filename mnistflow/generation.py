"""New digits from the decoder: per-class Gaussians over latent codes, sampling, interpolation."""

from __future__ import annotations

import numpy as np


def fit_class_gaussians(latents: np.ndarray, labels: np.ndarray, num_classes: int, ridge: float = 1e-4):
    """Mean vector and full covariance of the latent codes of each class.

    A small ridge on the diagonal keeps each covariance positive definite (ReLU codes
    can have dimensions that are always 0). Returns (means (K, d), covariances (K, d, d)).
    """
    d = latents.shape[1]
    means = np.zeros((num_classes, d))
    covs = np.zeros((num_classes, d, d))
    for k in range(num_classes):
        z = latents[labels == k].astype(np.float64)
        if len(z) < 2:
            raise ValueError(f"class {k} has {len(z)} latent codes; at least 2 are needed to fit a Gaussian")
        means[k] = z.mean(axis=0)
        covs[k] = np.cov(z, rowvar=False) + ridge * np.eye(d)
    return means, covs


def sample_latents(means: np.ndarray, covs: np.ndarray, per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`per_class` samples from each class's Gaussian. Returns (latents (K*n, d), class of each)."""
    rng = np.random.default_rng(seed)
    samples, classes = [], []
    for k in range(len(means)):
        samples.append(rng.multivariate_normal(means[k], covs[k], size=per_class, method="cholesky"))
        classes.append(np.full(per_class, k))
    return np.concatenate(samples).astype(np.float32), np.concatenate(classes)


def interpolate(a: np.ndarray, b: np.ndarray, steps: int) -> np.ndarray:
    """`steps` points on the straight line from latent code a to b, both ends included."""
    t = np.linspace(0.0, 1.0, steps)[:, None]
    return ((1 - t) * a[None, :] + t * b[None, :]).astype(np.float32)
