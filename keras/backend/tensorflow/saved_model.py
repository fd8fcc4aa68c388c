"""Export for serving on TensorFlow: a model's pure inference function as a TensorFlow
SavedModel with a `serving_default` signature (inputs by name, batch of any size)."""
import numpy as np
import tensorflow as tf


def export(fn, values, names, inputs, output_names, path, key_dtype=tf.int64):
    """Write `fn(values, xs, key) -> outputs` to `path` as a SavedModel.

    Args:
        fn: pure inference function of the variable values, the list of inputs and a raw
            random key (a pair of integers of `key_dtype`), which each call of the
            SavedModel draws anew.
        values: the variable values (stored as the SavedModel's variables).
        names: a name for each value (the variables' names).
        inputs: (name, shape with None batch, dtype) for each input.
        output_names: the names of the outputs in the serving signature.
        path: the SavedModel directory.
        key_dtype: the dtype of the key `fn` takes.
    """
    module = tf.Module()
    with tf.init_scope():
        module.variables_list = [tf.Variable(np.asarray(v), name=_clean(n), trainable=False)
                                 for v, n in zip(values, names)]
    signature = [tf.TensorSpec(shape, dtype, name=name) for name, shape, dtype in inputs]

    @tf.function(input_signature=signature, autograph=False)
    def serve(*xs):
        key = tf.cast(tf.random.uniform([2], 0, 2 ** 32, dtype=tf.int64), key_dtype)
        outputs = fn([tf.convert_to_tensor(v) for v in module.variables_list], list(xs), key)
        return {name: tf.identity(o) for name, o in zip(output_names, outputs)}

    module.serve = serve
    tf.saved_model.save(module, path, signatures={'serving_default': serve})
    return path


def _clean(name):
    return ''.join(c if c.isalnum() or c in '_.-' else '_' for c in str(name))
