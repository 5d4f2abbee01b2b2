"""IDX parsing, checksum and structure errors, splitting, preprocessing."""

import gzip

import numpy as np
import pytest
from conftest import idx_bytes, write_gz

from mnistflow import data
from mnistflow.data import DataError


def paths_of(directory):
    return {role: directory / name for role, name in data.IDX_FILES.items()}


def test_parse_idx_round_trip():
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    parsed = data.parse_idx(idx_bytes(images), expected_magic=data.IMAGE_MAGIC)
    assert parsed.shape == (2, 3, 4) and parsed.dtype == np.uint8
    np.testing.assert_array_equal(parsed, images)


def test_load_valid_files_and_checksums(fake_mnist):
    directory, arrays, checksums = fake_mnist
    raw = data.load_mnist_files(paths_of(directory), checksums)
    np.testing.assert_array_equal(raw.train_images, arrays["train_images"])
    np.testing.assert_array_equal(raw.test_labels, arrays["test_labels"])
    assert raw.checksums == checksums and raw.source == "idx"


def test_checksum_mismatch_names_file_and_key(fake_mnist):
    directory, _, checksums = fake_mnist
    checksums["t10k-labels-idx1-ubyte"] = "0" * 64
    with pytest.raises(
        DataError, match=r"t10k-labels-idx1-ubyte.gz: checksum mismatch.*data\.sha256\.t10k-labels-idx1-ubyte"
    ):
        data.load_mnist_files(paths_of(directory), checksums)


def test_truncated_gzip(fake_mnist):
    directory, _, checksums = fake_mnist
    path = directory / data.IDX_FILES["train_images"]
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.gz: the gzip stream is truncated"):
        data.load_mnist_files(paths_of(directory), checksums)


def test_not_gzip(fake_mnist):
    directory, _, checksums = fake_mnist
    (directory / data.IDX_FILES["train_labels"]).write_bytes(b"this is not gzip at all")
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte.gz: not a valid gzip file"):
        data.load_mnist_files(paths_of(directory), checksums)


def test_missing_file(fake_mnist):
    directory, _, checksums = fake_mnist
    (directory / data.IDX_FILES["test_images"]).unlink()
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte.gz: file not found"):
        data.load_mnist_files(paths_of(directory), checksums)


def test_wrong_magic(fake_mnist):
    directory, arrays, _ = fake_mnist
    write_gz(directory / data.IDX_FILES["train_images"], idx_bytes(arrays["train_images"], magic=1234))
    with pytest.raises(DataError, match=r"wrong magic number 1234, expected 2051 for an IDX image file"):
        data.load_mnist_files(paths_of(directory), None)


def test_data_shorter_than_header_says():
    raw = idx_bytes(np.zeros((3, 2, 2), dtype=np.uint8))[:-1]
    with pytest.raises(DataError, match=r"announces dimensions \(3, 2, 2\) \(12 bytes of data\) but the file holds 11"):
        data.parse_idx(raw, expected_magic=data.IMAGE_MAGIC, name="x")


def test_image_and_label_counts_must_match(fake_mnist):
    directory, arrays, _ = fake_mnist
    write_gz(directory / data.IDX_FILES["train_labels"], idx_bytes(arrays["train_labels"][:-1]))
    with pytest.raises(DataError, match=r"holds 60 images but .*train-labels-idx1-ubyte.gz holds 59 labels"):
        data.load_mnist_files(paths_of(directory), None)


def test_split_is_seeded_disjoint_and_subsets(fake_mnist):
    directory, _, checksums = fake_mnist
    raw = data.load_mnist_files(paths_of(directory), checksums)
    a = data.split(raw, validation_size=10, seed=3)
    b = data.split(raw, validation_size=10, seed=3)
    c = data.split(raw, validation_size=10, seed=4)
    assert {k: v.shape[0] for k, v in a.items()} == {
        "x_train": 50,
        "y_train": 50,
        "x_val": 10,
        "y_val": 10,
        "x_test": 20,
        "y_test": 20,
    }
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(a["x_val"], c["x_val"])
    # validation and training images are disjoint rows of the original training set
    flat = raw.train_images.reshape(60, -1)
    rows = lambda x: {flat.tolist().index(r) for r in x.reshape(len(x), -1).tolist()}  # noqa: E731
    assert not rows(a["x_val"]) & rows(a["x_train"])
    sub = data.split(raw, validation_size=10, seed=3, subset={"train": 7, "test": 5})
    assert len(sub["x_train"]) == 7 and len(sub["x_test"]) == 5 and len(sub["x_val"]) == 10
    with pytest.raises(ValueError, match="validation size"):
        data.split(raw, validation_size=60, seed=0)


def test_preprocess_shapes_types_ranges():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    x = data.preprocess_images(images)
    assert x.shape == (1, 2, 2, 1) and x.dtype == np.float32
    np.testing.assert_allclose(x[0, :, :, 0], [[0.0, 1.0], [0.2, 0.4]], rtol=1e-6)
    y = data.one_hot(np.array([3, 0, 9]))
    assert y.shape == (3, 10) and y.dtype == np.float32
    np.testing.assert_array_equal(y.argmax(axis=1), [3, 0, 9])
    np.testing.assert_array_equal(y.sum(axis=1), [1, 1, 1])


def test_describe_counts_and_ranges(fake_mnist):
    directory, arrays, checksums = fake_mnist
    split = data.split(data.load_mnist_files(paths_of(directory), checksums), validation_size=10, seed=1)
    summary = data.describe(split)
    train = summary["splits"]["train"]
    assert train["before"]["images"]["dtype"] == "uint8" and train["after"]["images"]["dtype"] == "float32"
    assert train["after"]["images"]["shape"] == [50, 28, 28, 1]
    assert train["after"]["labels"]["shape"] == [50, 10]
    assert train["after"]["images"]["max"] <= 1.0
    assert sum(train["class_counts"]) == 50
    assert summary["splits"]["test"]["class_counts"] == [2] * 10


def test_first_of_each_class():
    labels = np.array([3, 1, 0, 2, 4, 5, 6, 7, 8, 9, 1])
    np.testing.assert_array_equal(data.first_of_each_class(labels), [2, 1, 3, 0, 4, 5, 6, 7, 8, 9])
    with pytest.raises(DataError, match=r"no example of class\(es\) \[9\]"):
        data.first_of_each_class(labels[labels != 9])


def test_gzip_is_plain_gzip(fake_mnist):
    directory, arrays, _ = fake_mnist
    with gzip.open(directory / data.IDX_FILES["test_labels"]) as fh:
        assert fh.read()[8:] == arrays["test_labels"].tobytes()


def test_outputs_are_written_atomically_with_normal_permissions(tmp_path):
    import os

    from mnistflow import files

    target = tmp_path / "out.json"
    files.write_json(target, {"a": 1})
    assert files.read_json(target) == {"a": 1}
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~files._umask())
    with pytest.raises(RuntimeError):
        with files.atomic_path(tmp_path / "half.json") as tmp:
            tmp.write_text("{")
            raise RuntimeError("crash while writing")
    assert not (tmp_path / "half.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left behind
    assert os.access(target, os.R_OK)


def test_idx_bytes_of_the_real_files_match_their_checksums():
    """Writing the loaded arrays back as IDX gives the canonical content: what the Keras route relies on."""
    import yaml
    from conftest import REPO, mnist_dir

    checksums = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["data"]["sha256"]
    raw = data.load_mnist(mnist_dir(), checksums)
    for role, filename in data.IDX_FILES.items():
        assert data.sha256(idx_bytes(getattr(raw, role))) == checksums[data.checksum_key(filename)]


def fake_keras(monkeypatch, load_data):
    import sys
    import types

    mnist = types.SimpleNamespace(load_data=load_data)
    monkeypatch.setitem(sys.modules, "keras", types.SimpleNamespace(datasets=types.SimpleNamespace(mnist=mnist)))


def test_keras_route_gives_the_same_content_and_checksums(fake_mnist, monkeypatch):
    """Keras' downloader, replaced by a local stand-in that serves the same arrays, yields the same
    data and the same checksums as the files; altered data is refused by the checksums."""
    directory, arrays, checksums = fake_mnist
    served = {k: v.copy() for k, v in arrays.items()}
    fake_keras(
        monkeypatch,
        lambda: ((served["train_images"], served["train_labels"]), (served["test_images"], served["test_labels"])),
    )
    raw = data.load_mnist(None, checksums)
    files = data.load_mnist(directory, checksums)
    assert raw.source == "keras" and raw.checksums == files.checksums == checksums
    for role in data.IDX_FILES:
        np.testing.assert_array_equal(getattr(raw, role), getattr(files, role))
    served["test_labels"][0] = (served["test_labels"][0] + 1) % 10
    with pytest.raises(DataError, match=r"Keras' downloader: checksum mismatch for t10k-labels-idx1-ubyte.gz"):
        data.load_mnist(None, checksums)


def test_unreachable_downloader_names_the_fix(monkeypatch):
    import urllib.error

    def offline():
        raise urllib.error.URLError("no route to host")

    fake_keras(monkeypatch, offline)
    with pytest.raises(
        DataError,
        match=r"Keras could not download MNIST \(URLError.*set the config key data.dir or the environment "
        r"variable MNIST_DIR",
    ):
        data.load_mnist(None, {})


def test_class_labels_number_digits_and_name_other_classes():
    from mnistflow import plots

    assert plots.class_labels(list(range(10)), "class") == [f"class {k}" for k in range(10)]
    assert plots.class_labels([str(k) for k in range(10)], "label")[3] == "label 3"
    names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    assert plots.class_labels(names, "class") == names


def test_the_confusion_matrix_prints_the_class_names(tmp_path):
    from mnistflow import plots

    names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    matrix = np.eye(10) * 90 + 1
    plots.confusion_plot(matrix, tmp_path / "named.svg", labels=names)
    plots.confusion_plot(matrix, tmp_path / "numbered.svg")
    named, numbered = (tmp_path / "named.svg").read_text(), (tmp_path / "numbered.svg").read_text()
    assert "Ankle boot" in named and "Ankle boot" not in numbered
