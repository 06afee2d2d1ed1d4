"""The X-and-O toy convnet of the Payberah lecture (after Brandon Rohrer).

Chapter 3 ("Anatomy of a CNN") runs it by hand: a 9x9 picture of an X or an
O (pixels +1 on the stroke, -1 elsewhere), three 3x3 filters, the filtered
images (the *mean* of the element-wise products, so a perfect match is 1),
ReLU, 2x2 max pooling that keeps the partial windows at the edges, and a
fully connected "vote" for X or O.

Everything is channels-last like Keras: a stack of filtered images has shape
``(rows, cols, filters)``.
"""

import numpy as np

from . import _checks
from .conv import conv2d, max_pool2d, pad_amounts

__all__ = [
    "CLASSES",
    "FILTER_NAMES",
    "toy_image",
    "toy_filters",
    "filter_image",
    "relu",
    "max_pool_same",
    "toy_forward",
    "vote_weights",
    "vote",
    "softmax",
    "compare_with_slide",
    "format_table",
]

#: The two classes the toy network tells apart, in the order of :func:`vote`.
CLASSES = ("X", "O")

#: Names of the three filters of :func:`toy_filters`, in channel order.
FILTER_NAMES = ("diagonal \\", "centre cross", "diagonal /")

# The pictures: '#' is a stroke pixel (+1), '.' is background (-1).
_PICTURES = {
    "X": """
        .........
        .#.....#.
        ..#...#..
        ...#.#...
        ....#....
        ...#.#...
        ..#...#..
        .#.....#.
        .........
    """,
    "O": """
        .........
        ...###...
        ..#...#..
        .#.....#.
        .#.....#.
        .#.....#.
        ..#...#..
        ...###...
        .........
    """,
}

_FILTER_PICTURES = (
    """
        #..
        .#.
        ..#
    """,
    """
        #.#
        .#.
        #.#
    """,
    """
        ..#
        .#.
        #..
    """,
)


def _picture_to_array(picture):
    rows = [line.strip() for line in picture.strip().splitlines()]
    return np.array([[1.0 if char == "#" else -1.0 for char in row] for row in rows])


def _real(x, name, ndim, layout, finite=True):
    """A non-empty real array as float64 (one call of :func:`cnnbook._checks.array`)."""
    return _checks.array(x, name, ndim, layout, finite=finite, dtype=np.float64)


def toy_image(name="X", shift=(0, 0)):
    """One of the lecture's 9x9 pictures: +1 on the stroke, -1 elsewhere.

    Chapter 3 ("Anatomy of a CNN") feeds them to the toy network. The X has
    its two diagonals from pixel (1, 1) to (7, 7) and from (1, 7) to (7, 1);
    the O is a ring of the same size. A shifted copy shows what moving the
    drawing by a pixel does to the network.

    Parameters
    ----------
    name : {"X", "O"}
        Which picture.
    shift : int or (int, int), default (0, 0)
        Pixels to move the drawing down and right (negative: up and left);
        one int moves it by that much both ways.
        The drawing must stay inside the 9x9 frame, so each entry is in
        -1, 0, 1.

    Returns
    -------
    numpy.ndarray of float64, shape (9, 9)
        A fresh array of +1 and -1.

    Raises
    ------
    ValueError
        If ``name`` is unknown or ``shift`` moves the drawing out of the frame.
    TypeError
        If ``shift`` is not a pair of ints.

    Examples
    --------
    >>> x = toy_image("X")
    >>> x.shape, int((x == 1).sum())
    ((9, 9), 13)
    >>> np.array_equal(toy_image("X", shift=(0, 1))[:, 1:], x[:, :-1])
    True
    """
    name = _checks.choice(name, "name", tuple(_PICTURES))
    down, right = _checks.pair(shift, "shift", minimum=None)
    picture = _picture_to_array(_PICTURES[name])
    rows, cols = np.nonzero(picture == 1)
    size = picture.shape[0]
    if not (
        0 <= rows.min() + down and rows.max() + down < size and 0 <= cols.min() + right and cols.max() + right < size
    ):
        raise ValueError(
            f"shift {shift!r} moves the {name} out of the {size}x{size} frame; each entry must be "
            f"in {-int(rows.min())}..{size - 1 - int(rows.max())}"
        )
    shifted = -np.ones_like(picture)
    shifted[rows + down, cols + right] = 1.0
    return shifted


def toy_filters():
    """The lecture's three 3x3 filters, stacked in Keras layout.

    Chapter 3 ("Anatomy of a CNN"): a diagonal from top left to bottom right,
    a small cross (the centre of an X) and the other diagonal, each +1 on the
    stroke and -1 elsewhere. Their names are in :data:`FILTER_NAMES`.

    Returns
    -------
    numpy.ndarray of float64, shape (3, 3, 1, 3)
        ``(rows, cols, input channels, filters)``; ``toy_filters()[:, :, 0, i]``
        is filter ``i``.

    Examples
    --------
    >>> print(toy_filters()[:, :, 0, 0])
    [[ 1. -1. -1.]
     [-1.  1. -1.]
     [-1. -1.  1.]]
    """
    stack = np.stack([_picture_to_array(picture) for picture in _FILTER_PICTURES], axis=-1)
    return stack[:, :, np.newaxis, :]


def _as_filters(filters):
    if filters is None:
        return toy_filters()
    array = _real(filters, "filters", (2, 4), "one 2-D filter (kh, kw) or a stack (kh, kw, 1, n_filters)")
    if array.ndim == 2:
        array = array[:, :, np.newaxis, np.newaxis]
    _checks.kernel_layout(array.shape, 1, "filters")
    if array.shape[2] != 1:
        raise ValueError(
            f"filters must be one 2-D filter (kh, kw) or a stack (kh, kw, 1, n_filters) for a "
            f"grey image; got shape {array.shape} with {array.shape[2]} input channels"
        )
    return array


def filter_image(image, filters=None):
    """Slide each filter over the image; each output is the mean of the products.

    Chapter 3 ("Anatomy of a CNN"). This is the lecture's "filtering": at
    every position, multiply the filter and the image patch element by element
    and average the products, so a perfect +1/-1 match gives 1 and a perfect
    mismatch -1. It equals :func:`cnnbook.conv.conv2d` (no padding, stride 1)
    divided by the number of filter weights.

    Parameters
    ----------
    image : array_like, shape (H, W)
    filters : array_like, shape (kh, kw) or (kh, kw, 1, n_filters), optional
        Default: :func:`toy_filters`.

    Returns
    -------
    numpy.ndarray of float64, shape (H - kh + 1, W - kw + 1, n_filters)

    Raises
    ------
    TypeError, ValueError
        If ``image`` or ``filters`` has the wrong type or shape, or a filter
        is larger than the image.

    Examples
    --------
    >>> maps = filter_image(toy_image("X"))
    >>> maps.shape
    (7, 7, 3)
    >>> round(maps[0, 0, 0] * 9)        # 7 of the 9 products are +1, 2 are -1
    7
    """
    image = _real(image, "image", 2, "(rows, cols)")
    filters = _as_filters(filters)
    kh, kw = filters.shape[:2]
    if kh > image.shape[0] or kw > image.shape[1]:
        raise ValueError(f"filters of size {kh}x{kw} do not fit in an image of shape {image.shape}")
    return conv2d(image, filters) / (kh * kw)


def relu(x):
    """Rectified linear unit, ``max(0, x)`` element-wise (chapter 3).

    Parameters
    ----------
    x : array_like
        Real numbers of any shape.

    Returns
    -------
    numpy.ndarray of float64, same shape
        Negative entries replaced by 0.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data.

    Examples
    --------
    >>> relu(np.array([-0.5, 0.0, 0.25]))
    array([0.  , 0.  , 0.25])
    """
    return np.maximum(_real(x, "x", None, "an array", finite=False), 0.0)


def max_pool_same(x, size=2):
    """Max pooling with stride ``size`` that keeps the partial windows at the edges.

    Chapter 3 ("Anatomy of a CNN"). The lecture pools a 7x7 map with 2x2
    windows into a 4x4 map: the last row and column form windows of their
    own. This is what ``keras.layers.MaxPooling2D(size, padding="same")``
    does; :func:`cnnbook.conv.max_pool2d` (no padding) would drop them and
    give 3x3. Implemented as ``max_pool2d`` on the map padded with ``-inf``
    by :func:`cnnbook.conv.pad_amounts` (``padding="same"``).

    Parameters
    ----------
    x : array_like, shape (H, W) or (H, W, C)
    size : int, default 2
        Window size and stride, >= 1.

    Returns
    -------
    numpy.ndarray of float64, shape (ceil(H / size), ceil(W / size)[, C])

    Raises
    ------
    TypeError, ValueError
        If ``x`` is not a non-empty real 2-D or 3-D array or ``size`` is not
        an int >= 1.

    Examples
    --------
    >>> x = np.arange(9).reshape(3, 3)
    >>> print(max_pool_same(x))
    [[4. 5.]
     [7. 8.]]
    """
    array = _real(x, "x", (2, 3), "(H, W) or (H, W, C)", finite=False)
    _checks.channels_last(array, "x")
    size = _checks.integer(size, "size", minimum=1)
    pads = [pad_amounts(n, size, stride=size, padding="same") for n in array.shape[:2]]
    pads += [(0, 0)] * (array.ndim - 2)
    padded = np.pad(array, pads, constant_values=-np.inf)
    return max_pool2d(padded, size=size)


def toy_forward(image, filters=None):
    """Run the toy network up to its feature vector: filter, ReLU, pool, flatten.

    Chapter 3 ("Anatomy of a CNN").

    Parameters
    ----------
    image : array_like, shape (H, W)
    filters : array_like, optional
        As in :func:`filter_image`; default :func:`toy_filters`.

    Returns
    -------
    dict of numpy.ndarray
        ``"filtered"`` ``(H-2, W-2, C)``, ``"relu"`` (same shape),
        ``"pooled"`` ``(ceil((H-2)/2), ceil((W-2)/2), C)`` and ``"features"``,
        the pooled stack flattened in Keras ``Flatten`` order (channel
        fastest).

    Examples
    --------
    >>> stages = toy_forward(toy_image("X"))
    >>> [stages[key].shape for key in ("filtered", "relu", "pooled", "features")]
    [(7, 7, 3), (7, 7, 3), (4, 4, 3), (48,)]
    """
    filtered = filter_image(image, filters)
    rectified = relu(filtered)
    pooled = max_pool_same(rectified, size=2)
    return {"filtered": filtered, "relu": rectified, "pooled": pooled, "features": pooled.reshape(-1)}


def vote_weights(filters=None):
    """Weights of the toy's fully connected vote, one column per class.

    Chapter 3 ("Anatomy of a CNN"). The column of a class is the feature
    vector of that class's clean picture, divided by its sum: a feature that
    is strong on a clean X votes strongly for X. (A real network learns these
    weights by gradient descent; here they are copied from one example each.)

    Parameters
    ----------
    filters : array_like, optional
        As in :func:`filter_image`; default :func:`toy_filters`.

    Returns
    -------
    numpy.ndarray of float64, shape (n_features, 2)
        Columns in the order of :data:`CLASSES`; each column sums to 1.

    Raises
    ------
    TypeError, ValueError
        If ``filters`` is malformed (as in :func:`filter_image`).

    Examples
    --------
    >>> weights = vote_weights()
    >>> weights.shape, weights.sum(axis=0).round(6).tolist()
    ((48, 2), [1.0, 1.0])
    """
    columns = [toy_forward(toy_image(name), filters)["features"] for name in CLASSES]
    weights = np.stack(columns, axis=1)
    return weights / weights.sum(axis=0, keepdims=True)


def vote(features, weights=None):
    """The fully connected layer of the toy: one weighted average per class.

    Chapter 3 ("Anatomy of a CNN"). ``features @ weights``: with columns
    that sum to 1 (:func:`vote_weights`) each vote is a weighted average of
    the features, between 0 and 1.

    Parameters
    ----------
    features : array_like, shape (n_features,)
    weights : array_like, shape (n_features, n_classes), optional
        Default: :func:`vote_weights` of the toy filters.

    Returns
    -------
    numpy.ndarray of float64, shape (n_classes,)

    Raises
    ------
    ValueError
        If the lengths do not match.

    Examples
    --------
    >>> votes = vote(toy_forward(toy_image("O"))["features"])
    >>> CLASSES[int(np.argmax(votes))]
    'O'
    """
    features = _real(features, "features", 1, "(n_features,)")
    weights = vote_weights() if weights is None else _real(weights, "weights", 2, "(n_features, n_classes)")
    if weights.shape[0] != features.shape[0]:
        raise ValueError(
            f"weights must have one row per feature, shape ({features.shape[0]}, n_classes); got {weights.shape}"
        )
    return features @ weights


def softmax(z):
    """Turn scores into probabilities: ``exp(z) / sum(exp(z))`` (chapter 3).

    Computed stably (the largest score is subtracted first).

    Parameters
    ----------
    z : array_like, shape (n,)
        Scores, one per class.

    Returns
    -------
    numpy.ndarray of float64, shape (n,)
        Probabilities: positive, summing to 1.

    Raises
    ------
    ValueError
        If ``z`` is not a non-empty 1-D array.

    Examples
    --------
    >>> softmax(np.array([0.0, 0.0])).tolist()
    [0.5, 0.5]
    """
    z = _real(z, "z", 1, "a 1-D array of scores (n_classes,)")
    exps = np.exp(z - z.max())
    return exps / exps.sum()


def _truncate(values, decimals):
    """Cut (not round) to ``decimals`` places, towards zero."""
    scale = 10.0**decimals
    return np.trunc(values * scale + np.sign(values) * 1e-9) / scale


def compare_with_slide(computed, slide, decimals=2):
    """Compare a computed table with the numbers printed on a slide.

    Chapter 3 ("Anatomy of a CNN") checks the lecture's X-and-O tables. Each
    readable slide entry is classed as

    - ``"same"``: equal to the computed value rounded to ``decimals`` places;
    - ``"truncated"``: equal only to the computed value *cut* to ``decimals``
      places (the slide truncated, e.g. 7/9 = 0.777... printed as 0.77);
    - ``"different"``: neither (a slide or transcription error).

    Parameters
    ----------
    computed : array_like, 2-D
    slide : array_like, same shape
        The slide's values; NaN marks an entry that could not be read.
    decimals : int, default 2
        Places the slide prints.

    Returns
    -------
    dict
        ``"same"`` and ``"unreadable"``: counts; ``"truncated"`` and
        ``"different"``: lists of ``(row, col, computed, slide)``.

    Raises
    ------
    ValueError
        If the shapes differ or ``decimals`` is not an int >= 0.

    Examples
    --------
    >>> result = compare_with_slide([[7 / 9, 1 / 9]], [[0.77, -0.11]])
    >>> result["same"], result["truncated"], len(result["different"])
    (0, [(0, 0, 0.7778, 0.77)], 1)
    """
    computed = _real(computed, "computed", 2, "a 2-D table (rows, cols)")
    slide = _real(slide, "slide", 2, "a 2-D table (rows, cols)", finite=False)
    _checks.same_shape(slide, computed.shape, "slide", "computed")
    decimals = _checks.integer(decimals, "decimals", minimum=0)
    tolerance = 0.1 ** (decimals + 2)
    result = {"same": 0, "truncated": [], "different": [], "unreadable": 0}
    for (row, col), value in np.ndenumerate(computed):
        printed = slide[row, col]
        if np.isnan(printed):
            result["unreadable"] += 1
        elif abs(np.round(value, decimals) - printed) < tolerance:
            result["same"] += 1
        else:
            entry = (row, col, round(float(value), 4), float(printed))
            kind = "truncated" if abs(_truncate(value, decimals) - printed) < tolerance else "different"
            result[kind].append(entry)
    return result


def format_table(table, decimals=2):
    """A 2-D table as aligned text, the way the slides print it (chapter 3).

    Parameters
    ----------
    table : array_like, 2-D
        NaN entries (unreadable slide values) print as ``?``.
    decimals : int, default 2
        Places after the point (0 for the +1/-1 pictures).

    Returns
    -------
    str
        One line per row, right-aligned columns.

    Raises
    ------
    ValueError
        If ``table`` is not 2-D or ``decimals`` is not an int >= 0.

    Examples
    --------
    >>> print(format_table([[7 / 9, -1 / 9], [1.0, float("nan")]]))
     0.78 -0.11
     1.00     ?
    """
    table = _real(table, "table", 2, "a 2-D table (rows, cols)", finite=False)
    decimals = _checks.integer(decimals, "decimals", minimum=0)
    width = decimals + 3 if decimals else 2
    lines = []
    for row in table:
        cells = ["?".rjust(width) if np.isnan(v) else f"{v + 0.0:{width}.{decimals}f}" for v in row]
        lines.append(" ".join(cells))
    return "\n".join(lines)
