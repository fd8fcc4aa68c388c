"""What a symbolic layer call produces, from a backend's abstract evaluation: shared by the
backends' `shape_inference` modules, which supply `eval_structure` (their trace of a
function over abstract values) and their `state` module (scopes and the learning phase)."""
import contextlib

import numpy as np

from .keras_tensor import KerasTensor


def zip_map(fn, a, b):
    """`fn` over the leaves of two structures of the same nesting (lists, tuples, dicts)."""
    if isinstance(a, (list, tuple)):
        return type(a)(zip_map(fn, x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return {k: zip_map(fn, a[k], b[k]) for k in a}
    return fn(a, b)


def infer_call(eval_structure, state, layer, inputs, mask, kwargs, effects=None):
    """Output specs and output-mask specs of `layer` called on symbolic inputs.

    With a dict `effects`, also reports what the call does besides its outputs:
    `n_losses` (losses it adds, e.g. activity regularization), `update_vars` (the
    variables it assigns, e.g. BatchNormalization's moving statistics) and
    `uses_learning_phase` (whether its outputs depend on the learning phase)."""
    def fn(struct):
        xs, m, kw = struct
        scope = state.current_scope()
        start = len(scope.losses)
        outputs, out_mask = layer._forward(xs, mask=m, **kw)
        if effects is not None:  # (the scope is this call's own: every assignment is its)
            effects['n_losses'] = len(scope.losses) - start
            effects['update_vars'] = list(scope.updates)
        return outputs, out_mask

    # Traced in the training phase unless the user fixed the phase, so that the updates a
    # call makes when training (moving averages) are seen; output shapes do not depend on it.
    train = effects is not None and state.learning_phase_is_default()
    probe = state.learning_phase_probe() if train else contextlib.nullcontext()
    with state.StatelessScope(rng=np.zeros(2, np.uint32)), probe:
        out, out_mask = eval_structure(fn, (inputs, mask, kwargs))
    if train:
        effects['uses_learning_phase'] = probe.reads > 0
    return out, out_mask


def infer_output_shape(infer_call, layer, input_shape):
    """Default `compute_output_shape`: `infer_call` of `layer` on placeholders of
    `input_shape` (a shape tuple or a list of them)."""
    def make(shape):
        return KerasTensor(shape, layer.dtype if layer.dtype else 'float32')
    if isinstance(input_shape, list):
        inputs = [make(s) for s in input_shape]
    else:
        inputs = make(input_shape)
    out, _ = infer_call(layer, inputs, None, {})
    if isinstance(out, (list, tuple)):
        return [tuple(o.shape) for o in out]
    return tuple(out.shape)
