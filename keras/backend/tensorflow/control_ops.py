"""Loops of the Keras 2 backend API on TensorFlow: rnn, map_fn, foldl, foldr."""
import tensorflow as tf

from .. import nest
from ..keras_tensor import symbolic
from .ops import _a
from .state import iteration_keys, loop_key

__all__ = ['rnn', 'map_fn', 'foldl', 'foldr']


def _as_list(states):
    if states is None:
        return []
    if isinstance(states, (list, tuple)):
        return list(states)
    return [states]


@symbolic
def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None,
        constants=None, unroll=False, input_length=None):
    """Iterates `step_function` over the time axis (axis 1) of `inputs`.

    The loop is a `tf.while_loop` (a Python loop with `unroll`); the time axis may be of
    unknown size.

    # Arguments
        step_function: `(input_t, states + constants) -> (output_t, new_states)`,
            input_t of shape (batch, ...), states a list of tensors.
        inputs: tensor of shape (batch, time, ...).
        initial_states: list of tensors (batch, ...).
        go_backwards: process the time steps in reverse order (the returned sequence is then
            in processing order).
        mask: optional (batch, time) tensor; at a masked step the states are carried over
            unchanged and the output is the first state before the step (with `unroll`, or
            a first state of another shape than the output: the previous output, zeros
            before the first unmasked step), as in Keras 2.2.4.
        constants: list of tensors passed to every step after the states.
        unroll: unroll the loop in Python (when the number of time steps is known).
        input_length: unused (the number of steps is the time dimension of `inputs`).

    # Returns
        (last_output, outputs, new_states): last_output (batch, ...), outputs
        (batch, time, ...), new_states the list of final states.

    # Raises
        TypeError: if `step_function` is not callable.
        ValueError: if `inputs` has rank below 3 or no time steps, if `mask` is not
            `(batch, time)`, or if `step_function` returns a different number of states or
            changes a state's shape.
    """
    if not callable(step_function):
        raise TypeError('rnn: `step_function` must be callable, got %r' % (step_function,))
    inputs = _a(inputs)
    if inputs.shape.rank < 3:
        raise ValueError('rnn: `inputs` must be at least 3D (batch, time, ...), got shape %s'
                         % (tuple(inputs.shape),))
    timesteps = inputs.shape[1]
    if timesteps == 0:
        raise ValueError('rnn: `inputs` has no time steps (shape %s)' % (tuple(inputs.shape),))
    states = [_a(s) for s in _as_list(initial_states)]
    constants = [_a(c) if not isinstance(c, (list, tuple)) else c
                 for c in _as_list(constants)]
    xs = tf.transpose(inputs, [1, 0] + list(range(2, inputs.shape.rank)))
    if mask is not None:
        mask = _a(mask)
        while mask.shape.rank > 2 and mask.shape[-1] == 1:
            mask = mask[..., 0]
        if mask.shape.rank != 2 or not mask.shape.is_compatible_with(inputs.shape[:2]):
            raise ValueError('rnn: `mask` must have shape (batch, time) = %s, got %s'
                             % (tuple(inputs.shape[:2]), tuple(mask.shape)))
        mask = tf.transpose(tf.cast(mask, tf.bool), [1, 0])
    if go_backwards:
        xs = tf.reverse(xs, [0])
        if mask is not None:
            mask = tf.reverse(mask, [0])

    def call_step(x_t, states_t):
        output, new_states = step_function(x_t, list(states_t) + list(constants))
        new_states = _as_list(new_states)
        if len(new_states) != len(states_t):
            raise ValueError('rnn: `step_function` returned %d states, expected %d'
                             % (len(new_states), len(states_t)))
        fixed = []
        for i, (old, new) in enumerate(zip(states_t, new_states)):
            new = _a(new)
            if not new.shape.is_compatible_with(old.shape):
                raise ValueError('rnn: state %d changed shape from %s to %s in `step_function`'
                                 % (i, tuple(old.shape), tuple(new.shape)))
            fixed.append(tf.ensure_shape(tf.cast(new, old.dtype), old.shape))
        return _a(output), fixed

    def keep(m, new, old):
        m = tf.reshape(m, tf.concat([tf.shape(m), tf.ones([new.shape.rank - 1], tf.int32)], 0))
        return tf.where(m, new, old)

    # (each step's random ops draw numbers of their own: `iteration_keys`)
    key = loop_key()

    def masked_step(t, prev_output, states_t):
        with iteration_keys(t, key):
            output, new_states = call_step(xs[t], states_t)
        if mask is None:
            return output, new_states
        output = keep(mask[t], tf.cast(output, prev_output.dtype),
                      _masked_output(prev_output, states_t, unroll and timesteps is not None))
        return output, [keep(mask[t], n, o) for n, o in zip(new_states, states_t)]

    # the first step runs before the loop: it gives the outputs their shape and dtype
    first, _ = call_step(xs[0], states)
    output0, states = masked_step(0, tf.zeros_like(first), states)
    n = tf.shape(xs)[0] if timesteps is None else timesteps
    if unroll and timesteps is not None:
        outputs, prev = [output0], output0
        for t in range(1, timesteps):
            prev, states = masked_step(t, prev, states)
            outputs.append(prev)
        outputs = tf.stack(outputs)
    else:
        array = tf.TensorArray(output0.dtype, size=n, element_shape=output0.shape).write(0, output0)

        def body(t, prev, states_t, arr):
            out, new_states = masked_step(t, prev, states_t)
            return t + 1, out, new_states, arr.write(t, out)
        _, _, states, array = tf.while_loop(lambda t, *_: t < n, body,
                                            (tf.constant(1), output0, states, array))
        outputs = array.stack()
    last_output = outputs[-1]
    outputs = tf.transpose(outputs, [1, 0] + list(range(2, outputs.shape.rank)))
    return last_output, outputs, list(states)


def _masked_output(prev_output, states, unrolled):
    """The output of a masked step, as Keras 2.2.4 gave it: its symbolic loop (the default)
    the first state before the step (a custom cell's output differs from it; an initial
    state shows before the first unmasked step), its unrolled loop the previous output
    (zeros before the first unmasked step), as where the state has another shape."""
    first = states[0] if states else None
    if unrolled or first is None or not first.shape.is_compatible_with(prev_output.shape) \
            or first.shape.rank != prev_output.shape.rank:
        return prev_output
    return tf.cast(first, prev_output.dtype)


@symbolic
def map_fn(fn, elems, name=None, dtype=None):
    """Applies `fn` to each element of `elems` along axis 0 and stacks the results.

    # Arguments
        fn: callable applied to each element (slice along the first axis) of `elems`.
        elems: tensor (or structure of tensors).
        name: ignored (Keras 2 compatibility).
        dtype: optional dtype the results are cast to (by default, the dtype `fn` returns).

    # Returns
        A tensor: the results of `fn` stacked along the first axis.

    # Raises
        TypeError: if `fn` is not callable.
    """
    if not callable(fn):
        raise TypeError('map_fn: `fn` must be callable, got %r' % (fn,))
    elems = nest.map_structure(_a, elems)
    # the output structure and dtypes (which TensorFlow needs when they differ from elems'):
    # from fn on the first element
    first = fn(nest.map_structure(lambda e: e[0], elems))
    signature = nest.map_structure(lambda o: tf.TensorSpec(_a(o).shape, _a(o).dtype), first)
    key = loop_key()

    def body(inp):
        elem, i = inp
        with iteration_keys(i, key):    # (each element's random ops draw numbers of their own)
            # (as tensors: outside a step, ops on variables give expressions of them)
            return nest.map_structure(_a, fn(elem))
    n = tf.shape(nest.flatten(elems)[0])[0]
    out = tf.map_fn(body, (elems, tf.range(n)), fn_output_signature=signature)
    if dtype is not None:
        out = nest.map_structure(lambda o: tf.cast(o, dtype), out)
    return out


def _fold(fn, elems, initializer, reverse, name):
    if not callable(fn):
        raise TypeError('%s: `fn` must be callable, got %r' % (name, fn))
    elems = nest.map_structure(_a, elems)
    leaves = nest.flatten(elems)
    if not leaves or leaves[0].shape.rank == 0:
        raise ValueError('%s: `elems` must be a tensor (or structure of tensors) with a '
                         'leading axis to fold over' % (name,))
    if initializer is None and leaves[0].shape[0] == 0:
        raise ValueError('%s: `elems` is empty and no `initializer` was given' % (name,))
    if initializer is not None:
        initializer = nest.map_structure(_a, initializer)

    key = loop_key()

    def step(acc, inp):
        x, i = inp
        with iteration_keys(i, key):    # (each step's random ops draw numbers of their own)
            new = fn(acc, x)
        return nest.map_structure(lambda n, a: tf.cast(_a(n), a.dtype), new, acc) \
            if isinstance(new, (list, tuple)) else tf.cast(_a(new), _a(acc).dtype)
    n = tf.shape(leaves[0])[0]
    indices = tf.range(n)
    if initializer is None:
        # (the fold starts from the first element, which tf.foldl takes from `elems`)
        initializer = nest.map_structure(lambda e: e[-1] if reverse else e[0], elems)
        elems = nest.map_structure(lambda e: e[:-1] if reverse else e[1:], elems)
        indices = indices[:-1] if reverse else indices[1:]
    folder = tf.foldr if reverse else tf.foldl
    return folder(step, (elems, indices), initializer=initializer)


@symbolic
def foldl(fn, elems, initializer=None, name=None):
    """Left fold of `fn` over the first axis of `elems`.

    acc = fn(acc, elems[i]) for i = 0, 1, ...; the fold starts from elems[0] when
    `initializer` is None.

    # Arguments
        fn: callable `fn(accumulator, element)` returning the new accumulator.
        elems: tensor folded over along its first axis.
        initializer: the first accumulator (`None`: `elems[0]`).
        name: ignored (Keras 2 compatibility).

    # Returns
        The final accumulator.
    """
    return _fold(fn, elems, initializer, False, 'foldl')


@symbolic
def foldr(fn, elems, initializer=None, name=None):
    """Right fold of `fn` over the first axis of `elems`.

    acc = fn(acc, elems[i]) for i = n-1, ..., 0; the fold starts from elems[-1] when
    `initializer` is None.

    # Arguments
        fn: callable `fn(accumulator, element)` returning the new accumulator.
        elems: tensor folded over along its first axis, from the end.
        initializer: the first accumulator (`None`: `elems[-1]`).
        name: ignored (Keras 2 compatibility).

    # Returns
        The final accumulator.
    """
    return _fold(fn, elems, initializer, True, 'foldr')
