"""Export for serving from the JAX backend: the model's pure inference function converted
with `jax2tf` (the batch dimension shape-polymorphic) and saved as a TensorFlow SavedModel
with a `serving_default` signature. Needs TensorFlow installed (README: 'Adding TensorFlow');
TensorFlow is imported only when a model is exported."""
import numpy as np


def export(fn, values, names, inputs, output_names, path):
    """Write `fn(values, xs) -> outputs` to `path` as a SavedModel (see the TensorFlow
    backend's `saved_model.export` for the arguments)."""
    try:
        import tensorflow as tf
        from jax.experimental import jax2tf
    except ImportError as e:
        raise ImportError('export_saved_model on the JAX backend converts the model with '
                          'jax2tf and needs TensorFlow, which is not installed (%s). Install it '
                          "next to this package: pip install -e '.[tensorflow]' && pip install "
                          "--no-deps 'tensorflow==2.21.*' (README: 'Adding TensorFlow')." % (e,))
    converted = jax2tf.convert(fn, polymorphic_shapes=[None, ['(b, ...)'] * len(inputs)],
                               with_gradient=False)
    module = tf.Module()
    module.variables_list = [tf.Variable(np.asarray(v), name=_clean(n), trainable=False)
                             for v, n in zip(values, names)]
    signature = [tf.TensorSpec(shape, dtype, name=name) for name, shape, dtype in inputs]

    @tf.function(input_signature=signature, autograph=False)
    def serve(*xs):
        outputs = converted([tf.convert_to_tensor(v) for v in module.variables_list], list(xs))
        return {name: tf.identity(o) for name, o in zip(output_names, outputs)}

    module.serve = serve
    tf.saved_model.save(module, path, signatures={'serving_default': serve})
    return path


def _clean(name):
    return ''.join(c if c.isalnum() or c in '_.-' else '_' for c in str(name))
