"""New digits from the decoder: Gaussians over latent codes, sampling within the codes the decoder saw,
nearest training images (novelty), interpolation."""

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
        z = latents[labels == k]
        if len(z) < 2:
            raise ValueError(f"class {k} has {len(z)} latent codes; at least 2 are needed to fit a Gaussian")
        means[k], covs[k] = fit_gaussian(z, ridge)
    return means, covs


def fit_gaussian(latents: np.ndarray, ridge: float = 1e-4) -> tuple[np.ndarray, np.ndarray]:
    """Mean vector and full covariance (plus `ridge` on the diagonal) of a set of latent codes."""
    z = np.asarray(latents, dtype=np.float64)
    if len(z) < 2:
        raise ValueError(f"{len(z)} latent codes; at least 2 are needed to fit a Gaussian")
    return z.mean(axis=0), np.cov(z, rowvar=False) + ridge * np.eye(z.shape[1])


def code_bounds(latents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per code dimension, the smallest and largest value among `latents`: the box of codes the
    decoder saw in training (ReLU codes: the lower edge is 0, and a never-active dimension is [0, 0])."""
    z = np.asarray(latents)
    return z.min(axis=0), z.max(axis=0)


def clip_to_bounds(z: np.ndarray, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, float]:
    """Codes moved into the box [low, high] coordinate by coordinate; and the share of coordinates moved."""
    z = np.asarray(z)
    clipped = np.clip(z, low, high).astype(np.float32)
    return clipped, float(np.mean(clipped != z.astype(np.float32)))


def sample_latents(means: np.ndarray, covs: np.ndarray, per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`per_class` samples from each class's Gaussian. Returns (latents (K*n, d), class of each)."""
    rng = np.random.default_rng(seed)
    samples, classes = [], []
    for k in range(len(means)):
        samples.append(rng.multivariate_normal(means[k], covs[k], size=per_class, method="cholesky"))
        classes.append(np.full(per_class, k))
    return np.concatenate(samples).astype(np.float32), np.concatenate(classes)


def sample_gaussian(mean: np.ndarray, cov: np.ndarray, n: int, seed: int) -> np.ndarray:
    """`n` samples of one Gaussian (the class-agnostic reference)."""
    rng = np.random.default_rng(seed)
    return rng.multivariate_normal(mean, cov, size=n, method="cholesky").astype(np.float32)


def nearest_neighbours(queries: np.ndarray, reference: np.ndarray, chunk: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """For each query row, the index of the nearest reference row in Euclidean distance and that
    distance. Rows are flattened; squared distances come from |q|^2 + |r|^2 - 2 q.r in float64 per chunk."""
    q = np.asarray(queries, dtype=np.float64).reshape(len(queries), -1)
    r = np.asarray(reference, dtype=np.float64).reshape(len(reference), -1)
    if q.shape[1] != r.shape[1]:
        raise ValueError(f"queries have {q.shape[1]} values per row, the reference {r.shape[1]}")
    if len(r) == 0:
        raise ValueError("the reference set is empty")
    r_sq = np.einsum("ij,ij->i", r, r)
    index = np.empty(len(q), dtype=np.int64)
    distance = np.empty(len(q))
    for start in range(0, len(q), chunk):
        block = q[start : start + chunk]
        d2 = np.einsum("ij,ij->i", block, block)[:, None] + r_sq[None, :] - 2.0 * block @ r.T
        best = np.argmin(d2, axis=1)
        index[start : start + chunk] = best
        distance[start : start + chunk] = np.sqrt(np.maximum(d2[np.arange(len(block)), best], 0.0))
    return index, distance


def interpolate(a: np.ndarray, b: np.ndarray, steps: int) -> np.ndarray:
    """`steps` points on the straight line from latent code a to b, both ends included."""
    t = np.linspace(0.0, 1.0, steps)[:, None]
    return ((1 - t) * a[None, :] + t * b[None, :]).astype(np.float32)


def recognition(probs: np.ndarray, confident: float, intended: np.ndarray | None = None) -> tuple[dict, np.ndarray]:
    """A classifier's verdict on images from its class probabilities (N, K): how many images, the share
    predicted with top probability >= `confident`, the mean top probability, and with `intended`
    classes the share recognised as intended and the mean probability of the intended class; and the
    predicted classes."""
    probs = np.asarray(probs)
    predicted = probs.argmax(axis=1)
    top = probs.max(axis=1)
    row = {
        "samples": int(len(probs)),
        "confident": float(np.mean(top >= confident)),
        "mean_top_probability": float(np.mean(top)),
    }
    if intended is not None:
        row.update(
            recognised=float(np.mean(predicted == intended)),
            confidence=float(np.mean(probs[np.arange(len(probs)), intended])),
        )
    return row, predicted


def distance_summary(distances: dict[str, np.ndarray]) -> dict:
    """Median, quartiles and count of each image set's nearest-training-image distances."""
    return {
        k: {
            "median": float(np.median(v)),
            "quartiles": [float(q) for q in np.percentile(v, [25, 75])],
            "samples": int(len(v)),
        }
        for k, v in distances.items()
    }
