"""The augmentation explorer, driven without a browser."""

import numpy as np
import pytest

from cnnbook import augment
from cnnbook.widgets.augmentation import AugmentationExplorer, _default_images


@pytest.fixture(scope="module")
def explorer():
    return AugmentationExplorer.example()


@pytest.fixture(autouse=True)
def lecture_values(explorer):
    explorer._on_reset()
    yield


def test_example_shows_the_lecture_pipeline_on_a_digit(explorer):
    assert explorer.source.value == "digit 3"
    assert explorer.picture.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert explorer.copies.shape == (8, 28, 28)
    assert explorer.factors == {
        "rotation": 0.05,
        "height_factor": 0.1,
        "width_factor": 0.1,
        "brightness": 0.1,
        "contrast": 0.1,
    }
    code = explorer.code.value
    for line in (
        "RandomFlip(&quot;horizontal&quot;)",
        "RandomRotation(0.05)",
        "RandomTranslation(height_factor=0.1, width_factor=0.1)",
        "RandomBrightness(factor=0.1, value_range=(0.0, 1.0))",
        "RandomContrast(0.1, value_range=(0.0, 1.0))",
    ):
        assert line in code
    assert "&plusmn;18.0&deg;" in explorer.meaning.value and "&plusmn;2.8 rows" in explorer.meaning.value
    assert explorer.message == ""


@pytest.mark.parametrize(
    "flip, factors",
    [
        (True, {"rotation": 0.05, "height_factor": 0.1, "width_factor": 0.1, "brightness": 0.1, "contrast": 0.1}),
        (False, {"rotation": 0.25, "height_factor": 0.0, "width_factor": 0.3, "brightness": 0.0, "contrast": 0.5}),
        (False, {"rotation": 0.0, "height_factor": 0.2, "width_factor": 0.0, "brightness": 0.4, "contrast": 0.0}),
    ],
)
def test_the_printed_code_builds_the_librarys_layers(explorer, flip, factors):
    # Every layer line the widget prints, run as Keras code, gives the layers
    # (class and settings) that cnnbook.augment.lecture_augmentation builds.
    import html

    import keras
    from keras import layers

    explorer.flip.value = flip
    for name, value in factors.items():
        explorer.sliders[name].value = value
    code = html.unescape(explorer.code.value).removeprefix("<pre>").removesuffix("</pre>")
    printed = eval(code, {"keras": keras, "layers": layers})
    built = augment.lecture_augmentation(flip="horizontal" if flip else None, **factors)
    assert len(printed.layers) == len(built.layers) == len(code.splitlines()) - 2

    def settings(layer):
        config = layer.get_config()
        return type(layer), {key: value for key, value in config.items() if key not in ("name", "seed")}

    assert [settings(layer) for layer in printed.layers] == [settings(layer) for layer in built.layers]


def test_copies_are_the_numpy_twin_for_the_current_draws(explorer):
    image = _default_images()["digit 3"]
    for index in (0, 5):
        np.testing.assert_allclose(
            explorer.copies[index], augment.augment_like_keras(image, explorer._draws, index), atol=1e-6
        )


def test_sliders_change_the_picture_and_the_text(explorer):
    before = explorer.picture.value
    explorer.sliders["rotation"].value = 0.25
    assert explorer.picture.value != before
    assert "&plusmn;90.0&deg;" in explorer.meaning.value and "RandomRotation(0.25)" in explorer.code.value
    explorer.sliders["width_factor"].value = 0.5
    assert "&plusmn;14.0 columns" in explorer.meaning.value


def test_all_factors_off_gives_identical_copies(explorer):
    explorer.flip.value = False
    for slider in explorer.sliders.values():
        slider.value = 0.0
    original = _default_images()["digit 3"]
    for copy in explorer.copies:
        np.testing.assert_array_equal(copy, original)
    assert "RandomFlip" not in explorer.code.value and "never flipped" in explorer.meaning.value


def test_flip_only_mirrors_about_half_the_copies(explorer):
    for slider in explorer.sliders.values():
        slider.value = 0.0
    original = _default_images()["digit 3"]
    mirrored = [np.array_equal(copy, original[:, ::-1]) for copy in explorer.copies]
    assert sum(mirrored) == int(explorer._draws["flip"].sum())
    assert all(np.array_equal(copy, original) for copy, m in zip(explorer.copies, mirrored) if not m)


def test_new_draws_and_reset(explorer):
    before = explorer.copies.copy()
    explorer.redraw.click()
    assert not np.array_equal(before, explorer.copies)
    explorer.sliders["contrast"].value = 0.8
    explorer.flip.value = False
    explorer.reset.click()
    assert explorer.factors["contrast"] == 0.1 and explorer.flip.value is True


def test_switching_to_the_photo(explorer):
    explorer.source.value = "cat photo"
    assert explorer.copies.shape == (8, 96, 96, 3)
    assert "96x96" in explorer.meaning.value
    explorer.source.value = "digit 3"


def test_errors_show_a_message_instead_of_raising(explorer, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(augment, "augment_like_keras", broken)
    explorer.sliders["rotation"].value = 0.3
    assert "boom" in explorer.message and "boom" in explorer.ui.children[-1].value
    assert explorer.sliders["rotation"].value == explorer.state()["rotation"]  # the control went back
    monkeypatch.undo()
    explorer.sliders["rotation"].value = 0.2
    assert explorer.message == "" and explorer.ui.children[-1].value == ""


def test_a_large_photo_is_thinned_with_a_note():
    photo = np.random.default_rng(0).random((1000, 1000, 3))
    explorer = AugmentationExplorer(images={"photo": photo})
    assert explorer.copies.shape[1:3] == (125, 125)
    assert "every 8th pixel" in explorer.status.value


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="image"):
        AugmentationExplorer(image="nope")
    with pytest.raises(ValueError, match="images"):
        AugmentationExplorer(images={"x": np.zeros((4, 4, 2))})
    with pytest.raises(TypeError, match="images"):
        AugmentationExplorer(images=[])


def test_fallback_and_benchmark_actions(explorer):
    page = explorer.standin_html()
    assert 'class="cnnbook-animation"' in page and 'data-frames="8"' in page
    pictures = set()
    for action in explorer.benchmark_actions():
        action()
        pictures.add(explorer.picture.value)
        assert explorer.message == ""
    assert len(pictures) == len(explorer.benchmark_actions())
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "text/html" in bundle
