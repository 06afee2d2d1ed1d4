"""What has a CNN learned? Activations, saliency, Grad-CAM, occlusion, maximal inputs, attacks.

Chapter 10. Every function takes a Keras classifier (a ``keras.Sequential``
chain or a functional ``keras.Model`` such as
:func:`cnnbook.pretrained.load_efficientnet_lite0`, with one channels-last
input and one output, the output layer a ``Dense`` layer) and numpy arrays,
and returns numpy arrays. Images follow the book's one convention
(:func:`cnnbook._checks.float_image`): integers hold 0-255, floats must lie in
[0, 1]; both networks of chapter 10 take [0, 1] inputs. Gradients come from
``tf.GradientTape``. Where a gradient of a class score is needed, the score
is the *logit* (the input of the final softmax), not the probability: a
confident softmax saturates at 1.0 in float32 and its gradient vanishes.
"""

import weakref

import numpy as np

from . import _checks

__all__ = [
    "receptive_fields",
    "layer_outputs",
    "logits",
    "saliency_map",
    "grad_cam",
    "occlusion_map",
    "effective_receptive_field",
    "randomized_copy",
    "top_activating",
    "top_activating_patches",
    "maximize_activation",
    "fgsm",
    "pgd",
    "fgsm_accuracy",
]


def _check_model(model):
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model (Sequential or functional); got {type(model).__name__}")
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ValueError(
            f"model must have exactly one input and one output; got {len(model.inputs)} and {len(model.outputs)}"
        )


def _check_images(model, images):
    """A float32 batch ``(N, *input_shape)`` from ``images``, values unchanged; one image gets a batch axis."""
    input_shape = tuple(model.inputs[0].shape[1:])
    layout = f"(N, {', '.join(map(str, input_shape))}) or ({', '.join(map(str, input_shape))})"
    array = _checks.array(images, "images", (len(input_shape), len(input_shape) + 1), layout)
    if array.shape == input_shape:
        array = array[np.newaxis]
    if tuple(array.shape[1:]) != input_shape:
        raise ValueError(f"images must have shape {layout} to fit the model; got shape {np.shape(images)}")
    return array.astype(np.float32)


def _images(model, images):
    """:func:`_check_images` after the book's image convention: integers 0-255 -> [0, 1]; floats in [0, 1]."""
    rank = len(model.inputs[0].shape) - 1
    return _check_images(
        model, _checks.float_image(images, "images", ndim=(rank, rank + 1), layout="an image or a batch of images")
    )


def _check_layer(model, layer_name):
    if not isinstance(layer_name, str):
        raise TypeError(
            f"layer_name must be a str (a name in [layer.name for layer in model.layers]); got {layer_name!r}"
        )
    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        shown = names if len(names) <= 12 else names[:6] + ["..."] + names[-3:]
        raise ValueError(f"layer_name must be one of the model's {len(names)} layer names {shown}; got {layer_name!r}")
    return model.get_layer(layer_name)


def _check_spatial_layer(model, layer_name):
    """The layer called ``layer_name``, which must output maps (rows, cols, channels)."""
    layer = _check_layer(model, layer_name)
    if len(layer.output.shape) != 4:
        raise ValueError(
            f"layer_name must name a layer with (rows, cols, channels) output; "
            f"{layer_name!r} outputs {tuple(layer.output.shape)}"
        )
    return layer


def _check_labels(name, labels, count, num_classes):
    array = np.asarray(labels)
    if array.ndim == 0:
        array = np.full(count, array)
    if array.dtype.kind not in "iu" or array.shape != (count,):
        raise ValueError(f"{name} must be an int or {count} ints (one per image); got {labels!r}")
    if array.min() < 0 or array.max() >= num_classes:
        raise ValueError(f"{name} must be in 0..{num_classes - 1}; got values {array.min()}..{array.max()}")
    return array.astype(np.int64)


def _final_dense(model):
    import keras

    last = model.layers[-1]
    if not isinstance(last, keras.layers.Dense):
        raise ValueError(
            f"model must end in a Dense layer (the class scores); its last layer is {type(last).__name__} {last.name!r}"
        )
    return last


def _symbolic_outputs(model, layer_names):
    """The symbolic outputs of ``layer_names`` in ``model``'s own graph; ``None`` stands for the logits' input.

    A ``keras.Sequential`` keeps more than one graph of its layers (``layer.output``
    and the next layer's ``layer.input`` can be different tensors), so its
    chain is traced once more from its input; a functional model's layers
    have one graph.
    """
    import keras

    last = _final_dense(model)
    if not isinstance(model, keras.Sequential):
        return [last.input if name is None else model.get_layer(name).output for name in layer_names]
    traced, hidden = {}, model.inputs[0]
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if layer is last:
            traced[None] = hidden
        hidden = layer(hidden)
        traced[layer.name] = hidden
    return [traced[name] for name in layer_names]


# One probe model per (model, layer names): building one, and tracing its predict
# function, costs more than a forward pass of a small network.
_PROBES = weakref.WeakKeyDictionary()


def _probe(model, layer_names):
    """A cached model with ``model``'s weights that outputs ``layer_names`` (``None``: the logits' input)."""
    import keras

    probes = _PROBES.setdefault(model, {})
    key = tuple(layer_names)
    if key not in probes:
        probes[key] = keras.Model(model.inputs[0], _symbolic_outputs(model, key))
    return probes[key]


def _forward(model, inputs, layer_names=()):
    """Run ``model`` on a tensor; return ``[outputs of layer_names...], logits``.

    A probe model with the same weights outputs the named layers and the
    input of the final Dense layer; the Dense layer is then applied without
    its activation, which gives the logits. A ``GradientTape`` can
    differentiate through it.
    """
    import keras

    last = _final_dense(model)
    outputs = _probe(model, tuple(layer_names) + (None,))(inputs, training=False)
    *kept, features = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    scores = keras.ops.matmul(features, last.kernel)
    if last.use_bias:
        scores = scores + last.bias
    return kept, scores


def receptive_fields(model):
    """Receptive field and stride of every spatial layer of a CNN (chapter 10).

    Walks a chain of ``Conv2D`` and pooling layers: a ``k x k`` window with
    dilation ``d`` on a layer whose neighbouring outputs lie ``j`` input
    pixels apart widens the field by ``d (k - 1) j`` pixels, and a stride
    ``s`` multiplies ``j`` by ``s``. Square kernels and strides are assumed
    (the first entry of each pair is used). Layers without a spatial output
    (Flatten, Dense) see the whole image and are left out.

    Parameters
    ----------
    model : keras.Sequential

    Returns
    -------
    dict
        ``{layer name: (field, jump)}``: one output position of the layer
        depends on a ``field x field`` patch of the input, and neighbouring
        positions lie ``jump`` input pixels apart.

    Examples
    --------
    >>> receptive_fields(lecture_cnn())  # doctest: +SKIP
    {'conv1': (5, 1), 'p1': (6, 2), 'conv2': (14, 2), 'p2': (16, 4)}
    """
    import keras

    _check_model(model)
    field, jump = 1, 1
    fields = {}
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.DepthwiseConv2D)):
            field += layer.dilation_rate[0] * (layer.kernel_size[0] - 1) * jump
            jump *= layer.strides[0]
        elif isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
            field += (layer.pool_size[0] - 1) * jump
            jump *= layer.strides[0]
        elif len(layer.output.shape) != 4:
            break
        fields[layer.name] = (field, jump)
    return fields


def layer_outputs(model, images, layer_names=None):
    """Activations of several layers for a batch of images (chapter 10).

    Parameters
    ----------
    model : keras.Sequential
        One input, channels-last.
    images : array_like, shape (N, *input_shape) or input_shape
    layer_names : sequence of str, optional
        Default: every layer of ``model`` (in order).

    Returns
    -------
    dict
        ``{layer name: ndarray (N, ...)}`` in the order asked for.

    Raises
    ------
    TypeError, ValueError
        For a non-Keras model, badly shaped images or an unknown layer name.

    Examples
    --------
    >>> acts = layer_outputs(model, x_test[:1], ["conv1", "p1"])  # doctest: +SKIP
    >>> acts["conv1"].shape  # doctest: +SKIP
    (1, 28, 28, 32)
    """
    _check_model(model)
    batch = _images(model, images)
    if layer_names is None:
        layer_names = [layer.name for layer in model.layers]
    elif isinstance(layer_names, str):
        raise TypeError(f"layer_names must be a sequence of layer names, not one str; got {layer_names!r}")
    layer_names = list(layer_names)
    for name in layer_names:
        _check_layer(model, name)
    outputs = _probe(model, layer_names).predict_on_batch(batch)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return {name: np.asarray(output) for name, output in zip(layer_names, outputs)}


def logits(model, images):
    """The class scores before the final softmax (chapter 10).

    Parameters
    ----------
    model : keras.Sequential
        Ends in a ``Dense`` layer (with or without a softmax activation).
    images : array_like, shape (N, *input_shape) or input_shape

    Returns
    -------
    ndarray, shape (N, num_classes), float32

    Raises
    ------
    TypeError, ValueError
        For a non-Keras model, a model not ending in ``Dense``, or badly shaped images.
    """
    _check_model(model)
    batch = _images(model, images)
    _, scores = _forward(model, batch)
    return np.asarray(scores)


def _gradient_of_score(model, batch, class_index, layer_names=()):
    import tensorflow as tf

    inputs = tf.convert_to_tensor(batch)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        maps, scores = _forward(model, inputs, layer_names)
        if class_index is None:
            chosen = tf.argmax(scores, axis=1)
        else:
            chosen = tf.constant(class_index)
        picked = tf.gather(scores, chosen, axis=1, batch_dims=1)
    targets = maps if layer_names else inputs
    gradients = tape.gradient(picked, targets)
    return gradients, maps, np.asarray(chosen)


def saliency_map(model, images, class_index=None):
    """Vanilla gradient saliency: how much each pixel moves the class score (chapter 10).

    ``|d score_c / d x|``, maximised over the colour channels (Simonyan,
    Vedaldi and Zisserman, 2014), where ``score_c`` is the logit of class
    ``c``.

    Parameters
    ----------
    model : keras.Sequential
        A classifier ending in a ``Dense`` layer.
    images : array_like, shape (N, H, W, C) or (H, W, C)
    class_index : int or sequence of int, optional
        The class whose score is explained, for all images or one per image.
        Default: each image's predicted class.

    Returns
    -------
    ndarray, shape (N, H, W), float32, >= 0

    Raises
    ------
    TypeError, ValueError
        For bad images or a class index outside ``0..num_classes - 1``.

    Examples
    --------
    >>> saliency_map(model, x_test[:2]).shape  # doctest: +SKIP
    (2, 28, 28)
    """
    _check_model(model)
    batch = _images(model, images)
    if batch.ndim != 4:
        raise ValueError(f"images must be (N, H, W, C) for saliency; got shape {batch.shape}")
    if class_index is not None:
        class_index = _check_labels("class_index", class_index, len(batch), _final_dense(model).units)
    gradients, _, _ = _gradient_of_score(model, batch, class_index)
    return np.abs(np.asarray(gradients)).max(axis=-1)


def grad_cam(model, images, layer_name, class_index=None, upsample=True):
    """Grad-CAM: which places of a convolutional layer's maps raise a class score (chapter 10).

    Each channel ``k`` of the layer gets a weight ``alpha_k``, the spatial
    mean of ``d score_c / d A_k``; the map is ``ReLU(sum_k alpha_k A_k)``
    (Selvaraju et al., 2017), divided by its maximum so it lies in [0, 1]
    (all zeros when no place raises the score).

    Parameters
    ----------
    model : keras.Sequential
        A classifier ending in a ``Dense`` layer.
    images : array_like, shape (N, H, W, C) or (H, W, C)
    layer_name : str
        A layer with output ``(batch, rows, cols, channels)``, usually the last convolution.
    class_index : int or sequence of int, optional
        Default: each image's predicted class.
    upsample : bool
        Resize the map (bilinear) to the input's ``H x W``.

    Returns
    -------
    ndarray, shape (N, H, W) if ``upsample`` else (N, rows, cols), float32 in [0, 1]

    Raises
    ------
    TypeError, ValueError
        For bad images, an unknown or non-spatial layer, or a bad class index.
    """
    import tensorflow as tf

    _check_model(model)
    batch = _images(model, images)
    _check_spatial_layer(model, layer_name)
    if class_index is not None:
        class_index = _check_labels("class_index", class_index, len(batch), _final_dense(model).units)
    gradients, maps, _ = _gradient_of_score(model, batch, class_index, [layer_name])
    weights = tf.reduce_mean(gradients[0], axis=(1, 2), keepdims=True)
    cam = tf.nn.relu(tf.reduce_sum(weights * maps[0], axis=-1))
    if upsample:
        cam = tf.image.resize(cam[..., tf.newaxis], batch.shape[1:3], method="bilinear")[..., 0]
    cam = np.asarray(cam, dtype=np.float32)
    peaks = cam.reshape(len(cam), -1).max(axis=1).reshape(-1, 1, 1)
    return np.divide(cam, peaks, out=np.zeros_like(cam), where=peaks > 0)


def occlusion_map(model, images, class_index, patch=32, stride=None, fill=0.5, batch_size=64):
    """Occlusion sensitivity: how much a class score drops when a square is greyed out (chapter 10).

    The model-agnostic baseline of Zeiler and Fergus (2014): slide a
    ``patch x patch`` square of value ``fill`` over the image with step
    ``stride`` and record, at each position, the class logit of the clean
    image minus the logit of the occluded one. No gradient is used, so the
    map cannot be an artefact of back-propagation; it costs one forward pass
    per position.

    Parameters
    ----------
    model : keras.Model
        A classifier ending in a ``Dense`` layer.
    images : array_like, shape (N, H, W, C) or (H, W, C)
    class_index : int, sequence of N ints, or array of shape (N, K)
        The class (or, per image, the K classes) whose score is followed; one
        set of occluded passes serves all K classes of an image.
    patch : int
        Side of the grey square in pixels.
    stride : int, optional
        Step between positions (default: ``patch``, squares that tile the image).
    fill : float
        The square's value, in [0, 1] (0.5: mid-grey).
    batch_size : int

    Returns
    -------
    ndarray, float32
        ``(N, rows, cols)``, or ``(N, K, rows, cols)`` for a 2-D ``class_index``,
        with ``rows = (H - patch) // stride + 1`` (and ``cols`` alike); entry
        ``[n, i, j]`` is the drop for the square whose top-left corner is
        ``(i * stride, j * stride)``. Positive: the covered pixels supported the class.

    Raises
    ------
    TypeError, ValueError
        For bad images, class indices, or a patch larger than the image.
    """
    _check_model(model)
    batch = _images(model, images)
    if batch.ndim != 4:
        raise ValueError(f"images must be (N, H, W, C) for occlusion; got shape {batch.shape}")
    height, width = batch.shape[1:3]
    patch = _checks.integer(patch, "patch", minimum=1, maximum=min(height, width))
    stride = patch if stride is None else _checks.integer(stride, "stride", minimum=1)
    fill = _checks.number(fill, "fill", minimum=0, maximum=1)
    batch_size = _checks.integer(batch_size, "batch_size", minimum=1)
    classes = _final_dense(model).units
    many = np.ndim(class_index) == 2
    if many:
        chosen = np.asarray(class_index)
        if chosen.shape[0] != len(batch) or chosen.dtype.kind not in "iu":
            raise ValueError(f"class_index must be (N, K) ints with N = {len(batch)}; got shape {chosen.shape}")
        chosen = np.stack([_check_labels("class_index", column, len(batch), classes) for column in chosen.T], 1)
    else:
        chosen = _check_labels("class_index", class_index, len(batch), classes)[:, None]
    tops, lefts = range(0, height - patch + 1, stride), range(0, width - patch + 1, stride)
    corners = [(top, left) for top in tops for left in lefts]
    drops = np.empty((len(batch), chosen.shape[1], len(corners)), np.float32)
    for n, image in enumerate(batch):
        clean = np.asarray(_forward(model, image[None])[1])[0, chosen[n]]
        for start in range(0, len(corners), batch_size):
            part = corners[start : start + batch_size]
            occluded = np.repeat(image[None], len(part), axis=0)
            for k, (top, left) in enumerate(part):
                occluded[k, top : top + patch, left : left + patch] = fill
            scores = np.asarray(_forward(model, occluded)[1])[:, chosen[n]]  # (positions, K)
            drops[n, :, start : start + len(part)] = (clean - scores).T
    drops = drops.reshape(len(batch), chosen.shape[1], len(tops), len(lefts))
    return drops if many else drops[:, 0]


def effective_receptive_field(model, images, layer_name, position=None):
    """How strongly each input pixel moves one position of a layer: its effective receptive field (chapter 10).

    The gradient of the sum over channels of ``layer_name`` at one position
    with respect to the input (Luo et al., 2016), in absolute value, summed
    over the colour channels and averaged over the images. The theoretical
    field (:func:`receptive_fields`) says which pixels *can* matter; this map
    says how much they do.

    Parameters
    ----------
    model : keras.Model
    images : array_like, shape (N, H, W, C) or (H, W, C)
    layer_name : str
        A layer with output ``(batch, rows, cols, channels)``.
    position : (int, int), optional
        The (row, col) of the map; default its centre ``(rows // 2, cols // 2)``.

    Returns
    -------
    ndarray, shape (H, W), float32, >= 0

    Raises
    ------
    TypeError, ValueError
        For bad images, an unknown or non-spatial layer, or a position outside the map.
    """
    import tensorflow as tf

    _check_model(model)
    batch = _images(model, images)
    layer = _check_spatial_layer(model, layer_name)
    rows, cols = layer.output.shape[1:3]
    if position is None:
        position = (rows // 2, cols // 2)
    if not isinstance(position, (tuple, list)) or len(position) != 2:
        raise TypeError(f"position must be a (row, col) pair; got {position!r}")
    row = _checks.integer(position[0], "position[0] (the row)", minimum=0, maximum=rows - 1)
    col = _checks.integer(position[1], "position[1] (the column)", minimum=0, maximum=cols - 1)
    inputs = tf.convert_to_tensor(batch)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        (maps,), _ = _forward(model, inputs, [layer_name])
        total = tf.reduce_sum(maps[:, row, col, :])
    gradient = np.abs(np.asarray(tape.gradient(total, inputs))).sum(axis=-1)
    return gradient.mean(axis=0).astype(np.float32)


def randomized_copy(model, layer_names, seed=0):
    """A copy of ``model`` with the weights of some layers replaced by random numbers (chapter 10).

    The model-randomisation test of Adebayo et al. (2018): an explanation
    that describes what the network learned must change when the learned
    weights are destroyed. Each weight array of the named layers is
    replaced by Gaussian noise with that array's own mean and standard
    deviation (so the scale of the activations stays plausible); every other
    layer keeps its trained weights. ``model`` itself is not changed.

    Parameters
    ----------
    model : keras.Model
    layer_names : sequence of str
        Layers to randomise, e.g. the last few (a cascade from the top).
    seed : int

    Returns
    -------
    keras.Model
        A new model of the same architecture.

    Raises
    ------
    TypeError, ValueError
        For a non-Keras model or an unknown layer name.
    """
    import keras

    _check_model(model)
    if isinstance(layer_names, str):
        raise TypeError(f"layer_names must be a sequence of layer names, not one str; got {layer_names!r}")
    for name in layer_names:
        _check_layer(model, name)
    seed = _checks.integer(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    for name in layer_names:
        layer = copy.get_layer(name)
        layer.set_weights(
            [(w.mean() + w.std() * rng.standard_normal(w.shape)).astype(w.dtype) for w in layer.get_weights()]
        )
    return copy


def _check_units(model, layer_name, units):
    """A list of valid unit (channel) indices of ``layer_name``."""
    layer = _check_layer(model, layer_name)
    channels = layer.output.shape[-1]
    units = [units] if _checks.is_int(units) else list(units) if hasattr(units, "__iter__") else [units]
    if not units:
        raise ValueError(f"units must be ints in 0..{channels - 1} (the channels of {layer_name!r}); got none")
    return [
        _checks.integer(unit, f"units (the channels of {layer_name!r})", minimum=0, maximum=channels - 1)
        for unit in units
    ]


def top_activating(model, images, layer_name, units, count=9, batch_size=256):
    """The dataset images that excite each of several units most (chapter 10).

    A unit of a convolutional layer is one channel, scored by its mean over
    all positions; a unit of a flat layer is one neuron. For the model's
    last layer the score is the logit. One forward pass over ``images``
    serves all units.

    Parameters
    ----------
    model : keras.Sequential
    images : array_like, shape (N, *input_shape)
    layer_name : str
    units : int or sequence of int
        Channel (or neuron) indices in the layer's last axis.
    count : int
        How many images to return per unit (at most N).
    batch_size : int

    Returns
    -------
    indices : ndarray of int, shape (len(units), count)
        Into ``images``, strongest first.
    scores : ndarray of float32, shape (len(units), count)

    Raises
    ------
    TypeError, ValueError
        For bad images, an unknown layer, a unit out of range or a count < 1.

    Examples
    --------
    >>> indices, scores = top_activating(model, x_test, "conv2", [0, 1], count=5)  # doctest: +SKIP
    >>> indices.shape  # doctest: +SKIP
    (2, 5)
    """
    _check_model(model)
    batch = _images(model, images)
    units = _check_units(model, layer_name, units)
    count = _checks.integer(count, "count", minimum=1)
    batch_size = _checks.integer(batch_size, "batch_size", minimum=1)
    use_logits = layer_name == model.layers[-1].name
    scores = []
    for start in range(0, len(batch), batch_size):
        chunk = batch[start : start + batch_size]
        if use_logits:
            _, output = _forward(model, chunk)
        else:
            (output,), _ = _forward(model, chunk, [layer_name])
        output = np.asarray(output)
        scores.append(output.reshape(len(chunk), -1, output.shape[-1]).mean(axis=1)[:, units])
    scores = np.concatenate(scores).T  # (units, N)
    order = np.argsort(-scores, axis=1, kind="stable")[:, : min(count, batch.shape[0])]
    return order, np.take_along_axis(scores, order, axis=1)


def top_activating_patches(model, images, layer_name, units, count=6, inside=True, batch_size=32):
    """The image patches that excite each of several channels most (chapter 10).

    The idea of the Deep Visualization Toolbox (Yosinski et al., 2015): for
    one channel of a convolutional layer, find the positions of its map with
    the largest activation and cut out the input patch each position sees
    (its receptive field, :func:`receptive_fields`). One patch per image (at
    the channel's strongest position in it), so the patches come from
    ``count`` different images. The patch is centred on the position's
    place in the image, ``(row + 0.5) * H / rows - 0.5``, exact for "same"
    padding. With ``inside=True`` only positions whose whole patch lies in
    the image compete, so channels that respond to the zero padding at the
    border do not fill the picture with half-black patches; otherwise the
    parts of a patch outside the image are black.

    Parameters
    ----------
    model : keras.Model
    images : array_like, shape (N, *input_shape)
        Follows the book's image convention (integers 0-255 or floats in [0, 1]).
    layer_name : str
        A layer with output ``(batch, rows, cols, channels)``.
    units : int or sequence of int
        Channel indices.
    count : int
        Patches per channel (at most N).
    inside : bool
        Consider only positions whose patch lies wholly inside the image.
    batch_size : int

    Returns
    -------
    patches : ndarray, shape (len(units), count, field, field, C), float32
        ``field`` is the layer's receptive field, at most the image size.
    sources : ndarray of int, shape (len(units), count)
        The image each patch comes from, strongest first.
    scores : ndarray of float32, shape (len(units), count)
        The channel's activation at the patch's centre position.

    Raises
    ------
    TypeError, ValueError
        For bad images, an unknown or non-spatial layer, a unit out of range, a count < 1,
        or ``inside=True`` when no patch fits inside the image.

    Examples
    --------
    >>> patches, sources, scores = top_activating_patches(model, photos, "block3b_out", [0, 5])  # doctest: +SKIP
    >>> patches.shape  # doctest: +SKIP
    (2, 6, 67, 67, 3)
    """
    _check_model(model)
    batch = _images(model, images)
    layer = _check_spatial_layer(model, layer_name)
    units = _check_units(model, layer_name, units)
    count = min(_checks.integer(count, "count", minimum=1), len(batch))
    batch_size = _checks.integer(batch_size, "batch_size", minimum=1)
    height, width = batch.shape[1:3]
    rows, cols = layer.output.shape[1:3]
    field = min(receptive_fields(model)[layer_name][0], height, width)
    half = field // 2
    centre_rows = np.round((np.arange(rows) + 0.5) * height / rows - 0.5).astype(int)
    centre_cols = np.round((np.arange(cols) + 0.5) * width / cols - 0.5).astype(int)
    allowed = np.ones((rows, cols), bool)
    if inside:
        if not isinstance(inside, bool):
            raise TypeError(f"inside must be a bool; got {inside!r}")
        fits_rows = (centre_rows - half >= 0) & (centre_rows - half + field <= height)
        fits_cols = (centre_cols - half >= 0) & (centre_cols - half + field <= width)
        allowed = np.outer(fits_rows, fits_cols)
        if not allowed.any():
            raise ValueError(
                f"no {field} x {field} patch of {layer_name!r} lies inside a {height} x {width} image; use inside=False"
            )
    allowed = allowed.ravel()
    probe = _probe(model, [layer_name])
    best, where = [], []
    for start in range(0, len(batch), batch_size):
        maps = probe.predict_on_batch(batch[start : start + batch_size])
        maps = np.where(allowed[:, None], np.asarray(maps)[..., units].reshape(-1, rows * cols, len(units)), -np.inf)
        best.append(maps.max(axis=1))
        where.append(maps.argmax(axis=1))
    best, where = np.concatenate(best).T, np.concatenate(where).T  # (units, N)
    sources = np.argsort(-best, axis=1, kind="stable")[:, :count]
    scores = np.take_along_axis(best, sources, axis=1)
    padded = np.pad(batch, ((0, 0), (half, field), (half, field), (0, 0)))
    patches = np.empty((len(units), count, field, field, batch.shape[-1]), np.float32)
    for u in range(len(units)):
        for k, image in enumerate(sources[u]):
            row, col = divmod(int(where[u, image]), cols)
            # The patch starts half a field before the centre, which is where the centre sits in `padded`.
            top, left = centre_rows[row], centre_cols[col]
            patches[u, k] = padded[image, top : top + field, left : left + field]
    return patches, sources, scores


def maximize_activation(
    model, layer_name, units, steps=100, step_size=0.05, blur_every=4, blur_sigma=0.5, decay=0.01, seed=0
):
    """Synthesise inputs that excite units, by gradient ascent on the input (chapter 10).

    Starts from grey plus a little noise and repeats: step along the
    normalised gradient of the unit's activation (its logit for the last
    layer), shrink towards grey (L2 decay), blur a little every few steps
    and clip to [0, 1]. The decay and blur are the regularisers of Yosinski
    et al. (2015, the Deep Visualization Toolbox); without them the image
    fills with high-frequency noise that excites the unit just as well.

    Parameters
    ----------
    model : keras.Sequential
    layer_name : str
    units : sequence of int
        One synthetic image per unit, optimised together as a batch.
    steps : int
        Gradient-ascent steps.
    step_size : float
        Step length per pixel (the gradient is divided by its RMS).
    blur_every : int
        Blur after every ``blur_every`` steps (0: never).
    blur_sigma : float
        Standard deviation in pixels of the Gaussian blur.
    decay : float
        Fraction of the distance to grey removed each step (0: none).
    seed : int

    Returns
    -------
    images : ndarray, shape (len(units), *input_shape), float32 in [0, 1]
    activations : ndarray, shape (len(units),)
        Each unit's activation on its final image.

    Raises
    ------
    TypeError, ValueError
        For an unknown layer, units out of range, or bad step settings.
    """
    import tensorflow as tf
    from scipy.ndimage import gaussian_filter

    _check_model(model)
    units = _check_units(model, layer_name, units)
    steps = _checks.integer(steps, "steps", minimum=1)
    blur_every = _checks.integer(blur_every, "blur_every", minimum=0)
    seed = _checks.integer(seed, "seed", minimum=0)
    step_size = _checks.number(step_size, "step_size", minimum=0)
    blur_sigma = _checks.number(blur_sigma, "blur_sigma", minimum=0)
    decay = _checks.number(decay, "decay", minimum=0)
    if decay >= 1:
        raise ValueError(f"decay must be below 1 (1 would reset the image to grey every step); got {decay!r}")
    use_logits = layer_name == model.layers[-1].name
    input_shape = tuple(model.inputs[0].shape[1:])
    rng = np.random.default_rng(seed)
    image = (0.5 + 0.05 * rng.standard_normal((len(units), *input_shape))).astype(np.float32)
    index = tf.constant(units)

    def activation(batch):
        if use_logits:
            _, output = _forward(model, batch)
        else:
            (output,), _ = _forward(model, batch, [layer_name])
        flat = tf.reshape(output, (len(units), -1, output.shape[-1]))
        per_unit = tf.gather(flat, index, axis=2, batch_dims=1)
        return tf.reduce_mean(per_unit, axis=1)

    sigma = (0,) + (blur_sigma,) * (len(input_shape) - 1) + (0,)
    for step in range(steps):
        tensor = tf.convert_to_tensor(image)
        with tf.GradientTape() as tape:
            tape.watch(tensor)
            total = tf.reduce_sum(activation(tensor))
        gradient = np.asarray(tape.gradient(total, tensor))
        rms = np.sqrt(np.mean(gradient**2, axis=tuple(range(1, gradient.ndim)), keepdims=True)) + 1e-8
        image = image + step_size * gradient / rms
        image = 0.5 + (1 - decay) * (image - 0.5)
        if blur_every and blur_sigma and (step + 1) % blur_every == 0:
            image = gaussian_filter(image, sigma)
        image = np.clip(image, 0.0, 1.0).astype(np.float32)
    return image, np.asarray(activation(tf.convert_to_tensor(image)))


def _loss_gradient_sign(model, images, labels):
    """``sign(d loss / d x)`` for the cross-entropy of the true labels (chapter 10).

    The direction the fast gradient sign method steps in. The loss is
    computed from the logits, so confidently classified images still get a
    non-zero gradient.

    Parameters
    ----------
    model : keras.Sequential
        A classifier ending in a ``Dense`` layer.
    images : array_like, shape (N, *input_shape) or input_shape
    labels : int or sequence of int
        True class of each image.

    Returns
    -------
    ndarray, same shape as the batch, float32 with values -1, 0 or +1
    """
    import tensorflow as tf

    _check_model(model)
    batch = _images(model, images)
    labels = _check_labels("labels", labels, len(batch), _final_dense(model).units)
    inputs = tf.convert_to_tensor(batch)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        _, scores = _forward(model, inputs)
        loss = tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, scores))
    return np.sign(np.asarray(tape.gradient(loss, inputs))).astype(np.float32)


def _attack_arguments(model, images, epsilon, targeted):
    """The checked inputs of :func:`fgsm` and :func:`pgd` (chapter 10).

    Returns
    -------
    batch : ndarray, shape (N, *input_shape), float32
    epsilon : float
    direction : float
        +1 to raise the loss of the labels (untargeted), -1 to lower it (targeted).
    """
    epsilon = _checks.number(epsilon, "epsilon", minimum=0)
    direction = -1.0 if _checks.boolean(targeted, "targeted") else 1.0
    return _images(model, images), epsilon, direction


def fgsm(model, images, labels, epsilon, targeted=False):
    """Adversarial examples by the fast gradient sign method (chapter 10).

    ``x_adv = clip(x + epsilon * sign(d loss / d x), 0, 1)`` (Goodfellow,
    Shlens and Szegedy, 2015): every pixel moves by at most ``epsilon``, in
    the direction that raises the loss of the true label. A *targeted*
    attack steps the other way on the loss of a chosen target class,
    ``x - epsilon * sign(d loss_target / d x)``, towards that class.

    Parameters
    ----------
    model : keras.Sequential
        A classifier ending in a ``Dense`` layer, on inputs in [0, 1].
    images : array_like, shape (N, *input_shape) or input_shape
    labels : int or sequence of int
        The true classes, or with ``targeted=True`` the target classes.
    epsilon : float
        The largest change of any pixel, >= 0.
    targeted : bool

    Returns
    -------
    ndarray, shape (N, *input_shape), float32 in [0, 1]

    Raises
    ------
    TypeError, ValueError
        For bad images or labels, or a negative or non-finite epsilon.

    Examples
    --------
    >>> adversarial = fgsm(model, x_test[:5], y_test[:5], epsilon=0.1)  # doctest: +SKIP
    >>> float(abs(adversarial - x_test[:5]).max()) <= 0.1  # doctest: +SKIP
    True
    """
    batch, epsilon, direction = _attack_arguments(model, images, epsilon, targeted)
    signs = _loss_gradient_sign(model, batch, labels)
    return np.clip(batch + direction * epsilon * signs, 0.0, 1.0)


def pgd(model, images, labels, epsilon, steps=10, step_size=None, targeted=False):
    """Adversarial examples by projected gradient descent, FGSM repeated (chapter 10).

    Starting from the clean image ``x``, ``steps`` times: one FGSM step of
    ``step_size`` from the current image, then *projection* back onto the
    epsilon-ball around ``x`` (each pixel clipped to ``[x - epsilon,
    x + epsilon]``) and onto the valid range [0, 1] (Madry et al., 2018,
    here without their random start). Each step follows the gradient afresh,
    so PGD finds adversarial examples that one step misses.

    Parameters
    ----------
    model, images, labels, epsilon, targeted
        See :func:`fgsm`.
    steps : int
    step_size : float, optional
        Default ``2.5 * epsilon / steps`` (Madry et al.'s choice).

    Returns
    -------
    ndarray, shape (N, *input_shape), float32 in [0, 1], within epsilon of the input

    Raises
    ------
    TypeError, ValueError
        For bad images, labels, epsilon, steps or step size.
    """
    clean, epsilon, direction = _attack_arguments(model, images, epsilon, targeted)
    steps = _checks.integer(steps, "steps", minimum=1)
    step_size = 2.5 * epsilon / steps if step_size is None else _checks.number(step_size, "step_size", minimum=0)
    adversarial = clean
    for _ in range(steps):
        adversarial = adversarial + direction * step_size * _loss_gradient_sign(model, adversarial, labels)
        adversarial = np.clip(np.clip(adversarial, clean - epsilon, clean + epsilon), 0.0, 1.0)
    return adversarial.astype(np.float32)


def fgsm_accuracy(model, images, labels, epsilons, batch_size=500):
    """Accuracy on FGSM examples for each epsilon (chapter 10).

    The gradient sign does not depend on epsilon, so it is computed once per
    image and reused for every epsilon.

    Parameters
    ----------
    model : keras.Sequential
    images : array_like, shape (N, *input_shape)
    labels : sequence of int
    epsilons : sequence of float
        Each >= 0; 0 gives the clean accuracy.
    batch_size : int

    Returns
    -------
    ndarray, shape (len(epsilons),)
        Fraction of the adversarial images classified as their label.
    """
    _check_model(model)
    batch = _images(model, images)
    labels = _check_labels("labels", labels, len(batch), _final_dense(model).units)
    epsilons = [_checks.number(value, "epsilon", minimum=0) for value in np.atleast_1d(epsilons).tolist()]
    batch_size = _checks.integer(batch_size, "batch_size", minimum=1)
    correct = np.zeros(len(epsilons))
    for start in range(0, len(batch), batch_size):
        chunk, chunk_labels = batch[start : start + batch_size], labels[start : start + batch_size]
        signs = _loss_gradient_sign(model, chunk, chunk_labels)
        for position, epsilon in enumerate(epsilons):
            _, scores = _forward(model, np.clip(chunk + epsilon * signs, 0.0, 1.0))
            correct[position] += np.sum(np.argmax(np.asarray(scores), axis=1) == chunk_labels)
    return correct / len(batch)
