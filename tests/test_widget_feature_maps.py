"""cnnbook.widgets.feature_maps: driven without a browser by setting control values."""

import io

import numpy as np
import pytest
from PIL import Image

from cnnbook import models
from cnnbook.conv import conv2d
from cnnbook.env import seed_everything
from cnnbook.widgets.feature_maps import FeatureMapViewer, _feature_map_mosaic


@pytest.fixture(scope="module")
def model():
    seed_everything(0)
    return models.small_cnn(filters=(2, 3), dense=0)


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).integers(0, 256, size=(5, 28, 28), dtype=np.uint8)


@pytest.fixture
def viewer(model, images):
    return FeatureMapViewer(model, images, labels=[3, 1, 4, 1, 5])


def png_size(data):
    return Image.open(io.BytesIO(data)).size


def test_default_layers_are_the_spatial_ones(viewer):
    assert viewer.layer_names == ["conv1", "p1", "conv2", "p2"]
    assert list(viewer.layer_dropdown.options) == viewer.layer_names
    assert viewer.channel_slider.max == 1  # conv1 has 2 channels


def test_activations_match_a_numpy_forward_pass(viewer, model, images):
    kernel, bias = model.get_layer("conv1").get_weights()
    expected = np.maximum(conv2d(images[2] / 255.0, kernel, padding="same") + bias, 0)
    np.testing.assert_allclose(viewer.activations(2)["conv1"], expected, atol=1e-5)
    probabilities = viewer.activations(2)["prediction"]
    np.testing.assert_allclose(probabilities, model.predict(images[2:3, :, :, None] / 255.0, verbose=0)[0], atol=1e-5)


def test_activations_are_computed_once_per_image(viewer, monkeypatch):
    assert viewer.cached_images == (0,)
    calls = []
    original = viewer.activation_model.predict_on_batch
    monkeypatch.setattr(viewer.activation_model, "predict_on_batch", lambda x: calls.append(1) or original(x))
    viewer.image_slider.value = 3
    viewer.layer_dropdown.value = "conv2"
    viewer.all_channels.value = True
    viewer.image_slider.value = 0
    viewer.image_slider.value = 3
    assert len(calls) == 1
    assert viewer.cached_images == (0, 3)


def test_info_reports_the_shown_channel(viewer):
    viewer.image_slider.value = 1
    viewer.layer_dropdown.value = "p1"
    viewer.channel_slider.value = 1
    channel = viewer.activations(1)["p1"][..., 1]
    text = viewer.info.value
    assert "label 1" in text and "predicted" in text
    assert "14 x 14 x 2" in text and "2 x 14 x 14" in text
    assert f"max {channel.max():.3g}" in text and f"mean {channel.mean():.3g}" in text
    assert png_size(viewer.activation_image.value) == (14 * 16, 14 * 16)
    assert png_size(viewer.input_image.value) == (28 * 8, 28 * 8)


def test_changing_layer_keeps_the_channel_in_range(viewer):
    viewer.layer_dropdown.value = "conv2"
    assert viewer.channel_slider.max == 2
    viewer.channel_slider.value = 2
    viewer.layer_dropdown.value = "p1"
    assert viewer.channel_slider.max == 1 and viewer.channel_slider.value == 1
    assert "channel 1:" in viewer.info.value


def test_all_channels_shows_one_mosaic_and_disables_the_channel(viewer):
    viewer.layer_dropdown.value = "conv2"
    viewer.all_channels.value = True
    assert viewer.channel_slider.disabled
    mosaic = _feature_map_mosaic(viewer.activations(0)["conv2"])
    width = png_size(viewer.activation_image.value)[0]
    assert width % mosaic.shape[1] == 0 and width // mosaic.shape[1] == 360 // mosaic.shape[1]
    assert "all 3 channels" in viewer.info.value
    viewer.all_channels.value = False
    assert not viewer.channel_slider.disabled and "channel 0:" in viewer.info.value


def test_mosaic_places_channels_in_reading_order():
    maps = np.zeros((2, 3, 5))
    maps[:, :, 4] = 1.0
    mosaic = _feature_map_mosaic(maps)
    assert mosaic.shape == (2 * 3 + 1, 3 * 4 + 1, 3)  # 3 columns, 2 rows of tiles
    bright = mosaic[4:6, 5:8]  # channel 4: second row, second column
    dark = mosaic[1:3, 1:4]  # channel 0
    assert bright.mean() > dark.mean()
    assert np.all(mosaic[0] == 255) and np.all(mosaic[:, 0] == 255)
    with pytest.raises(ValueError, match="maps must be"):
        _feature_map_mosaic(np.zeros((4, 4)))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(model="not a model"), TypeError, "model must be a keras.Model"),
        (dict(images=np.zeros((3, 20, 20))), ValueError, "images must have shape"),
        (dict(images=np.array([["a"]])), TypeError, "images must be numeric"),
        (dict(labels=[1, 2]), ValueError, "labels must have one entry per image"),
        (dict(layer_names=["flatten"]), ValueError, "layer_names must be layers"),
        (dict(layer_names=[]), ValueError, "layer_names must be layers"),
        (dict(layer_names="conv1"), TypeError, "layer_names must be a sequence"),
    ],
)
def test_bad_arguments_name_the_argument(model, images, kwargs, error, message):
    arguments = dict(model=model, images=images)
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        FeatureMapViewer(**arguments)


def test_chosen_layers_and_channels_last_images(model, images):
    viewer = FeatureMapViewer(model, images[:2, :, :, None] / 255.0, layer_names=["p2"])
    assert viewer.layer_names == ["p2"] and viewer.channel_slider.max == 2
    assert "label" not in viewer.info.value


def test_a_failing_model_shows_a_message_instead_of_raising(viewer, monkeypatch):
    def broken(x):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(viewer.activation_model, "predict_on_batch", broken)
    viewer.image_slider.value = 4
    assert "out of memory" in viewer.error
    assert viewer.image_slider.value == viewer.state()["image"] != 4  # the slider shows what is held
    monkeypatch.undo()
    viewer.layer_dropdown.value = "conv2"  # a good change clears the message
    assert viewer.error == "" and viewer.state()["layer"] == "conv2"


def test_fallback_has_one_frame_per_image_and_layer(viewer):
    page = viewer._build_standin(max_frames=8)  # 4 layers: 2 images
    assert 'data-frames="8"' in page and page.count('class="cnnbook-frame"') == 8


def test_benchmark_actions_change_the_view(viewer):
    next_image, next_layer, next_channel, toggle_all = viewer.benchmark_actions()
    next_image()
    assert viewer.image_slider.value == 1 and 1 in viewer.cached_images
    next_layer()
    assert viewer.layer_dropdown.value == "p1"
    next_channel()
    assert viewer.channel_slider.value == 1
    toggle_all()
    assert viewer.all_channels.value


def test_example_uses_the_cached_trained_model(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNBOOK_CACHE", str(tmp_path))
    monkeypatch.setattr(models, "_BUILDERS", {"small_cnn": lambda: models.small_cnn(filters=(2,), dense=0)})
    viewer = FeatureMapViewer.example()
    assert len(viewer.images) == 20 and viewer.layer_names == ["conv1", "p1"]
    assert list(tmp_path.glob("small_cnn-*.keras"))


def test_functional_models_offer_no_input_layer_and_thin_huge_mosaics():
    import keras

    inputs = keras.Input(shape=(64, 64, 1))
    wide = keras.layers.Conv2D(200, 3, padding="same", name="wide")(inputs)
    outputs = keras.layers.GlobalAveragePooling2D()(wide)
    model = keras.Model(inputs, outputs)
    viewer = FeatureMapViewer(model, np.zeros((1, 64, 64), dtype=np.uint8))
    assert viewer.layer_names == ["wide"]
    viewer.all_channels.value = True
    mosaic_width = _feature_map_mosaic(viewer.activations(0)["wide"]).shape[1]  # 15 tiles of 65 + 1
    assert png_size(viewer.activation_image.value)[0] == -(-mosaic_width // 2)
