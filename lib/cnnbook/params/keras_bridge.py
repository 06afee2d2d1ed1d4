"""The bridge to Keras: layer tables of Keras models, and Keras models from specs.

Each layer spec converts itself (:meth:`from_keras` / :meth:`to_keras` in
:mod:`cnnbook.params.specs`); this module walks a model's layers, handles
the merges and the layers without weights, and checks every computed output
shape against the one Keras reports.
"""

from .specs import _BY_KERAS_NAME, _Step
from .tables import _input_row, _row, layer_table

__all__ = ["build_keras", "keras_layer_table", "count_path_layers"]


def _spec_from_keras(layer, input_shape):
    """The layer spec that describes a Keras layer, or None for a class no spec describes."""
    spec = _BY_KERAS_NAME.get(type(layer).__name__)
    if spec is None:
        return None
    config = layer.get_config()
    if config.get("data_format", "channels_last") != "channels_last":
        raise ValueError(
            f"layer {layer.name!r}: only channels_last models are supported, got data_format={config['data_format']!r}"
        )
    return spec.from_keras(type(layer).__name__, config, input_shape)


_MERGES = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")


def _shape_of(tensor, layer):
    shape = tuple(tensor.shape[1:])
    if any(n is None for n in shape):
        raise ValueError(
            f"layer {layer.name!r} has an unknown size in its shape {tensor.shape}: "
            "build the model with a fixed keras.Input(shape=...)"
        )
    return tuple(int(n) for n in shape)


def _tensors(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _keras_step(layer, input_shapes):
    kind = type(layer).__name__
    spec = _spec_from_keras(layer, input_shapes[0])
    if spec is not None:
        if len(input_shapes) != 1:
            raise ValueError(f"layer {layer.name!r} ({kind}) has {len(input_shapes)} inputs; expected 1")
        return spec.step(input_shapes[0])
    if kind in _MERGES:
        shape = input_shapes[0]
        if any(other != shape for other in input_shapes):
            raise ValueError(f"layer {layer.name!r} ({kind}) merges different shapes {input_shapes}")
        return _Step(shape)
    if kind == "Concatenate":
        axis = layer.get_config()["axis"]
        axis = axis - 1 if axis > 0 else len(input_shapes[0]) + axis
        out = list(input_shapes[0])
        out[axis] = sum(shape[axis] for shape in input_shapes)
        return _Step(tuple(out))
    if not layer.weights:
        # A layer without weights (activation, dropout, reshape, rescaling, ...): no parameters, no mult-adds.
        return _Step(_shape_of(layer.output, layer))
    supported = ", ".join([*_BY_KERAS_NAME, "Concatenate", *_MERGES])
    raise TypeError(
        f"keras_layer_table cannot count layer {layer.name!r} of class {kind}: it has weights and "
        f"no counting rule; supported layers with weights or shape rules: {supported}, "
        "and any layer without weights"
    )


def _keras_rows(model, prefix, with_inputs):
    import keras

    rows = []
    if with_inputs:
        input_layers = [layer for layer in model.layers if type(layer).__name__ == "InputLayer"]
        if input_layers:
            rows += [_input_row(prefix + layer.name, _shape_of(layer.output, layer)) for layer in input_layers]
        else:
            rows += [_input_row(prefix + "input", _shape_of(tensor, model)) for tensor in model.inputs]
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        if isinstance(layer, keras.Model):
            rows += _keras_rows(layer, f"{prefix}{layer.name}/", with_inputs=False)
            continue
        input_shapes = [_shape_of(tensor, layer) for tensor in _tensors(layer.input)]
        step = _keras_step(layer, input_shapes)
        keras_shape = _shape_of(layer.output, layer)
        if tuple(step.output_shape) != keras_shape:
            raise RuntimeError(
                f"cnnbook computes output shape {step.output_shape} for layer {layer.name!r} "
                f"({type(layer).__name__}) but Keras reports {keras_shape}"
            )
        rows.append(_row(prefix + layer.name, type(layer).__name__, step))
    return rows


def keras_layer_table(model):
    """The layer table of a built Keras model (chapters 4 and 9).

    Walks ``model.layers`` (Sequential or functional; nested models are
    expanded, their rows named ``outer/inner``) and computes each row from
    the layer's configuration (filters, kernel size, strides, padding, units,
    use_bias, ...) and its input shapes with the same arithmetic as
    :func:`layer_table`. It never calls ``count_params()``, so
    ``totals(keras_layer_table(model))["params"] == model.count_params()`` is
    a real check. Each computed output shape is compared with the one Keras
    reports.

    Counted: ``Conv2D`` (also grouped), ``Conv1D``, ``Conv3D``, ``DepthwiseConv2D``,
    ``SeparableConv2D``, ``Dense``, ``MaxPooling2D``, ``AveragePooling2D``,
    ``GlobalAveragePooling2D``, ``GlobalMaxPooling2D``, ``Flatten``,
    ``ZeroPadding2D``, ``BatchNormalization``, ``Concatenate``, ``Add`` and
    the other merges, and any layer without weights (activations, dropout,
    reshaping), which gets zero parameters and zero multiply-adds. A layer
    used several times (shared weights) is listed once, for its first call.

    Parameters
    ----------
    model : keras.Model
        Built, with fixed input sizes (``keras.Input(shape=...)``), channels-last.

    Returns
    -------
    list of LayerRow
        One row per model input, then one per layer in ``model.layers`` order.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model, or a layer with weights has no
        counting rule here (the message names the layer and its class).
    ValueError
        If the model is not built or has a variable input size.
    RuntimeError
        If a computed output shape differs from Keras's.

    Examples
    --------
    >>> import keras
    >>> from cnnbook.params import totals
    >>> model = keras.Sequential([keras.Input(shape=(9, 9, 1)), keras.layers.Flatten(), keras.layers.Dense(20)])
    >>> totals(keras_layer_table(model))["params"] == model.count_params()
    True
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type(model).__name__}")
    try:
        model.inputs
    except (AttributeError, ValueError) as error:
        raise ValueError("model is not built: start it with keras.Input(shape=...)") from error
    if not model.inputs:
        raise ValueError("model is not built: start it with keras.Input(shape=...)")
    return _keras_rows(model, "", with_inputs=True)


def build_keras(input_shape, layers, name="from_specs"):
    """The Keras model that a list of layer specs describes (chapters 4 and 9).

    A ``keras.Sequential`` with ``keras.Input(shape=input_shape)`` and one
    Keras layer per spec, with the same names. Activation functions are left
    out: they change neither the shapes nor the counts. Use it to check a
    :func:`layer_table` against ``count_params()``.

    Parameters
    ----------
    input_shape : tuple of int
    layers : sequence of layer specs
    name : str, default "from_specs"

    Returns
    -------
    keras.Sequential

    Raises
    ------
    TypeError, ValueError
        As :func:`layer_table` (the stack is checked before Keras sees it).

    Examples
    --------
    >>> from cnnbook.params import Conv2D, Pool
    >>> model = build_keras((28, 28, 1), [Conv2D(32, 5, padding="same"), Pool(2)])
    >>> model.count_params()
    832
    """
    import keras

    rows = layer_table(input_shape, layers)
    made = [spec.to_keras(row.name) for spec, row in zip(layers, rows[1:])]
    return keras.Sequential([keras.Input(shape=tuple(input_shape)), *made], name=name)


def _histories(value):
    """Names of the layers that a config's ``inbound_nodes`` arguments come from."""
    found = []
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            found.append(value["config"]["keras_history"][0])
        else:
            for item in value.values():
                found += _histories(item)
    elif isinstance(value, (list, tuple)):
        if len(value) >= 3 and isinstance(value[0], str) and all(isinstance(v, int) for v in value[1:3]):
            found.append(value[0])  # older config format: [name, node, tensor, ...]
        else:
            for item in value:
                found += _histories(item)
    return found


def _graph(model):
    """``(order, parents)``: layer names in model order and the names each one reads."""
    config = model.get_config()
    order, parents = [], {}
    for layer in config["layers"]:
        name = layer.get("name") or layer["config"]["name"]
        order.append(name)
        parents[name] = list(dict.fromkeys(_histories(layer.get("inbound_nodes", []))))
    if not any(parents.values()):  # a Sequential model's config lists no connections: each layer reads the last
        parents = {name: order[i - 1 : i] for i, name in enumerate(order)}
    return order, parents


def count_path_layers(model):
    """Layers with weights on the shortest and the longest path through a Keras model (chapter 9).

    A network with branches (Inception's modules, ResNet's projections) has
    more layers than any one path from its input to its output passes
    through. "Depth" in a paper usually means layers along a path;
    :func:`cnnbook.params.count_weight_layers` counts all of them. Layers with
    weights are the convolutions and dense layers, as there.

    Parameters
    ----------
    model : keras.Model
        A built functional model with one input and one output.

    Returns
    -------
    dict
        ``shortest`` and ``longest``: the fewest and the most layers with
        weights that a path from the input to the output passes through.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model.

    Examples
    --------
    >>> from cnnbook.architectures import inception_demo
    >>> count_path_layers(inception_demo())  # doctest: +SKIP
    {'shortest': 1, 'longest': 2}
    """
    from .tables import _WEIGHT_LAYER_KINDS

    rows = {row.name: row for row in keras_layer_table(model)}
    order, parents = _graph(model)
    fewest, most = {}, {}
    for name in order:
        own = int(name in rows and rows[name].kind in _WEIGHT_LAYER_KINDS)
        known = [p for p in parents[name] if p in fewest]
        fewest[name] = own + (min(fewest[p] for p in known) if known else 0)
        most[name] = own + (max(most[p] for p in known) if known else 0)
    return {"shortest": fewest[order[-1]], "longest": most[order[-1]]}
