"""cnnbook.viz: grids, curves, confusion matrices."""

import numpy as np

from cnnbook import viz


def test_show_images_grid_and_titles():
    images = np.random.default_rng(0).random((7, 5, 5))
    fig = viz.show_images(images, titles=list("abcdefg"), ncols=3, title="grid")
    shown = [ax for ax in fig.axes if ax.images]
    assert len(fig.axes) == 9 and len(shown) == 7
    assert [ax.get_title() for ax in shown] == list("abcdefg")
    assert fig._suptitle.get_text() == "grid"


def test_plot_history_draws_training_and_validation():
    logs = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8]}
    fig = viz.plot_history(logs)
    assert len(fig.axes) == 2
    assert len(fig.axes[0].lines) == 2 and len(fig.axes[1].lines) == 1


def test_confusion_matrix_counts_in_cells():
    fig = viz.plot_confusion_matrix([0, 0, 1, 2], [0, 1, 1, 2])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["1", "1", "0", "0", "1", "0", "0", "0", "1"]
