"""What a symbolic layer call produces, from a backend's abstract evaluation: shared by the
backends' `shape_inference` modules, which supply `eval_structure` (their trace of a
function over abstract values) and their `state` module (scopes and the learning phase)."""
import contextlib

import numpy as np

from .keras_tensor import KerasTensor


def zip_map(fn, a, *others):
    """`fn` over the leaves of structures of the same nesting (lists, tuples, dicts)."""
    if isinstance(a, (list, tuple)):
        return type(a)(zip_map(fn, *leaves) for leaves in zip(a, *others))
    if isinstance(a, dict):
        return {k: zip_map(fn, a[k], *[o[k] for o in others]) for k in a}
    return fn(a, *others)


def infer_call(eval_structure, state, layer, inputs, mask, kwargs, effects=None):
    """Output specs and output-mask specs of `layer` called on symbolic inputs.

    With a dict `effects`, also reports what the call does besides its outputs:
    `n_losses` (losses it adds, e.g. activity regularization), `update_vars` (the
    variables it assigns, e.g. BatchNormalization's moving statistics),
    `uses_learning_phase` (whether its outputs depend on the learning phase) and `kept`:
    `(name, spec)` pairs of the attributes the call set on the layer to values it computed
    (`self.logdet = -K.sum(self.log_scale)`), each spec a value's or a list of them."""
    kept_names = []

    def fn(struct):
        xs, m, kw = struct
        scope = state.current_scope()
        start = len(scope.losses)
        before = dict(vars(layer))
        outputs, out_mask = layer._forward(xs, mask=m, **kw)
        if effects is not None:  # (the scope is this call's own: every assignment is its)
            effects['n_losses'] = len(scope.losses) - start
            effects['update_vars'] = list(scope.updates)
        attributes = vars(layer)
        kept_names[:] = [name for name, value in attributes.items()
                         if (name not in before or before[name] is not value) and
                         _computed(value)]
        kept = [attributes[name] for name in kept_names]
        for name in kept_names:     # (values of this trace: set back; see `kept`)
            if name in before:
                attributes[name] = before[name]
            else:
                del attributes[name]
        return outputs, out_mask, kept

    # Traced in the training phase unless the user fixed the phase, so that the updates a
    # call makes when training (moving averages) are seen; output shapes do not depend on it.
    train = effects is not None and state.learning_phase_is_default()
    probe = state.learning_phase_probe() if train else contextlib.nullcontext()
    scope = state.StatelessScope(rng=np.zeros(2, np.uint32))
    keys = _counting_keys(scope)
    with scope, probe:
        out, out_mask, kept = eval_structure(fn, (inputs, mask, kwargs))
    if train:
        effects['uses_learning_phase'] = probe.reads > 0
    if effects is not None:
        effects['kept'] = list(zip(kept_names, kept))
        effects['random_ops'] = keys[0]
    return out, out_mask


def _counting_keys(scope):
    """Count the keys `scope` hands out (its random ops: a dropout, a noise, each mask of
    a recurrent dropout) in a list `[n]`, which is returned."""
    count = [0]
    next_key = scope.next_key

    def counted():
        count[0] += 1
        return next_key()
    scope.next_key = counted
    return count


def _computed(value):
    """Whether `value` (an attribute a call set) is a value the traced call computed, or a
    list or tuple of them."""
    from . import execution
    if isinstance(value, (list, tuple)):
        return bool(value) and all(execution.is_traced(v) for v in value)
    return execution.is_traced(value)


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
