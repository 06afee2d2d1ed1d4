"""cnnbook.widgets.nearest_neighbours: driven without a browser by setting control values."""

import io
import re

import numpy as np
import pytest
from PIL import Image
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

from cnnbook.data import load_mnist_sample
from cnnbook.features import daisy_features
from cnnbook.widgets.nearest_neighbours import NearestNeighbourExplorer, _neighbour_strip

N_TRAIN, N_TEST = 300, 60


@pytest.fixture(scope="module")
def sample():
    (x_train, y_train), (x_test, y_test) = load_mnist_sample()
    x_train, y_train, x_test, y_test = x_train[:N_TRAIN], y_train[:N_TRAIN], x_test[:N_TEST], y_test[:N_TEST]
    spaces = {
        "raw pixels": (x_train.reshape(N_TRAIN, -1) / 255.0, x_test.reshape(N_TEST, -1) / 255.0),
        "DAISY": (daisy_features(x_train).reshape(N_TRAIN, -1), daisy_features(x_test).reshape(N_TEST, -1)),
    }
    return x_train, y_train, x_test, y_test, spaces


@pytest.fixture
def explorer(sample):
    x_train, y_train, x_test, y_test, spaces = sample
    return NearestNeighbourExplorer(x_train, y_train, x_test, y_test, spaces, k=4, max_k=8)


def png_size(data):
    return Image.open(io.BytesIO(data)).size


def test_neighbours_match_scikit_learn(explorer, sample):
    _, _, _, _, spaces = sample
    for name, (train_features, test_features) in spaces.items():
        distances, indices = NearestNeighbors(n_neighbors=8).fit(train_features).kneighbors(test_features)
        np.testing.assert_array_equal(explorer.neighbours[name][0], indices)
        np.testing.assert_allclose(explorer.neighbours[name][1], distances, atol=1e-9)


def test_first_view_shows_test_digit_0_and_its_neighbours(explorer, sample):
    _, y_train, _, y_test, _ = sample
    assert explorer.index == 0
    assert f"test digit #0</b><br>label {y_test[0]}" in explorer.query_caption.value
    chosen, distances, labels = explorer.shown_neighbours("DAISY")
    assert len(chosen) == 4
    np.testing.assert_array_equal(labels, y_train[chosen])
    caption = explorer.row_captions["DAISY"].value
    listed = re.findall(r"(\d) \((\d+\.\d\d)\)", caption)
    assert [int(label) for label, _ in listed] == labels.tolist()
    assert [float(dist) for _, dist in listed] == pytest.approx(distances, abs=0.006)
    # 4 framed 28x28 digits, enlarged 3 times
    assert png_size(explorer.row_images["DAISY"].value) == (4 * 32 * 3, 32 * 3)


def test_slider_moves_to_another_test_digit(explorer, sample):
    _, _, _, y_test, _ = sample
    explorer.position_slider.value = 17
    assert explorer.index == 17
    assert f"test digit #17</b><br>label {y_test[17]}" in explorer.query_caption.value
    np.testing.assert_array_equal(
        explorer.shown_neighbours("raw pixels")[0], explorer.neighbours["raw pixels"][0][17, :4]
    )


def test_k_slider_changes_how_many_neighbours_are_shown(explorer):
    explorer.k_slider.value = 7
    assert len(explorer.shown_neighbours("raw pixels")[0]) == 7
    assert "vote of 7" in explorer.row_captions["raw pixels"].value
    assert png_size(explorer.row_images["raw pixels"].value)[0] == 7 * 32 * 3


def test_vote_is_the_majority_label_and_matches_a_knn_classifier(explorer, sample):
    x_train, y_train, x_test, y_test, spaces = sample
    explorer.k_slider.value = 1
    classifier = KNeighborsClassifier(n_neighbors=1).fit(spaces["DAISY"][0], y_train)
    predicted = classifier.predict(spaces["DAISY"][1])
    for index in range(0, N_TEST, 7):
        explorer.position_slider.value = index
        assert explorer.vote("DAISY") == predicted[index]
        verdict = "right" if predicted[index] == y_test[index] else "wrong"
        assert f"vote of 1 = {predicted[index]} ({verdict})" in explorer.row_captions["DAISY"].value


def test_vote_breaks_ties_towards_the_nearer_neighbour(explorer):
    explorer.k_slider.value = 2
    _, _, labels = explorer.shown_neighbours("raw pixels")
    assert explorer.vote("raw pixels") == labels[0]


def test_wrong_neighbour_filter_lists_exactly_the_misclassified_digits(explorer, sample):
    _, y_train, _, y_test, _ = sample
    option = "raw pixels: nearest neighbour has another label"
    explorer.subset_dropdown.value = option
    wrong = np.flatnonzero(y_train[explorer.neighbours["raw pixels"][0][:, 0]] != y_test)
    assert len(wrong) > 0
    assert explorer.position_slider.max == len(wrong) - 1
    assert f"{len(wrong)} test digits" in explorer.message.value
    shown = []
    for position in range(len(wrong)):
        explorer.position_slider.value = position
        shown.append(explorer.index)
        nearest_label = explorer.shown_neighbours("raw pixels")[2][0]
        assert nearest_label != y_test[explorer.index]
    assert shown == wrong.tolist()


def test_switching_filter_keeps_the_digit_when_it_belongs_to_the_new_group(explorer):
    option = "DAISY: nearest neighbour has another label"
    members = explorer._subsets[option]
    explorer.position_slider.value = int(members[-1])
    explorer.subset_dropdown.value = option
    assert explorer.index == members[-1]
    assert explorer.position_slider.value == len(members) - 1


def test_typing_a_number_jumps_to_that_digit(explorer):
    explorer.subset_dropdown.value = "DAISY: nearest neighbour has another label"
    explorer.jump_box.value = " 42 "
    assert explorer.index == 42
    assert explorer.subset_dropdown.value == "all test digits"
    assert explorer.position_slider.value == 42
    assert explorer.position_slider.max == N_TEST - 1
    assert "test digit #42" in explorer.query_caption.value
    assert explorer.message.value == ""
    assert explorer.jump_box.value == ""  # cleared, so the same number can be typed again
    explorer.position_slider.value = 3
    explorer.jump_box.value = "42"
    assert explorer.index == 42


@pytest.mark.parametrize("typed", ["abc", "-3", "60", "1.5", "4 2"])
def test_bad_typed_numbers_show_a_message_and_change_nothing(explorer, typed):
    explorer.position_slider.value = 5
    before = explorer.query_caption.value
    explorer.jump_box.value = typed
    assert "type a whole number from 0 to 59" in explorer.error
    assert explorer.index == 5
    assert explorer.query_caption.value == before


def test_an_empty_group_shows_a_message(sample):
    x_train, y_train, x_test, y_test, _ = sample
    one_hot = {"labels": (np.eye(10)[y_train], np.eye(10)[y_test])}  # nearest neighbour always right
    explorer = NearestNeighbourExplorer(x_train, y_train, x_test, y_test, one_hot)
    explorer.position_slider.value = 3
    explorer.subset_dropdown.value = "labels: nearest neighbour has another label"
    assert "no test digit in the group" in explorer.error
    assert explorer.subset_dropdown.value == "all test digits"
    assert explorer.index == 3


def test_errors_inside_callbacks_become_messages(explorer, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(explorer, "_render", broken)
    explorer.k_slider.value = 2
    assert "boom" in explorer.error


def test_benchmark_actions_run_without_errors(explorer):
    actions = explorer.benchmark_actions()
    assert len(actions) == 4
    for action in actions * 3:
        action()
        assert explorer.error == ""


def test_fallback_is_a_cached_animation_of_several_digits(explorer):
    page = explorer.standin_html()
    assert 'class="cnnbook-animation"' in page
    frames = int(re.search(r'data-frames="(\d+)"', page).group(1))
    assert 4 <= frames <= 6
    assert page.count("data:image/png;base64,") == frames
    assert explorer.standin_html() is page


def test_float_images_are_shown_like_uint8(sample):
    x_train, y_train, x_test, y_test, spaces = sample
    as_uint8 = NearestNeighbourExplorer(x_train, y_train, x_test, y_test, spaces)
    as_float = NearestNeighbourExplorer(x_train / 255.0, y_train, x_test / 255.0, y_test, spaces)
    assert as_uint8.row_images["DAISY"].value == as_float.row_images["DAISY"].value


@pytest.mark.parametrize(
    "change, error, words",
    [
        (dict(spaces={}), ValueError, "1 to 4 feature spaces"),
        (dict(spaces=[1, 2]), TypeError, "spaces must be a dict"),
        (dict(spaces={"a": np.zeros((3, 3))}), TypeError, "must be a pair"),
        (dict(spaces={"a": (np.zeros((300, 4)), np.zeros((59, 4)))}), ValueError, "one row per training digit"),
        (dict(k=9), ValueError, "k must be between 1 and max_k=8"),
        (dict(max_k=301), ValueError, "max_k must be between 1 and the number of training digits"),
        (dict(k=2.0), TypeError, "k must be an int"),
        (dict(test_labels=np.zeros(59, dtype=int)), ValueError, "test_labels must be 1-D non-negative integer"),
        (dict(train_labels=np.full(300, -1)), ValueError, "train_labels must be 1-D non-negative integer"),
        (dict(test_images=np.zeros((60, 20, 20))), ValueError, "same size"),
        (dict(train_images=np.zeros((300, 28))), ValueError, "train_images must have shape"),
    ],
)
def test_bad_arguments_raise_clear_errors(sample, change, error, words):
    x_train, y_train, x_test, y_test, spaces = sample
    arguments = dict(
        train_images=x_train, train_labels=y_train, test_images=x_test, test_labels=y_test, spaces=spaces, k=4, max_k=8
    )
    arguments.update(change)
    with pytest.raises(error, match=words):
        NearestNeighbourExplorer(**arguments)


def test_neighbour_strip_frames_each_digit():
    digits = np.full((2, 5, 5), 100, dtype=np.uint8)
    strip = _neighbour_strip(digits, [[0, 114, 178], [230, 159, 0]])
    assert strip.shape == (9, 18, 3)
    assert strip[0, 0].tolist() == [0, 114, 178] and strip[0, 9].tolist() == [230, 159, 0]
    assert strip[4, 4].tolist() == [100, 100, 100]
    with pytest.raises(ValueError, match="colours must have shape"):
        _neighbour_strip(digits, [[0, 0, 0]])


def test_example_uses_the_bundled_sample():
    explorer = NearestNeighbourExplorer.example()
    assert explorer.space_names == ["raw pixels", "DAISY"]
    assert explorer.neighbours["DAISY"][0].shape == (1000, 10)
