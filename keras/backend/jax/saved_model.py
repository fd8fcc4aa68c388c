"""Export for serving from the JAX backend: the model's pure inference function converted
with `jax2tf` (its unknown sizes shape-polymorphic) and saved as a TensorFlow SavedModel
with a `serving_default` signature. Needs TensorFlow installed (README: 'Adding TensorFlow');
TensorFlow is imported only when a model is exported."""


def export(fn, values, names, inputs, output_names, path):
    """Write `fn(values, xs, key) -> outputs` to `path` as a SavedModel (see the TensorFlow
    backend's `saved_model.export` for the arguments; the key is a raw uint32 pair)."""
    try:
        import tensorflow
        from jax.experimental import jax2tf
    except ImportError as e:
        raise ImportError('export_saved_model on the JAX backend converts the model with '
                          'jax2tf and needs TensorFlow, which is not installed (%s). Install it '
                          "next to this package: pip install -e '.[tensorflow]' && pip install "
                          "--no-deps 'tensorflow==2.21.*' (README: 'Adding TensorFlow')." % (e,))
    from ..tensorflow import saved_model as tf_saved_model
    converted = jax2tf.convert(fn, polymorphic_shapes=[None, _polymorphic_shapes(inputs), None],
                               with_gradient=False)
    return tf_saved_model.export(converted, values, names, inputs, output_names, path,
                                 key_dtype=tensorflow.uint32)


def _polymorphic_shapes(inputs):
    """jax2tf's shape specifications of the model's inputs (`(name, shape, dtype)`): the
    unknown batch size one symbol `b` for all, every other unknown size a symbol of its own
    (a text model's `Input((None,))`, a fully convolutional `Input((None, None, 3))`),
    known sizes as they are."""
    specs = []
    for k, (_, shape, _) in enumerate(inputs):
        dims = ['b' if j == 0 and d is None else 'd%d_%d' % (k, j) if d is None else str(d)
                for j, d in enumerate(shape)]
        specs.append('(%s)' % ', '.join(dims))
    return specs
