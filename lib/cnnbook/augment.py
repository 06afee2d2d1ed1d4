"""Image data augmentation: the lecture's Keras layers and numpy twins of them.

Chapter 7 builds the augmentation pipeline of the Larson lecture ("Image Data
Augmentation") with :func:`lecture_augmentation` and trains with it. The
numpy functions here reproduce what each of those Keras layers does to an
image for one given random draw (same formulas, same centre of rotation, same
bilinear interpolation and reflect fill, same clipping), so that the chapter's
augmentation widget can redraw a grid of augmented copies in milliseconds;
calling the Keras layers eagerly takes far longer (chapter 7 measures both).
The tests check each twin against the Keras layer's own ``transform_images``.

:func:`shift_rotate` makes the shifted/rotated test set on which chapter 7
measures what augmentation buys.
"""

import functools

import numpy as np

from . import _checks

__all__ = [
    "lecture_augmentation",
    "augmentation_ranges",
    "contrast_factor_range",
    "draw_augmentations",
    "augment_like_keras",
    "shift_rotate",
]

#: The factors of the lecture's pipeline, in its order.
_LECTURE_FACTORS = {
    "flip": "horizontal",
    "rotation": 0.05,
    "height_factor": 0.1,
    "width_factor": 0.1,
    "brightness": 0.1,
    "contrast": 0.1,
}

#: The value range of Keras' RandomContrast when none is given: (0, 255). The
#: lecture's code does not set it; on images in [0, 1] the layer then clips
#: nothing and raised contrast pushes pixels above 1 (chapter 7 shows it).
_KERAS_CONTRAST_DEFAULT_RANGE = (0.0, 255.0)

_FLIP_MODES = (None, "horizontal")


def _factor(name, value):
    return _checks.number(value, name, minimum=0.0, maximum=1.0)


def lecture_augmentation(
    flip="horizontal",
    rotation=0.05,
    height_factor=0.1,
    width_factor=0.1,
    brightness=0.1,
    contrast=0.1,
    seed=None,
    name="augmentation",
):
    """The lecture's augmentation layers as a ``keras.Sequential`` (chapter 7).

    With the defaults this is exactly the lecture's list, in its order::

        RandomFlip("horizontal")
        RandomRotation(0.05)                       # up to 0.05 of a full turn: 18 degrees
        RandomTranslation(height_factor=0.1, width_factor=0.1)
        RandomBrightness(factor=0.1, value_range=(0.0, 1.0))
        RandomContrast(0.1, value_range=(0.0, 1.0))

    Both value ranges say that the images hold values in [0, 1]. The
    lecture's code sets it for ``RandomBrightness`` only; ``RandomContrast``
    then keeps Keras' default (0, 255)
    and lets raised contrast push pixels of a [0, 1] image above 1.

    A layer whose factor is 0 (or ``flip=None``) is left out, which gives the
    digit-safe variant without the flip. The layers act only when called with
    ``training=True`` (``fit`` does that); ``predict`` and ``evaluate`` pass
    ``training=False`` and the pipeline is the identity.

    Parameters
    ----------
    flip : {"horizontal", None}
    rotation : float in [0, 1]
        Fraction of a full turn: angles are drawn from ``[-360 * rotation, 360 * rotation]`` degrees.
    height_factor, width_factor : float in [0, 1]
        Shifts are drawn from ``[-factor, factor]`` times the image height/width.
    brightness : float in [0, 1]
        An offset drawn from ``[-brightness, brightness]`` (images in [0, 1]) is added, then clipped to [0, 1].
    contrast : float in [0, 1]
        Each image's deviation from its per-channel mean is scaled by a
        random factor; Keras documents ``[1 - contrast, 1 + contrast]``, Keras
        3 draws from ``[1, 1 + contrast]`` (see :func:`contrast_factor_range`).
    seed : int, optional
        Seeds every layer (for repeatable pictures).
    name : str

    Returns
    -------
    keras.Sequential
        No ``Input``: it adapts to the images it is called on (digits or photos).

    Raises
    ------
    ValueError, TypeError
        For a factor outside [0, 1] or an unknown flip mode.

    Examples
    --------
    >>> [layer.__class__.__name__ for layer in lecture_augmentation().layers]
    ['RandomFlip', 'RandomRotation', 'RandomTranslation', 'RandomBrightness', 'RandomContrast']
    """
    flip = _checks.choice(flip, "flip", _FLIP_MODES)
    rotation = _factor("rotation", rotation)
    height_factor = _factor("height_factor", height_factor)
    width_factor = _factor("width_factor", width_factor)
    brightness = _factor("brightness", brightness)
    contrast = _factor("contrast", contrast)
    if seed is not None:
        seed = _checks.integer(seed, "seed", minimum=0)
    import keras
    from keras import layers

    pipeline = keras.Sequential(name=name)
    if flip:
        pipeline.add(layers.RandomFlip(flip, seed=seed))
    if rotation:
        pipeline.add(layers.RandomRotation(rotation, seed=seed))
    if height_factor or width_factor:
        pipeline.add(layers.RandomTranslation(height_factor=height_factor, width_factor=width_factor, seed=seed))
    if brightness:
        pipeline.add(layers.RandomBrightness(factor=brightness, value_range=(0.0, 1.0), seed=seed))
    if contrast:
        pipeline.add(layers.RandomContrast(contrast, value_range=(0.0, 1.0), seed=seed))
    return pipeline


@functools.lru_cache(maxsize=512)
def contrast_factor_range(contrast):
    """The factors ``RandomContrast(contrast)`` of the installed Keras draws from (chapter 7).

    Keras documents the range as ``[1 - contrast, 1 + contrast]``, but Keras
    3 clips the lower bound of a single-number factor at 0 (the layer's
    ``factor`` attribute becomes ``(0, contrast)``), so the layer draws from
    ``[1, 1 + contrast]``: it only ever raises the contrast. This function
    asks the layer itself, so it stays right if a later Keras changes that.

    Parameters
    ----------
    contrast : float in [0, 1]

    Returns
    -------
    (low, high) : tuple of float

    Examples
    --------
    >>> low, high = contrast_factor_range(0.1)  # (1.0, 1.1) in Keras 3.15
    >>> high
    1.1
    """
    contrast = _factor("contrast", contrast)
    if not contrast:
        return 1.0, 1.0
    import keras

    lower, upper = keras.layers.RandomContrast(contrast).factor
    return round(1.0 - float(lower), 10), round(1.0 + float(upper), 10)


def augmentation_ranges(image_shape, rotation=0.05, height_factor=0.1, width_factor=0.1, brightness=0.1, contrast=0.1):
    """What the lecture's factors mean for an image of a given size (chapter 7).

    Parameters
    ----------
    image_shape : tuple of int
        ``(rows, cols)`` or ``(rows, cols, channels)``.
    rotation, height_factor, width_factor, brightness, contrast : float in [0, 1]
        As in :func:`lecture_augmentation`.

    Returns
    -------
    dict
        ``max_degrees`` (largest rotation), ``max_shift_rows`` and
        ``max_shift_cols`` (largest shifts in pixels), ``max_brightness_offset``
        (for images in [0, 1]) and ``contrast_factors`` ``(low, high)``
        (from :func:`contrast_factor_range`).

    Examples
    --------
    >>> augmentation_ranges((28, 28))["max_degrees"]
    18.0
    >>> augmentation_ranges((28, 28))["max_shift_rows"]
    2.8
    """
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) not in (2, 3):
        raise ValueError(f"image_shape must be (rows, cols) or (rows, cols, channels); got {image_shape!r}")
    rows, cols = (_checks.integer(n, "image_shape[i]", minimum=1) for n in image_shape[:2])
    rotation = _factor("rotation", rotation)
    return {
        "max_degrees": round(360.0 * rotation, 10),
        "max_shift_rows": round(_factor("height_factor", height_factor) * rows, 10),
        "max_shift_cols": round(_factor("width_factor", width_factor) * cols, 10),
        "max_brightness_offset": _factor("brightness", brightness),
        "contrast_factors": contrast_factor_range(contrast),
    }


def draw_augmentations(count, seed=0):
    """Random draws for ``count`` augmented copies, independent of the factors.

    Each Keras layer draws a uniform number between ``-factor`` and
    ``factor`` (scaled by its unit). Drawing ``u`` uniform in [-1, 1] once
    and using ``u * factor`` gives the same distribution for every factor and
    lets a widget rescale the same copies smoothly as a slider moves
    (chapter 7). The flip, like ``RandomFlip``, happens with probability 1/2.

    Parameters
    ----------
    count : int
        Number of copies.
    seed : int
        Seed of numpy's generator.

    Returns
    -------
    dict of ndarray, each of shape ``(count,)``
        ``flip`` (bool) and ``rotation``, ``shift_rows``, ``shift_cols``,
        ``brightness``, ``contrast`` (floats in [-1, 1]).
    """
    count = _checks.integer(count, "count", minimum=1)
    seed = _checks.integer(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    draws = {"flip": rng.random(count) < 0.5}
    for key in ("rotation", "shift_rows", "shift_cols", "brightness", "contrast"):
        draws[key] = rng.uniform(-1.0, 1.0, count)
    return draws


def _pixels(image, name="image"):
    """A 2-D or channels-last 3-D image as float32, values unchanged (0-1 or 0-255 alike)."""
    image = _checks.array(image, name, (2, 3), "(rows, cols) or (rows, cols, channels)")
    _checks.channels_last(image, name)
    return image.astype(np.float32, copy=False)


def _reflect_coordinates(coord, length):
    """TensorFlow's reflect mapping (``d c b a | a b c d | d c b a``), then clamped to [0, length - 1]."""
    if length <= 1:
        return np.zeros_like(coord)
    size2 = 2 * length
    out = coord.copy()
    low = out < 0
    below = out[low]
    below = size2 * np.trunc(-below / size2) + below
    out[low] = np.where(below < -length, below + size2, -below - 1)
    high = out > length - 1
    above = out[high]
    above = above - size2 * np.trunc(above / size2)
    out[high] = np.where(above >= length, size2 - above - 1, above)
    return np.clip(out, 0, length - 1)


def _affine(image, matrix_rows_cols, offset, fill_mode):
    """Resample like Keras' ``affine_transform`` on TensorFlow: output pixel (r, c) reads the input
    at ``M @ (r, c) + offset``; the coordinate is mapped by the fill mode, then interpolated
    bilinearly with 0 for neighbours outside the image (all channels at once)."""
    rows, cols = image.shape[:2]
    grid_r, grid_c = np.meshgrid(np.arange(rows, dtype=np.float64), np.arange(cols, dtype=np.float64), indexing="ij")
    (m00, m01), (m10, m11) = matrix_rows_cols
    source_r = m00 * grid_r + m01 * grid_c + offset[0]
    source_c = m10 * grid_r + m11 * grid_c + offset[1]
    if fill_mode == "reflect":
        source_r = _reflect_coordinates(source_r, rows)
        source_c = _reflect_coordinates(source_c, cols)
    r0, c0 = np.floor(source_r), np.floor(source_c)
    weight_r = (source_r - r0).astype(np.float32)
    weight_c = (source_c - c0).astype(np.float32)
    r0, c0 = r0.astype(np.intp), c0.astype(np.intp)
    flat = image.reshape(rows * cols, -1)

    def read(r, c):
        inside = ((r >= 0) & (r < rows) & (c >= 0) & (c < cols)).astype(np.float32)
        index = np.clip(r, 0, rows - 1) * cols + np.clip(c, 0, cols - 1)
        return np.take(flat, index, axis=0) * inside[..., None]

    weight_r, weight_c = weight_r[..., None], weight_c[..., None]
    top_left, top_right = read(r0, c0), read(r0, c0 + 1)
    bottom_left, bottom_right = read(r0 + 1, c0), read(r0 + 1, c0 + 1)
    top = top_left + weight_c * (top_right - top_left)
    bottom = bottom_left + weight_c * (bottom_right - bottom_left)
    out = top + weight_r * (bottom - top)
    return out.reshape(image.shape).astype(np.float32, copy=False)


_FILL_MODES = ("reflect", "constant")


def _flip_horizontal(image):
    """Mirror left-right, as ``RandomFlip("horizontal")`` does when it flips (chapter 7).

    Parameters
    ----------
    image : array (rows, cols) or (rows, cols, channels)

    Returns
    -------
    ndarray, float32
    """
    return _pixels(image)[:, ::-1].copy()


def _rotate(image, degrees, fill_mode="reflect"):
    """Rotate about the image centre like ``RandomRotation`` for a drawn angle (chapter 7).

    Keras builds the inverse map ``input = R(angle) (output - centre) + centre``
    with the centre at ``((cols - 1) / 2, (rows - 1) / 2)`` in (x, y) pixel
    coordinates, samples bilinearly and fills outside pixels by reflection
    (``d c b a | a b c d | d c b a``); so does this function. A positive angle
    turns the picture counter-clockwise on screen.

    Parameters
    ----------
    image : array (rows, cols) or (rows, cols, channels)
    degrees : float
    fill_mode : {"reflect", "constant"}
        "constant" fills with 0 (black).

    Returns
    -------
    ndarray, float32, same shape

    Examples
    --------
    >>> import numpy as np
    >>> bar = np.zeros((5, 5)); bar[2, :] = 1
    >>> _rotate(bar, 90).round(3)[:, 2]
    array([1., 1., 1., 1., 1.], dtype=float32)
    """
    image = _pixels(image)
    degrees = _checks.number(degrees, "degrees")
    fill_mode = _checks.choice(fill_mode, "fill_mode", _FILL_MODES)
    rows, cols = image.shape[:2]
    theta = np.deg2rad(float(degrees))
    cos, sin = np.cos(theta), np.sin(theta)
    cx, cy = (cols - 1) / 2.0, (rows - 1) / 2.0
    # Keras (x, y): x_in = cos*x - sin*y + a2, y_in = sin*x + cos*y + b2; here in (row, col) order.
    a2 = cx - cx * cos + cy * sin
    b2 = cy - cx * sin - cy * cos
    matrix = np.array([[cos, sin], [-sin, cos]])
    return _affine(image, matrix, (b2, a2), fill_mode)


def _translate(image, shift_rows, shift_cols, fill_mode="reflect"):
    """Shift like ``RandomTranslation`` for a drawn shift, in pixels (chapter 7).

    Positive ``shift_rows`` moves the picture down, positive ``shift_cols``
    moves it right; fractional shifts are sampled bilinearly, outside pixels
    filled by reflection as in Keras.

    Parameters
    ----------
    image : array (rows, cols) or (rows, cols, channels)
    shift_rows, shift_cols : float
        Keras draws them as ``u * factor * rows`` and ``u * factor * cols``.
    fill_mode : {"reflect", "constant"}
        "constant" fills with 0 (black).

    Returns
    -------
    ndarray, float32, same shape
    """
    image = _pixels(image)
    shift_rows = _checks.number(shift_rows, "shift_rows")
    shift_cols = _checks.number(shift_cols, "shift_cols")
    fill_mode = _checks.choice(fill_mode, "fill_mode", _FILL_MODES)
    return _affine(image, np.eye(2), (-float(shift_rows), -float(shift_cols)), fill_mode)


def _adjust_brightness(image, offset, value_range=(0.0, 1.0)):
    """Add a brightness offset and clip, like ``RandomBrightness`` (chapter 7).

    Keras draws ``u`` in ``[-factor, factor]`` and adds
    ``u * (high - low)`` of the ``value_range``; ``offset`` here is that
    already-scaled amount.

    Parameters
    ----------
    image : array
    offset : float
    value_range : (low, high)

    Returns
    -------
    ndarray, float32
    """
    image = _pixels(image)
    offset = _checks.number(offset, "offset")
    low, high = _checks.interval(value_range, "value_range")
    return np.clip(image + np.float32(offset), low, high)


def _adjust_contrast(image, factor, value_range=(0.0, 1.0)):
    """Scale deviations from each channel's mean, like ``RandomContrast`` (chapter 7).

    ``out = (x - mean) * factor + mean``, then clipped to ``value_range``.
    The default (0, 1) suits images in [0, 1], as :func:`lecture_augmentation`
    sets it; pass ``_KERAS_CONTRAST_DEFAULT_RANGE``, (0, 255), to reproduce the
    lecture's layer, whose default range clips a [0, 1] image nowhere.

    Parameters
    ----------
    image : array (rows, cols) or (rows, cols, channels)
    factor : float
        Keras draws it from :func:`contrast_factor_range`.
    value_range : (low, high)

    Returns
    -------
    ndarray, float32
    """
    image = _pixels(image)
    factor = _checks.number(factor, "factor", minimum=0.0)
    low, high = _checks.interval(value_range, "value_range")
    mean = image.mean(axis=(0, 1), keepdims=True)
    return np.clip((image - mean) * np.float32(factor) + mean, low, high)


def augment_like_keras(
    image,
    draws,
    index=0,
    flip="horizontal",
    rotation=0.05,
    height_factor=0.1,
    width_factor=0.1,
    brightness=0.1,
    contrast=0.1,
):
    """One augmented copy: the lecture's five layers, in order, for one draw (chapter 7).

    Mirrors left-right (if ``flip`` and the draw says so), rotates by
    ``draws["rotation"] * rotation * 360`` degrees, shifts by
    ``draws["shift_*"] * factor * size`` pixels, adds
    ``draws["brightness"] * brightness`` and scales the contrast by a factor
    that ``draws["contrast"]`` places linearly in
    :func:`contrast_factor_range` (``[1, 1 + contrast]`` in Keras 3): the same
    operations the Keras layers apply for those draws.

    Parameters
    ----------
    image : array (rows, cols) or (rows, cols, channels), values in [0, 1]
    draws : dict
        From :func:`draw_augmentations`.
    index : int
        Which draw to use.
    flip, rotation, height_factor, width_factor, brightness, contrast
        As in :func:`lecture_augmentation`.

    Returns
    -------
    ndarray, float32, same shape as ``image``
    """
    image = _pixels(image)
    flip = _checks.choice(flip, "flip", _FLIP_MODES)
    if not isinstance(draws, dict) or not {
        "flip",
        "rotation",
        "shift_rows",
        "shift_cols",
        "brightness",
        "contrast",
    } <= set(draws):
        raise TypeError("draws must be the dict returned by draw_augmentations")
    count = len(draws["flip"])
    index = _checks.integer(index, "index", minimum=0, maximum=count - 1)
    rotation = _factor("rotation", rotation)
    height_factor = _factor("height_factor", height_factor)
    width_factor = _factor("width_factor", width_factor)
    brightness = _factor("brightness", brightness)
    contrast = _factor("contrast", contrast)
    rows, cols = image.shape[:2]
    out = image
    if flip and draws["flip"][index]:
        out = _flip_horizontal(out)
    if rotation:
        out = _rotate(out, float(draws["rotation"][index]) * rotation * 360.0)
    if height_factor or width_factor:
        out = _translate(
            out,
            float(draws["shift_rows"][index]) * height_factor * rows,
            float(draws["shift_cols"][index]) * width_factor * cols,
        )
    if brightness:
        out = _adjust_brightness(out, float(draws["brightness"][index]) * brightness)
    if contrast:
        low, high = contrast_factor_range(contrast)
        out = _adjust_contrast(out, low + (float(draws["contrast"][index]) + 1.0) / 2.0 * (high - low))
    return out


def shift_rotate(images, max_shift=3.0, max_degrees=15.0, seed=0):
    """A shifted and rotated copy of a set of digits (chapter 7's harder test set).

    Each image is rotated by an angle drawn uniformly from
    ``[-max_degrees, max_degrees]`` about its centre and shifted by amounts
    drawn uniformly from ``[-max_shift, max_shift]`` pixels in each
    direction (bilinear, black fill: the MNIST background). The labels do
    not change.

    Parameters
    ----------
    images : array (N, rows, cols)
        uint8 in 0..255 or floats.
    max_shift : float
        Largest shift in pixels (non-negative).
    max_degrees : float
        Largest rotation in degrees (non-negative).
    seed : int

    Returns
    -------
    ndarray, same shape and dtype as ``images`` (uint8 results are rounded)

    Examples
    --------
    >>> import numpy as np
    >>> digits = np.zeros((2, 28, 28), np.uint8)
    >>> shift_rotate(digits).shape
    (2, 28, 28)
    """
    images = _checks.array(images, "images", 3, "(N, rows, cols)", kinds="iuf")
    max_shift = _checks.number(max_shift, "max_shift", minimum=0.0)
    max_degrees = _checks.number(max_degrees, "max_degrees", minimum=0.0)
    seed = _checks.integer(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    angles = rng.uniform(-max_degrees, max_degrees, len(images))
    shifts = rng.uniform(-max_shift, max_shift, (len(images), 2))
    out = np.empty(images.shape, np.float32)
    for i, image in enumerate(images):
        turned = _rotate(image, angles[i], fill_mode="constant")
        out[i] = _translate(turned, shifts[i, 0], shifts[i, 1], fill_mode="constant")
    if images.dtype == np.uint8:
        return np.clip(np.rint(out), 0, 255).astype(np.uint8)
    return out.astype(images.dtype, copy=False)
