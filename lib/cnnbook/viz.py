"""Plotting helpers shared by the chapters: image grids, training curves and
confusion matrices. (The widgets' PNG encoding and animated stand-ins live in
``cnnbook.widgets._media``.)"""

import numpy as np

from . import _checks

__all__ = [
    "show_images",
    "plot_history",
    "plot_confusion_matrix",
]


def _as_image_stack(images):
    if isinstance(images, np.ndarray):
        images = list(_checks.array(images, "images", (3, 4), "(N, H, W) or (N, H, W, C)", finite=False))
    images = list(images)
    if not images:
        raise ValueError("images must contain at least one image; got an empty sequence")
    stack = []
    for index, image in enumerate(images):
        name = f"images[{index}]"
        image = _checks.array(image, name, (2, 3), "(H, W) or (H, W, C)", finite=False)
        _checks.channels_last(image, name)
        stack.append(image[..., 0] if image.ndim == 3 and image.shape[-1] == 1 else image)
    return stack


def show_images(images, titles=None, ncols=10, cmap="gray", title=None, scale=1.0, vmin=None, vmax=None):
    """Show images in a grid (chapters 2, 3, 6, 7, 10).

    Parameters
    ----------
    images : sequence of arrays or array (N, H, W[, C])
    titles : sequence of str, optional
        One short title per image.
    ncols : int
        Images per row.
    cmap : str
        Colour map for grey images.
    title : str, optional
        Title of the whole figure.
    scale : float
        Size of one cell in inches.
    vmin, vmax : float, optional
        Shared colour limits for grey images (default: each image its own).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    images = _as_image_stack(images)
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"titles must have one entry per image ({len(images)}); got {len(titles)}")
    ncols = min(_checks.integer(ncols, "ncols", minimum=1), len(images))
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(scale * 1.2 * ncols, scale * 1.3 * nrows + (0.4 if title else 0)), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for index, image in enumerate(images):
        ax = axes.flat[index]
        ax.imshow(image, cmap=cmap if image.ndim == 2 else None, vmin=vmin, vmax=vmax)
        if titles is not None:
            ax.set_title(str(titles[index]), fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_history(history, title=None, metrics=("loss", "accuracy")):
    """Training curves from a Keras ``History`` (or its ``.history`` dict).

    One panel per metric, training and validation curves together (chapter 6).
    """
    import matplotlib.pyplot as plt

    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise TypeError("history must be a keras History or a non-empty dict of metric lists")
    metrics = [m for m in metrics if m in logs]
    if not metrics:
        raise ValueError(f"history has none of the metrics asked for; it has {sorted(logs)}")
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes.flat, metrics):
        epochs = np.arange(1, len(logs[metric]) + 1)
        ax.plot(epochs, logs[metric], marker="o", label="training")
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], marker="o", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_title(metric)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_confusion_matrix(y_true, y_pred, labels=None, title=None):
    """A confusion matrix with counts written in the cells (chapter 6).

    Rows are true classes, columns predicted classes.
    """
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    y_true = _checks.array(y_true, "y_true", 1, "(N,) class labels", kinds="biu")
    y_pred = _checks.array(y_pred, "y_pred", 1, "(N,) class labels", kinds="biu")
    _checks.same_shape(y_pred, y_true.shape, "y_pred", "y_true")
    if labels is None:
        labels = np.union1d(y_true, y_pred)
    matrix = confusion_matrix(y_true, y_pred, labels=labels)
    fig, ax = plt.subplots(figsize=(0.5 * len(labels) + 2, 0.5 * len(labels) + 1.5))
    ax.imshow(matrix, cmap="Blues")
    threshold = matrix.max() / 2
    for (row, col), count in np.ndenumerate(matrix):
        ax.text(
            col, row, str(count), ha="center", va="center", fontsize=8, color="white" if count > threshold else "black"
        )
    ax.set_xticks(range(len(labels)), [str(label) for label in labels])
    ax.set_yticks(range(len(labels)), [str(label) for label in labels])
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title or "Confusion matrix")
    fig.tight_layout()
    return fig
