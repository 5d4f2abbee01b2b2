"""MNIST-shaped data: IDX parsing with checksum checks, the Keras fallback, splits, preprocessing, and
what the data is called (MNIST, or any four IDX files of the same shapes named in the config)."""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: The four canonical files, by the role they play.
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
IMAGE_MAGIC = 2051
LABEL_MAGIC = 2049
NUM_CLASSES = 10
SPLITS = ("train", "val", "test")
#: SHA-256 of the decompressed content of the canonical MNIST files (yann.lecun.com/exdb/mnist). Figures
#: cited from elsewhere (Hinton's, the MNIST page's, the earlier answer's) were measured on these files,
#: so the report compares with them only when the data's checksums are these.
MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}


def is_mnist(checksums: dict[str, str]) -> bool:
    """Whether files of these checksums (keyed as `data.sha256`) are the canonical MNIST files."""
    return {k: v.lower() for k, v in checksums.items()} == MNIST_SHA256


def naming(data_config: dict, checksums: dict[str, str]) -> dict:
    """What the report calls the data and its classes, from the config's `data` section: the data
    set's name, the noun for its images (plural and singular), the class names, and whether figures
    cited from elsewhere apply (only to the canonical MNIST files, judged by `checksums`)."""
    return {
        "name": data_config["name"],
        "noun": data_config["noun"],
        "noun_one": data_config["noun_singular"],
        "class_names": [str(c) for c in data_config["class_names"]],  # ten distinct names, by the schema
        # whether each class is named by its label (MNIST's digits); else the figures' numbers need a key
        "numbered": [str(c) for c in data_config["class_names"]] == [str(k) for k in range(NUM_CLASSES)],
        "cited": is_mnist(checksums),
    }


class DataError(Exception):
    """Input data that cannot be used; the message names the file and what was expected."""


def checksum_key(filename: str) -> str:
    """The key under `data.sha256` in the config for a file: its name without `.gz`."""
    return filename[:-3] if filename.endswith(".gz") else filename


def decompress(path: str | os.PathLike) -> bytes:
    """Read a gzip file whole; a missing, truncated or non-gzip file raises DataError."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found (expected the gzip-compressed MNIST file {path.name})")
    try:
        with gzip.open(path, "rb") as fh:
            return fh.read()
    except EOFError as exc:
        raise DataError(f"{path}: the gzip stream is truncated ({exc}); download the file again") from exc
    except (gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise DataError(f"{path}: not a valid gzip file ({exc})") from exc


def parse_idx(raw: bytes, *, expected_magic: int, name: str = "<bytes>") -> np.ndarray:
    """Parse the bytes of an uncompressed IDX file of unsigned bytes into an array."""
    if len(raw) < 8:
        raise DataError(f"{name}: {len(raw)} bytes is too short for an IDX header")
    magic = int.from_bytes(raw[0:4], "big")
    if magic != expected_magic:
        kind = "image" if expected_magic == IMAGE_MAGIC else "label"
        raise DataError(f"{name}: wrong magic number {magic}, expected {expected_magic} for an IDX {kind} file")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{name}: truncated IDX header")
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected_size = int(np.prod(dims))
    if len(raw) - header != expected_size:
        raise DataError(
            f"{name}: header announces dimensions {dims} ({expected_size} bytes of data) "
            f"but the file holds {len(raw) - header}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def load_idx(path: str | os.PathLike, *, expected_magic: int, expected_sha256: str | None) -> tuple[np.ndarray, str]:
    """Load one .gz IDX file; check structure then checksum. Returns (array, sha256)."""
    path = Path(path)
    raw = decompress(path)
    array = parse_idx(raw, expected_magic=expected_magic, name=str(path))
    digest = sha256(raw)
    if expected_sha256 is not None and digest != expected_sha256.lower():
        raise DataError(
            f"{path}: checksum mismatch: the SHA-256 of the decompressed content is {digest}, "
            f"expected {expected_sha256} (config key data.sha256.{checksum_key(path.name)})"
        )
    return array, digest


@dataclass
class RawMnist:
    """The four MNIST arrays as stored: uint8 images (N, 28, 28) and uint8 labels (N,)."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: str
    checksums: dict[str, str]


def load_mnist_files(paths: dict[str, str | os.PathLike], checksums: dict[str, str] | None) -> RawMnist:
    """Load the four IDX files given by role (see IDX_FILES), verifying their checksums."""
    checksums = checksums or {}
    arrays, digests = {}, {}
    for role, filename in IDX_FILES.items():
        path = Path(paths[role])
        magic = IMAGE_MAGIC if role.endswith("images") else LABEL_MAGIC
        key = checksum_key(filename)
        arrays[role], digests[key] = load_idx(path, expected_magic=magic, expected_sha256=checksums.get(key))
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if images.ndim != 3:
            raise DataError(f"{paths[f'{split}_images']}: expected images of shape (N, rows, cols), got {images.shape}")
        if len(images) != len(labels):
            raise DataError(
                f"{paths[f'{split}_images']} holds {len(images)} images but "
                f"{paths[f'{split}_labels']} holds {len(labels)} labels; they must match"
            )
        if labels.size and labels.max() >= NUM_CLASSES:
            raise DataError(f"{paths[f'{split}_labels']}: label {labels.max()} outside 0..{NUM_CLASSES - 1}")
    return RawMnist(**arrays, source="idx", checksums=digests)


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """The uncompressed IDX file that holds `array` (unsigned bytes): the inverse of `parse_idx`.
    The magic number defaults to the unsigned-byte type code and the array's number of dimensions."""
    array = np.asarray(array)
    magic = 0x0800 | array.ndim if magic is None else magic
    header = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def load_mnist_keras(checksums: dict[str, str] | None = None) -> RawMnist:
    """Fallback when no data directory is configured: Keras' own downloader (needs internet).

    Keras ships MNIST as one .npz, not the IDX files, so each array is written back as the IDX
    content it came from and checked against the same checksums as the files: the data's identity
    is its content, whichever route it came by.
    """
    checksums = checksums or {}
    try:
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:  # network errors come in many types
        raise DataError(
            "no MNIST data directory is configured and Keras could not download MNIST "
            f"({type(exc).__name__}: {exc}). Put the four IDX .gz files ({', '.join(IDX_FILES.values())}) "
            "in a directory and set the config key data.dir or the environment variable MNIST_DIR to it."
        ) from exc
    arrays = {"train_images": x_train, "train_labels": y_train, "test_images": x_test, "test_labels": y_test}
    digests = {}
    for role, filename in IDX_FILES.items():
        key = checksum_key(filename)
        magic = IMAGE_MAGIC if role.endswith("images") else LABEL_MAGIC
        digests[key] = sha256(idx_bytes(arrays[role], magic))
        if checksums.get(key) and digests[key] != checksums[key].lower():
            raise DataError(
                f"MNIST from Keras' downloader: checksum mismatch for {filename}: the SHA-256 of its content is "
                f"{digests[key]}, expected {checksums[key]} (config key data.sha256.{key})"
            )
    return RawMnist(**arrays, source="keras", checksums=digests)


def split(raw: RawMnist, *, validation_size: int, seed: int, subset: dict | None = None) -> dict[str, np.ndarray]:
    """Hold out a seeded random validation set from the training set; optionally subsample.

    Returns uint8 arrays x_train, y_train, x_val, y_val, x_test, y_test.
    """
    n_train = len(raw.train_images)
    if not 0 < validation_size < n_train:
        raise ValueError(f"validation size {validation_size} must lie between 1 and {n_train - 1}")
    order = np.random.default_rng(seed).permutation(n_train)
    val_idx, train_idx = order[:validation_size], order[validation_size:]
    test_idx = np.arange(len(raw.test_images))
    subset = subset or {}
    if subset.get("train"):
        train_idx = train_idx[: subset["train"]]
    if subset.get("test"):
        test_idx = test_idx[: subset["test"]]
    return {
        "x_train": raw.train_images[train_idx],
        "y_train": raw.train_labels[train_idx],
        "x_val": raw.train_images[val_idx],
        "y_val": raw.train_labels[val_idx],
        "x_test": raw.test_images[test_idx],
        "y_test": raw.test_labels[test_idx],
    }


def preprocess_images(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) in 0..255 -> float32 (N, 28, 28, 1) in [0, 1] (channels last)."""
    return (images.astype(np.float32) / np.float32(255.0))[..., np.newaxis]


def one_hot(labels: np.ndarray, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """Integer labels (N,) -> float32 one-hot rows (N, num_classes)."""
    return np.eye(num_classes, dtype=np.float32)[labels.astype(np.int64)]


def preprocess(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Apply the assignment's preprocessing to every split of a `split()` result."""
    out = {}
    for name in SPLITS:
        out[f"x_{name}"] = preprocess_images(arrays[f"x_{name}"])
        out[f"y_{name}"] = one_hot(arrays[f"y_{name}"])
        out[f"labels_{name}"] = arrays[f"y_{name}"].astype(np.int64)
    return out


def _describe_array(a: np.ndarray) -> dict:
    return {
        "shape": list(a.shape),
        "dtype": str(a.dtype),
        "min": float(a.min()),
        "max": float(a.max()),
        "mean": float(a.mean()),
    }


def describe(arrays: dict[str, np.ndarray]) -> dict:
    """Shapes, dtypes and value ranges before and after preprocessing, and class counts per split."""
    after = preprocess(arrays)
    summary = {"splits": {}, "num_classes": NUM_CLASSES}
    for name in SPLITS:
        x, y = arrays[f"x_{name}"], arrays[f"y_{name}"]
        summary["splits"][name] = {
            "count": int(len(x)),
            "before": {"images": _describe_array(x), "labels": _describe_array(y)},
            "after": {"images": _describe_array(after[f"x_{name}"]), "labels": _describe_array(after[f"y_{name}"])},
            "class_counts": np.bincount(y, minlength=NUM_CLASSES).astype(int).tolist(),
            "first_label": int(y[0]),
        }
    return summary


def dataset_info(
    raw: RawMnist, arrays: dict[str, np.ndarray], *, validation_size: int, seed: int, subset: dict | None
) -> dict:
    """What the prepared data file holds and where it came from (for the report's provenance)."""
    return {
        "source": raw.source,
        "sha256": raw.checksums,
        "original_sizes": {"train": int(len(raw.train_images)), "test": int(len(raw.test_images))},
        "sizes": {name: int(len(arrays[f"x_{name}"])) for name in SPLITS},
        "validation_size": validation_size,
        "split_seed": seed,
        "subset": subset or None,
        "image_shape": list(raw.train_images.shape[1:]),
        "num_classes": NUM_CLASSES,
    }


def first_of_each_class(labels: np.ndarray, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """Index of the first example of each class 0..num_classes-1."""
    missing = sorted(set(range(num_classes)) - set(np.unique(labels).tolist()))
    if missing:
        raise DataError(f"no example of class(es) {missing} in the data")
    return np.array([int(np.flatnonzero(labels == c)[0]) for c in range(num_classes)])


def load_mnist(directory, checksums: dict) -> dict:
    """The four IDX files of `directory`, verified against their checksums; Keras' downloader when
    `directory` is None."""
    if directory is None:
        return load_mnist_keras(checksums)
    return load_mnist_files({role: str(Path(directory) / name) for role, name in IDX_FILES.items()}, checksums)
