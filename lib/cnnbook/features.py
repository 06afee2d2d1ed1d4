"""Hand-made image features: DAISY descriptors, hand-made filters, neighbours.

Chapter 2 ("Before CNNs") compares these features, computed by rules that
people designed, with the features a small CNN learns from the same digits:

- :func:`daisy_layout` where DAISY samples its histograms, and how long the
  descriptor is;
- :func:`orientation_maps` and :func:`daisy_features`: DAISY (Tola et al.)
  for a whole stack of images at once, equal to ``skimage.feature.daisy``
  applied to each image;
- :func:`plot_daisy_layout` the rings of one descriptor drawn over an image;
- :func:`compass_kernels`, :func:`gabor_kernel` and
  :func:`filter_similarity`: classic hand-made filters, and how close a
  learned filter is to them;
- :func:`nearest_neighbours` brute-force Euclidean neighbours;
- :func:`layer_features` the activations of one Keras layer, used as features.
"""

import math
from typing import NamedTuple

import numpy as np

from . import _checks

__all__ = [
    "DaisyLayout",
    "daisy_layout",
    "orientation_maps",
    "daisy_features",
    "plot_daisy_layout",
    "compass_kernels",
    "gabor_kernel",
    "filter_similarity",
    "nearest_neighbours",
    "layer_features",
]

_NORMALIZATIONS = ("l1", "l2", "daisy", "off")


def _image_stack(images, name="images"):
    """Grey images as a float64 stack (N, H, W) in [0, 1] and whether a single image was given.

    The book's one image convention (:func:`cnnbook._checks.float_image`):
    integers (any integer dtype) are 0-255, floats 0-1, bools 0 and 1.
    """
    stack = _checks.float_image(
        images, name, ndim=(2, 3), layout="one grey image (H, W) or a stack (N, H, W)", channels=False
    )
    single = stack.ndim == 2
    return (stack[np.newaxis] if single else stack), single


class DaisyLayout(NamedTuple):
    """Where one DAISY configuration samples an image (see :func:`daisy_layout`)."""

    rows: np.ndarray
    """Row of every descriptor centre (a grid, ``step`` apart)."""
    cols: np.ndarray
    """Column of every descriptor centre."""
    ring_radii: tuple
    """Radius of each ring, inner to outer (pixels)."""
    sigmas: tuple
    """Gaussian blur of the centre histogram, then of each ring."""
    offsets: tuple
    """Integer (row, col) offset of every ring histogram from the centre, ring by ring."""
    histogram_length: int
    """Numbers in one histogram: ``orientations``."""
    descriptor_length: int
    """Numbers in one descriptor: ``(rings * histograms + 1) * orientations``."""
    feature_length: int
    """Numbers for the whole image: descriptors in the grid times ``descriptor_length``."""


def daisy_layout(image_shape=(28, 28), step=5, radius=6, rings=2, histograms=6, orientations=8):
    """The sampling geometry of DAISY and the length of the descriptor.

    Follows ``skimage.feature.daisy``: descriptor centres every ``step``
    pixels, starting ``radius`` pixels in from the top-left corner; ``rings``
    rings at radii ``radius * i / rings``; ``histograms`` histograms evenly
    spaced on every ring; the centre and the first ring blurred with
    ``sigma = radius / (2 * rings)``, ring ``i`` with ``radius * i / (2 * rings)``.
    Chapter 2 explains the choice of the defaults (small, for 28x28 digits).

    Parameters
    ----------
    image_shape : (int, int)
        Rows and columns of the image.
    step, radius, rings, histograms, orientations : int
        As in ``skimage.feature.daisy``; all >= 1.

    Returns
    -------
    DaisyLayout
        Centres, ring radii, blur widths, ring offsets and lengths.

    Raises
    ------
    TypeError
        If a parameter is not an int.
    ValueError
        If a parameter is < 1 or the image is too small to hold one
        descriptor (it needs more than ``2 * radius`` rows and columns).

    Examples
    --------
    >>> layout = daisy_layout((28, 28), step=5, radius=6, rings=2, histograms=6, orientations=8)
    >>> layout.rows.tolist(), layout.ring_radii, layout.sigmas
    ([6, 11, 16, 21], (3.0, 6.0), (1.5, 1.5, 3.0))
    >>> layout.descriptor_length, layout.feature_length
    (104, 1664)
    """
    height, width = _checks.shape(image_shape, "image_shape", 2, "(rows, cols)")
    step = _checks.integer(step, "step", minimum=1)
    radius = _checks.integer(radius, "radius", minimum=1)
    rings = _checks.integer(rings, "rings", minimum=1)
    histograms = _checks.integer(histograms, "histograms", minimum=1)
    orientations = _checks.integer(orientations, "orientations", minimum=1)
    if min(height, width) <= 2 * radius:
        raise ValueError(
            f"radius={radius} is too large for a {height}x{width} image: a descriptor needs "
            f"radius pixels on every side, so the image must be larger than 2 * radius = "
            f"{2 * radius} in both directions; use radius <= {(min(height, width) - 1) // 2}"
        )
    ring_radii = tuple(radius * (i + 1) / rings for i in range(rings))
    ring_sigmas = [radius * (i + 1) / (2 * rings) for i in range(rings)]
    sigmas = tuple([ring_sigmas[0]] + ring_sigmas)
    offsets = tuple(
        tuple(
            (
                int(round(ring_radius * math.sin(2 * math.pi * j / histograms))),
                int(round(ring_radius * math.cos(2 * math.pi * j / histograms))),
            )
            for j in range(histograms)
        )
        for ring_radius in ring_radii
    )
    rows = np.arange(radius, height - radius, step)
    cols = np.arange(radius, width - radius, step)
    descriptor_length = (rings * histograms + 1) * orientations
    return DaisyLayout(
        rows,
        cols,
        ring_radii,
        sigmas,
        offsets,
        orientations,
        descriptor_length,
        len(rows) * len(cols) * descriptor_length,
    )


def orientation_maps(images, orientations=8):
    """DAISY's first step: one gradient map per orientation, for a stack of images.

    The gradient is the forward difference along rows and columns (as in
    ``skimage.feature.daisy``). Every pixel adds its gradient magnitude to
    each orientation ``o``, weighted by ``exp(kappa * cos(theta - o))`` with
    ``kappa = orientations / pi``: a soft vote, largest for the orientation
    nearest to the gradient direction ``theta`` (chapter 2). The orientations
    are ``2 * pi * i / orientations - pi``, measured from the column axis
    towards increasing rows (down the image).

    Parameters
    ----------
    images : array_like, shape (H, W) or (N, H, W)
        Grey images by the book's one convention: integers of any dtype
        (uint8, int64, ...) hold 0-255, floats 0-1, bools 0 and 1. A float
        image above 1 is refused (divide it by 255).
    orientations : int
        Number of orientation bins, >= 1.

    Returns
    -------
    numpy.ndarray of float64, shape (N, orientations, H, W)
        (``(orientations, H, W)`` for a single image.)

    Raises
    ------
    TypeError
        If ``images`` is not real numeric or ``orientations`` not an int.
    ValueError
        If ``images`` is not 2-D or 3-D or ``orientations`` < 1.

    Examples
    --------
    A ramp that brightens to the right votes mostly for orientation 0
    (pointing along the columns), which is bin 4 of 8:

    >>> ramp = np.tile(np.linspace(0, 1, 6), (6, 1))
    >>> int(orientation_maps(ramp, orientations=8)[:, 2, 2].argmax())
    4
    """
    stack, single = _image_stack(images)
    maps = _orientation_maps(stack, _checks.integer(orientations, "orientations", minimum=1))
    return maps[0] if single else maps


def _orientation_maps(stack, orientations):
    dx = np.zeros_like(stack)
    dy = np.zeros_like(stack)
    dx[:, :, :-1] = np.diff(stack, axis=2)
    dy[:, :-1, :] = np.diff(stack, axis=1)
    magnitude = np.sqrt(dx * dx + dy * dy)
    # cos(theta - o) = cos(theta) cos(o) + sin(theta) sin(o), with cos(theta) = dx / |g|:
    # no arctan2 and no cos over the whole stack. Where |g| = 0 the vote is 0 anyway.
    safe = np.where(magnitude > 0, magnitude, 1.0)
    kappa = orientations / math.pi
    unit_x = kappa * dx / safe
    unit_y = kappa * dy / safe
    maps = np.empty((stack.shape[0], orientations) + stack.shape[1:])
    for index in range(orientations):
        angle = 2 * math.pi * index / orientations - math.pi
        np.exp(unit_x * math.cos(angle) + unit_y * math.sin(angle), out=maps[:, index])
        maps[:, index] *= magnitude
    return maps


def daisy_features(images, step=5, radius=6, rings=2, histograms=6, orientations=8, normalization="l1", chunk=1000):
    """DAISY descriptors of a whole stack of images at once (Tola et al.).

    Gives the same numbers as calling ``skimage.feature.daisy(image, step,
    radius, rings, histograms, orientations, normalization)`` on every image
    (to rounding), several times faster for many small images because every
    step runs on the whole stack: :func:`orientation_maps`, one Gaussian blur
    per ring (``scipy.ndimage.gaussian_filter`` on the image axes only), then
    fancy indexing picks the histograms at the centres and on the rings.
    Chapter 2 explains each step and the defaults, chosen for 28x28 digits.

    Parameters
    ----------
    images : array_like, shape (H, W) or (N, H, W)
        Grey images, as :func:`orientation_maps` takes them.
    step : int
        Distance between descriptor centres, >= 1.
    radius : int
        Radius of the outermost ring, >= 1; the image must be larger than
        ``2 * radius`` both ways.
    rings : int
        Number of rings, >= 1.
    histograms : int
        Histograms on each ring, >= 1.
    orientations : int
        Bins of each histogram, >= 1.
    normalization : {"l1", "l2", "daisy", "off"}
        ``"l1"``/``"l2"``: each descriptor scaled to unit L1/L2 norm;
        ``"daisy"``: each histogram to unit L2 norm; ``"off"``: none.
    chunk : int
        Images processed together (bounds the memory: about
        ``chunk * orientations * H * W * 16`` bytes).

    Returns
    -------
    numpy.ndarray of float64, shape (N, P, Q, R)
        ``P x Q`` descriptor centres (:func:`daisy_layout`), each a descriptor
        of ``R = (rings * histograms + 1) * orientations`` numbers. A single
        image gives ``(P, Q, R)``, like ``skimage.feature.daisy``.

    Raises
    ------
    TypeError
        If ``images`` is not real numeric or a parameter is not an int.
    ValueError
        If ``images`` is not 2-D or 3-D, a parameter is < 1, ``radius`` is too
        large for the images, or ``normalization`` is not one of the four words.

    Examples
    --------
    >>> digits = np.zeros((2, 28, 28), dtype=np.uint8)
    >>> digits[:, 8:20, 12:16] = 255
    >>> daisy_features(digits).shape
    (2, 4, 4, 104)
    """
    from scipy import ndimage

    stack, single = _image_stack(images)
    normalization = _checks.choice(normalization, "normalization", _NORMALIZATIONS)
    chunk = _checks.integer(chunk, "chunk", minimum=1)
    layout = daisy_layout(stack.shape[1:], step, radius, rings, histograms, orientations)
    rows = layout.rows[:, np.newaxis]
    cols = layout.cols[np.newaxis, :]
    results = []
    for start in range(0, stack.shape[0], chunk):
        maps = _orientation_maps(stack[start : start + chunk], layout.histogram_length)
        parts = []
        for ring, sigma in enumerate(layout.sigmas):
            blurred = ndimage.gaussian_filter(maps, sigma=(0, 0, sigma, sigma), mode="reflect")
            offsets = ((0, 0),) if ring == 0 else layout.offsets[ring - 1]
            for d_row, d_col in offsets:
                parts.append(blurred[:, :, rows + d_row, cols + d_col])
        # (n, R, P, Q) -> (n, P, Q, R): one descriptor per grid point.
        descriptors = np.concatenate(parts, axis=1).transpose(0, 2, 3, 1)
        results.append(_normalize(descriptors, normalization, layout.histogram_length))
    features = np.concatenate(results)
    return features[0] if single else features


def _normalize(descriptors, normalization, orientations):
    if normalization == "off":
        return np.ascontiguousarray(descriptors)
    descriptors = descriptors + 1e-10  # as skimage: an empty histogram becomes flat, not 0/0
    if normalization == "l1":
        descriptors /= descriptors.sum(axis=-1, keepdims=True)
    elif normalization == "l2":
        descriptors /= np.sqrt((descriptors**2).sum(axis=-1, keepdims=True))
    else:
        shape = descriptors.shape
        per_histogram = descriptors.reshape(shape[:-1] + (-1, orientations))
        per_histogram /= np.sqrt((per_histogram**2).sum(axis=-1, keepdims=True))
        descriptors = per_histogram.reshape(shape)
    return descriptors


def plot_daisy_layout(image, step=5, radius=6, rings=2, histograms=6, orientations=8, centre=None, title=None, ax=None):
    """Draw the descriptor grid and one descriptor's rings over an image.

    Every descriptor centre is a dot; for the chosen centre, each histogram
    position is drawn as a circle whose radius is its Gaussian blur width
    ``sigma`` (centre histogram in red, rings from orange outwards), as in
    chapter 2's explanation of DAISY.

    Parameters
    ----------
    image : array_like, shape (H, W)
        A grey image.
    step, radius, rings, histograms, orientations : int
        As in :func:`daisy_features`.
    centre : (int, int), optional
        Grid position ``(i, j)`` of the descriptor to draw (default: the
        middle of the grid).
    title : str, optional
    ax : matplotlib Axes, optional
        Draw into it instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``image`` is not 2-D, the parameters do not fit it (see
        :func:`daisy_layout`) or ``centre`` is outside the grid.

    Examples
    --------
    >>> fig = plot_daisy_layout(np.zeros((28, 28)))  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle

    image = _checks.array(image, "image", 2, "a grey image (H, W)", finite=False)
    layout = daisy_layout(image.shape, step, radius, rings, histograms, orientations)
    if centre is None:
        centre = (len(layout.rows) // 2, len(layout.cols) // 2)
    row, col = _checks.pair(centre, "centre", minimum=0)
    if row >= len(layout.rows) or col >= len(layout.cols):
        raise ValueError(
            f"centre must be a grid position (i, j) with 0 <= i < {len(layout.rows)} "
            f"and 0 <= j < {len(layout.cols)}; got {centre!r}"
        )
    if ax is None:
        fig, ax = plt.subplots(figsize=(4, 4))
    else:
        fig = ax.figure
    ax.imshow(image, cmap="gray")
    grid_rows, grid_cols = np.meshgrid(layout.rows, layout.cols, indexing="ij")
    ax.plot(grid_cols.ravel(), grid_rows.ravel(), "o", color="tab:cyan", markersize=3, label="descriptor centres")
    row, col = layout.rows[centre[0]], layout.cols[centre[1]]
    ax.add_patch(Circle((col, row), layout.sigmas[0], fill=False, color="red", linewidth=1.5))
    colours = plt.get_cmap("autumn")(np.linspace(0.45, 0.9, rings))
    for ring, offsets in enumerate(layout.offsets):
        for d_row, d_col in offsets:
            ax.add_patch(
                Circle(
                    (col + d_col, row + d_row), layout.sigmas[ring + 1], fill=False, color=colours[ring], linewidth=1.2
                )
            )
            ax.plot(col + d_col, row + d_row, ".", color=colours[ring], markersize=4)
    ax.set_xlabel("column (pixels)")
    ax.set_ylabel("row (pixels)")
    ax.set_title(title or f"DAISY: step {step}, radius {radius}, {rings} rings x {histograms} histograms")
    ax.legend(loc="lower right", fontsize=7)
    return fig


def compass_kernels():
    """Eight Sobel edge kernels, one for every 45 degrees (a "compass").

    The 0-degree kernel is Sobel x, ``[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]``:
    it responds most where brightness grows to the right. Each next kernel
    turns its outer ring of weights one place, i.e. 45 degrees
    counter-clockwise as seen on the screen (90 degrees: brightness growing
    upwards). Hand-made filters for chapter 2's comparison with learned ones.

    Returns
    -------
    names : list of str
        ``"0°"``, ``"45°"``, ... ``"315°"``.
    kernels : numpy.ndarray of float64, shape (8, 3, 3)

    Examples
    --------
    >>> names, kernels = compass_kernels()
    >>> names[2]
    '90°'
    >>> kernels[2].astype(int).tolist()
    [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]
    """
    # Outer ring clockwise from the top-left corner, for the 0-degree (Sobel x) kernel.
    ring_positions = [(0, 0), (0, 1), (0, 2), (1, 2), (2, 2), (2, 1), (2, 0), (1, 0)]
    ring_values = np.array([-1, 0, 1, 2, 1, 0, -1, -2], dtype=np.float64)
    kernels = np.zeros((8, 3, 3))
    for index in range(8):
        for (row, col), value in zip(ring_positions, np.roll(ring_values, -index)):
            kernels[index, row, col] = value
    return [f"{45 * index}°" for index in range(8)], kernels


def gabor_kernel(size=7, theta=0.0, wavelength=4.0, sigma=2.0, phase=0.0):
    """A real Gabor filter: a cosine wave under a round Gaussian window.

    ``g(x, y) = exp(-(x**2 + y**2) / (2 sigma**2)) * cos(2 pi u / wavelength + phase)``
    with ``u = x cos(theta) - y sin(theta)``, ``x`` the column offset and
    ``y`` the row offset from the centre (rows grow downwards, so ``theta``
    turns counter-clockwise on the screen). The mean is subtracted so that a
    flat patch gives 0. Gabor filters model simple cells of the visual cortex
    and were a standard hand-made filter bank before CNNs (chapter 2).

    Parameters
    ----------
    size : int
        Odd kernel width and height, >= 1.
    theta : float
        Direction across the stripes, radians (0: the wave runs along the
        columns, so the stripes are vertical).
    wavelength : float
        Period of the wave in pixels, > 0.
    sigma : float
        Width of the Gaussian window in pixels, > 0.
    phase : float
        Phase of the wave in radians (0: even, a bright centre stripe;
        ``pi / 2``: odd, an edge detector).

    Returns
    -------
    numpy.ndarray of float64, shape (size, size)

    Raises
    ------
    TypeError
        If ``size`` is not an int or another parameter is not a real number.
    ValueError
        If ``size`` is not odd and positive, or ``wavelength``/``sigma`` <= 0.

    Examples
    --------
    >>> kernel = gabor_kernel(size=5, theta=0.0, wavelength=4.0, sigma=1.5)
    >>> kernel.shape, bool(abs(kernel.sum()) < 1e-12)
    ((5, 5), True)
    >>> bool(np.allclose(kernel, kernel[:, ::-1]))  # even phase: mirror symmetric
    True
    """
    size = _checks.integer(size, "size", minimum=1)
    if size % 2 == 0:
        raise ValueError(f"size must be an odd int >= 1 (the kernel needs a centre pixel); got {size}")
    theta = _checks.number(theta, "theta")
    phase = _checks.number(phase, "phase")
    wavelength = _checks.number(wavelength, "wavelength", positive=True)
    sigma = _checks.number(sigma, "sigma", positive=True)
    half = size // 2
    y, x = np.mgrid[-half : half + 1, -half : half + 1].astype(np.float64)
    along = x * math.cos(theta) - y * math.sin(theta)
    kernel = np.exp(-(x**2 + y**2) / (2 * sigma**2)) * np.cos(2 * math.pi * along / wavelength + phase)
    return kernel - kernel.mean()


def filter_similarity(filters, bank):
    """Cosine similarity of every filter with every kernel of a bank.

    ``1`` means the same pattern up to a positive scale, ``-1`` the same
    pattern inverted, ``0`` nothing in common. Chapter 2 uses it to ask which
    hand-made edge kernel each learned first-layer filter resembles.

    Parameters
    ----------
    filters : array_like, shape (n, kh, kw) or (kh, kw, 1, n)
        The filters; the second form is a Keras ``Conv2D`` kernel on a
        one-channel input.
    bank : array_like, shape (m, kh, kw)
        The hand-made kernels.

    Returns
    -------
    numpy.ndarray of float64, shape (n, m)

    Raises
    ------
    ValueError
        If the shapes do not fit together or a filter is all zeros.

    Examples
    --------
    >>> names, compass = compass_kernels()
    >>> np.round(filter_similarity(-compass[:1], compass)[0], 2).tolist()
    [-1.0, -0.67, 0.0, 0.67, 1.0, 0.67, 0.0, -0.67]
    """
    filters = _checks.array(
        filters, "filters", (3, 4), "(n, kh, kw) or a Keras kernel (kh, kw, 1, n)", dtype=np.float64
    )
    bank = _checks.array(bank, "bank", 3, "(m, kh, kw)", dtype=np.float64)
    if filters.ndim == 4:
        _checks.kernel_layout(filters.shape, 1, "filters")
        if filters.shape[2] != 1:
            raise ValueError(f"a Keras kernel (kh, kw, c_in, n) must have c_in == 1, got shape {filters.shape}")
        filters = np.moveaxis(filters[:, :, 0, :], -1, 0)
    if filters.shape[1:] != bank.shape[1:]:
        raise ValueError(
            "filters must be (n, kh, kw) or (kh, kw, 1, n) and bank (m, kh, kw) with the same kh, kw; "
            f"got shapes {filters.shape} and {bank.shape}"
        )
    flat_filters = filters.reshape(len(filters), -1)
    flat_bank = bank.reshape(len(bank), -1)
    filter_norms = np.linalg.norm(flat_filters, axis=1)
    bank_norms = np.linalg.norm(flat_bank, axis=1)
    if not filter_norms.all() or not bank_norms.all():
        raise ValueError("every filter and every bank kernel must have a non-zero weight")
    return (flat_filters @ flat_bank.T) / np.outer(filter_norms, bank_norms)


def nearest_neighbours(reference, queries, k=5, chunk=500):
    """The ``k`` nearest reference rows of every query row (Euclidean distance).

    Brute force: ``|q - r|^2 = |q|^2 + |r|^2 - 2 q.r`` as one matrix product
    per chunk of queries. Equal distances among the returned neighbours are
    ordered by reference index, so the result is deterministic. Chapter 2 compares neighbours under raw
    pixel, DAISY and CNN-feature distances.

    Parameters
    ----------
    reference : array_like, shape (n, d)
        The stored examples (e.g. training features).
    queries : array_like, shape (q, d)
        The examples to look up (e.g. test features).
    k : int
        Neighbours per query, ``1 <= k <= n``.
    chunk : int
        Queries handled together (memory ``chunk * n`` floats).

    Returns
    -------
    indices : numpy.ndarray of int64, shape (q, k)
        Reference rows, nearest first.
    distances : numpy.ndarray of float64, shape (q, k)

    Raises
    ------
    TypeError
        If the arrays are not real numeric or ``k``/``chunk`` not ints.
    ValueError
        If the arrays are not 2-D with the same number of columns, or ``k``
        is out of range.

    Examples
    --------
    >>> reference = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]])
    >>> indices, distances = nearest_neighbours(reference, np.array([[0.9, 0.1]]), k=2)
    >>> indices.tolist(), np.round(distances, 3).tolist()
    ([[1, 0]], [[0.141, 0.906]])
    """
    reference = _checks.array(reference, "reference", 2, "(rows, features)", kinds="iuf", dtype=np.float64)
    queries = _checks.array(queries, "queries", 2, "(rows, features)", kinds="iuf", dtype=np.float64)
    if reference.shape[1] != queries.shape[1]:
        raise ValueError(
            f"reference and queries must have the same number of features; "
            f"got {reference.shape[1]} and {queries.shape[1]}"
        )
    k = _checks.integer(k, "k", minimum=1, maximum=len(reference))
    chunk = _checks.integer(chunk, "chunk", minimum=1)
    reference_sq = (reference**2).sum(axis=1)
    indices = np.empty((len(queries), k), dtype=np.int64)
    distances = np.empty((len(queries), k))
    for start in range(0, len(queries), chunk):
        block = queries[start : start + chunk]
        squared = (block**2).sum(axis=1)[:, np.newaxis] + reference_sq - 2.0 * block @ reference.T
        np.maximum(squared, 0.0, out=squared)
        # Stable sort of the k smallest: argpartition, then order those by (distance, index).
        candidates = (
            np.argpartition(squared, k - 1, axis=1)[:, :k]
            if k < len(reference)
            else np.broadcast_to(np.arange(len(reference)), squared.shape)
        )
        candidate_sq = np.take_along_axis(squared, candidates, axis=1)
        order = np.lexsort((candidates, candidate_sq), axis=1)
        best = np.take_along_axis(candidates, order, axis=1)
        indices[start : start + chunk] = best
        distances[start : start + chunk] = np.sqrt(np.take_along_axis(squared, best, axis=1))
    return indices, distances


def layer_features(model, images, layer, batch_size=256):
    """The activations of one layer of a Keras model, one row per image.

    Used as learned features: chapter 2 measures distances between digits
    in the space of the small CNN's last hidden layer.

    Parameters
    ----------
    model : keras.Model
        A built model (Sequential models need a ``keras.Input``).
    images : array_like
        Model inputs, e.g. ``cnnbook.data.to_model_input(x)``.
    layer : str
        Name of the layer whose output to return.
    batch_size : int

    Returns
    -------
    numpy.ndarray of float32, shape (N, features)
        The layer output flattened per image.

    Raises
    ------
    ValueError
        If the model has no layer of that name (the message lists the names).
    """
    import keras

    _checks.choice(layer, "layer", tuple(each.name for each in model.layers))
    batch_size = _checks.integer(batch_size, "batch_size", minimum=1)
    extractor = keras.Model(model.inputs[0], model.get_layer(layer).output)  # one image input
    images = np.asarray(images)
    # Called batch by batch rather than through predict(): predict traces a new graph for every
    # extractor, and TensorFlow warns about retracing when a chapter extracts several layers.
    outputs = [
        np.asarray(extractor(images[start : start + batch_size], training=False))
        for start in range(0, len(images), batch_size)
    ]
    return np.concatenate(outputs).reshape(len(images), -1)
