"""Loops of the Keras 2 backend API: rnn, map_fn, foldl, foldr (on jax.lax.scan), and the
LSTM recurrence with its own gradient (`_lstm_recurrence`)."""
import functools

import jax
import jax.numpy as jnp
from jax import lax

from ..keras_tensor import symbolic
from .ops import _a, _rows_product, hard_sigmoid, sigmoid
from .state import iteration_keys

__all__ = ['rnn', 'map_fn', 'foldl', 'foldr']


def _strong(x):
    """Array with a fixed (non weakly-typed) dtype, so scan carries keep their type."""
    x = _a(x)
    return lax.convert_element_type(x, x.dtype)


def _as_list(states):
    if states is None:
        return []
    if isinstance(states, (list, tuple)):
        return list(states)
    return [states]


def _sequence_mask(mask, inputs, fn):
    """`mask` as a boolean (batch, time) array for `inputs` (batch, time, ...), trailing axes
    of size 1 dropped (Keras 2 masks may carry one)."""
    mask = _a(mask)
    while mask.ndim > 2 and mask.shape[-1] == 1:
        mask = mask[..., 0]
    if mask.shape != inputs.shape[:2]:
        raise ValueError('%s: `mask` must have shape (batch, time) = %s, got %s'
                         % (fn, inputs.shape[:2], mask.shape))
    return mask.astype(bool)


@symbolic
def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None,
        constants=None, unroll=False, input_length=None):
    """Iterates `step_function` over the time axis (axis 1) of `inputs`.

    # Arguments
        step_function: `(input_t, states + constants) -> (output_t, new_states)`,
            input_t of shape (batch, ...), states a list of tensors.
        inputs: tensor of shape (batch, time, ...).
        initial_states: list of tensors (batch, ...).
        go_backwards: process the time steps in reverse order (the returned
            sequence is then in processing order).
        mask: optional (batch, time) tensor; at a masked step the states are
            carried over unchanged and the output is the first state before the step
            (with `unroll`, or a first state of another shape than the output: the
            previous output, zeros before the first unmasked step), as in Keras 2.2.4.
        constants: list of tensors passed to every step after the states.
        unroll: unroll the loop completely (same result, faster for short sequences).
        input_length: unused (the number of steps is the static time dimension).

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
    if inputs.ndim < 3:
        raise ValueError('rnn: `inputs` must be at least 3D (batch, time, ...), got shape %s'
                         % (inputs.shape,))
    timesteps = inputs.shape[1]
    if timesteps == 0:
        raise ValueError('rnn: `inputs` has no time steps (shape %s)' % (inputs.shape,))
    states = [_strong(s) for s in _as_list(initial_states)]
    constants = [_a(c) if not isinstance(c, (list, tuple)) else c
                 for c in _as_list(constants)]
    xs = jnp.moveaxis(inputs, 1, 0)
    if mask is not None:
        mask = jnp.moveaxis(_sequence_mask(mask, inputs, 'rnn'), 1, 0)
    if go_backwards:
        xs = jnp.flip(xs, 0)
        if mask is not None:
            mask = jnp.flip(mask, 0)

    def call_step(x_t, states_t):
        output, new_states = step_function(x_t, list(states_t) + list(constants))
        new_states = _as_list(new_states)
        if len(new_states) != len(states_t):
            raise ValueError('rnn: `step_function` returned %d states, expected %d'
                             % (len(new_states), len(states_t)))
        fixed = []
        for i, (old, new) in enumerate(zip(states_t, new_states)):
            new = _a(new)
            if new.shape != old.shape:
                raise ValueError('rnn: state %d changed shape from %s to %s in `step_function`'
                                 % (i, old.shape, new.shape))
            fixed.append(new.astype(old.dtype))
        return _a(output), fixed

    # As Keras 2.2.4's TensorFlow backend did, the step runs once before the loop (its
    # output gives the shapes): what a cell draws on its first call and keeps (its dropout
    # masks) is drawn there, once for the sequence; in the loop, each step's random ops
    # draw numbers of their own (`iteration_keys`), as TensorFlow's while loop ran them.
    first_output, _ = call_step(xs[0], states)
    steps = jnp.arange(timesteps, dtype='int32')
    if mask is None:
        def body(carry, inp):
            x_t, t = inp
            with iteration_keys(t):
                output, new_states = call_step(x_t, carry)
            return new_states, output
        final_states, outputs = lax.scan(body, states, (xs, steps), unroll=bool(unroll))
    else:
        prev0 = jnp.zeros(first_output.shape, first_output.dtype)

        def keep(m, new, old):
            m = jnp.reshape(m, m.shape + (1,) * (new.ndim - 1))
            return jnp.where(m, new, old)

        def body(carry, inp):
            prev_output, states_t = carry
            x_t, m_t, t = inp
            with iteration_keys(t):
                output, new_states = call_step(x_t, states_t)
            output = keep(m_t, output.astype(prev_output.dtype),
                          _masked_output(prev_output, states_t, unroll))
            new_states = [keep(m_t, n, o) for n, o in zip(new_states, states_t)]
            return (output, new_states), output
        (_, final_states), outputs = lax.scan(body, (prev0, states), (xs, mask, steps),
                                              unroll=bool(unroll))
    last_output = outputs[-1]
    outputs = jnp.moveaxis(outputs, 0, 1)
    return last_output, outputs, list(final_states)


def _masked_output(prev_output, states, unroll):
    """The output of a masked step, as Keras 2.2.4 gave it: its symbolic loop (the default)
    the first state before the step (a custom cell's output differs from it; an initial
    state shows before the first unmasked step), its unrolled loop the previous output
    (zeros before the first unmasked step), as where the state has another shape."""
    first = states[0] if states else None
    if unroll or first is None or tuple(first.shape) != tuple(prev_output.shape):
        return prev_output
    return first.astype(prev_output.dtype)


@symbolic
def map_fn(fn, elems, name=None, dtype=None):
    """Applies `fn` to each element of `elems` along axis 0 and stacks the results.

    # Arguments
        fn: callable applied to each element (slice along the first axis) of `elems`.
        elems: tensor.
        name: ignored (Keras 2 compatibility).
        dtype: optional dtype the results are cast to (by default, the dtype `fn` returns).

    # Returns
        A tensor: the results of `fn` stacked along the first axis.

    # Raises
        TypeError: if `fn` is not callable.
    """
    if not callable(fn):
        raise TypeError('map_fn: `fn` must be callable, got %r' % (fn,))
    elems = jax.tree_util.tree_map(_a, elems)
    n = jax.tree_util.tree_leaves(elems)[0].shape[0]

    def body(inp):
        elem, i = inp
        with iteration_keys(i):     # (each element's random ops draw numbers of their own)
            return fn(elem)
    out = lax.map(body, (elems, jnp.arange(n, dtype='int32')))
    if dtype is not None:
        out = jax.tree_util.tree_map(lambda o: o.astype(dtype), out)
    return out


def _fold(fn, elems, initializer, reverse, name):
    if not callable(fn):
        raise TypeError('%s: `fn` must be callable, got %r' % (name, fn))
    elems = jax.tree_util.tree_map(_a, elems)
    leaves = jax.tree_util.tree_leaves(elems)
    if not leaves or leaves[0].ndim == 0:
        raise ValueError('%s: `elems` must be a tensor (or structure of tensors) with a '
                         'leading axis to fold over' % (name,))
    if initializer is None:
        if leaves[0].shape[0] == 0:
            raise ValueError('%s: `elems` is empty and no `initializer` was given' % (name,))
        pick = -1 if reverse else 0
        initializer = jax.tree_util.tree_map(lambda e: e[pick], elems)
        elems = jax.tree_util.tree_map(lambda e: e[:-1] if reverse else e[1:], elems)
    init = jax.tree_util.tree_map(_strong, initializer)

    def body(acc, inp):
        x, i = inp
        with iteration_keys(i):     # (each step's random ops draw numbers of their own)
            new = fn(acc, x)
        new = jax.tree_util.tree_map(lambda n, a: _a(n).astype(a.dtype), new, acc)
        return new, None

    n = jax.tree_util.tree_leaves(elems)[0].shape[0]
    result, _ = lax.scan(body, init, (elems, jnp.arange(n, dtype='int32')), reverse=reverse)
    return result


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


# ------------------------------------------------------------ the LSTM recurrence
# The gate activations the fused recurrence knows: the backend's function (the one the
# cell calls), and its derivative written with the function's value.
_GATE_ACTIVATIONS = {
    'hard_sigmoid': (hard_sigmoid,
                     lambda y: jnp.where((y > 0) & (y < 1), 0.2, 0.).astype(y.dtype)),
    'sigmoid': (sigmoid, lambda y: y * (1 - y)),
}


@symbolic
def _lstm_recurrence(z, h0, c0, recurrent_kernel, recurrent_mask, recurrent_activation,
                     go_backwards=False, mask=None):
    """Runs the recurrence of an LSTM layer over a sequence whose input side is computed.

    The gates are i, f, c, o and the activation `tanh`. `z` holds the inputs' products with
    the kernel plus the bias; each step computes `z_t + (h * recurrent_mask) .
    recurrent_kernel`, the gates and the new states, as `LSTMCell` does. Differentiated by
    JAX, the time loop saves about fourteen intermediate arrays per step and accumulates
    the recurrent kernel's gradient in the loop, one small product per step; here the
    forward loop saves the outputs, the cell states and the gates' inputs, the backward
    loop computes the gates' gradient and the state's, and the recurrent kernel's
    gradient is one product over all steps after the loop.

    # Arguments
        z: the projected inputs, `(batch, time, 4 * units)`.
        h0: the initial output state, `(batch, units)`.
        c0: the initial cell state, `(batch, units)`.
        recurrent_kernel: `(units, 4 * units)`.
        recurrent_mask: the dropout mask of the recurrent state, `(batch, units)`; or a list
            of four such masks, one per gate (the state's product with each gate's columns
            of the kernel takes its own mask, as `implementation=1` does); or None.
        recurrent_activation: `'hard_sigmoid'` or `'sigmoid'`.
        go_backwards: run over the time steps in reverse order (the outputs are then in
            processing order, as `rnn` returns them).
        mask: optional (batch, time) mask of the sequences: at a masked step the states
            carry over and the output is the state `h` before the step, as in `rnn`.

    # Returns
        `(last_output, outputs, [h, c])` as `rnn` returns them.

    # Raises
        ValueError: if `recurrent_activation` is not one of the two above, or `mask` is
            not (batch, time).
    """
    if recurrent_activation not in _GATE_ACTIVATIONS:
        raise ValueError('_lstm_recurrence: `recurrent_activation` must be one of %s, got %r'
                         % (sorted(_GATE_ACTIVATIONS), recurrent_activation))
    z = _a(z)
    h0, c0 = _strong(h0), _strong(c0)
    if isinstance(recurrent_mask, (list, tuple)):
        recurrent_mask = jnp.stack([_a(m) for m in recurrent_mask])
    steps = None if mask is None else _sequence_mask(mask, z, '_lstm_recurrence')[..., None]
    outputs, h, c = _lstm(z, h0, c0, _a(recurrent_kernel), recurrent_mask, steps,
                          recurrent_activation, bool(go_backwards))
    return outputs[-1], jnp.moveaxis(outputs, 0, 1), [h, c]


def _recurrent_product(h, kernel, mask):
    """The state's product with the recurrent kernel, `(batch, 4 * units)`: of the masked
    state (one mask, `(batch, units)`), or per gate of the state masked for that gate (a
    mask per gate, `(4, batch, units)`)."""
    if mask is None:
        return jnp.dot(h, kernel)
    if mask.ndim == 2:
        return jnp.dot(h * mask, kernel)
    return jnp.concatenate([jnp.dot(h * m, k) for m, k in
                            zip(mask, jnp.split(kernel, 4, axis=-1))], axis=-1)


def _recurrent_product_transpose(d_product, kernel_t, mask):
    """The state's gradient from the product's (`_recurrent_product` transposed), with
    `kernel_t` the kernel transposed (per gate, a list of four, with a mask per gate)."""
    if mask is None:
        return jnp.dot(d_product, kernel_t)
    if mask.ndim == 2:
        return jnp.dot(d_product, kernel_t) * mask
    return sum(jnp.dot(d_g, k) * m for d_g, k, m in
               zip(jnp.split(d_product, 4, axis=-1), kernel_t, mask))


def _time_steps(length, go_backwards):
    """The time indices `0 .. length - 1` in processing order."""
    steps = jnp.arange(length)
    return steps[::-1] if go_backwards else steps


def _cell(z_t, c, gate):
    """One step's new cell state and output from the gates' inputs `z_t`."""
    z_i, z_f, z_c, z_o = jnp.split(z_t, 4, axis=-1)
    c = gate(z_f) * c + gate(z_i) * jnp.tanh(z_c)
    return c, gate(z_o) * jnp.tanh(c)


def _cell_transpose(z_t, c, c_tm1, d_h, d_c, kind):
    """The gradients of one step's gates' inputs and previous cell state from those of its
    output `d_h` and cell state `d_c` (`c` the step's cell state, `c_tm1` the previous)."""
    gate, slope = _GATE_ACTIVATIONS[kind]
    z_i, z_f, z_c, z_o = jnp.split(z_t, 4, axis=-1)
    i, f, g, o = gate(z_i), gate(z_f), jnp.tanh(z_c), gate(z_o)
    tanh_c = jnp.tanh(c)
    d_c = d_c + d_h * o * (1 - tanh_c * tanh_c)
    d_z_t = jnp.concatenate([d_c * g * slope(i), d_c * c_tm1 * slope(f),
                             d_c * i * (1 - g * g), d_h * tanh_c * slope(o)], axis=-1)
    return d_z_t, d_c * f


@functools.partial(jax.custom_vjp, nondiff_argnums=(6, 7))
def _lstm(z, h0, c0, kernel, mask, steps, kind, go_backwards):
    """The recurrence over `z` (batch, time, 4 * units), read in place at each step (no
    time-major copy of it or of its gradient): (outputs (time, batch, units) in processing
    order, h, c). `steps` (batch, time, 1), or None, is the sequences' mask: at a masked
    step the states carry over and the output is the state `h` before the step, as `rnn`
    gives it."""
    return _lstm_fwd(z, h0, c0, kernel, mask, steps, kind, go_backwards)[0]


def _lstm_fwd(z, h0, c0, kernel, mask, steps, kind, go_backwards):
    gate = _GATE_ACTIVATIONS[kind][0]

    def cell(h, c, t):
        z_t = lax.dynamic_index_in_dim(z, t, axis=1, keepdims=False) + \
            _recurrent_product(h, kernel, mask)
        return (z_t,) + _cell(z_t, c, gate)

    # one saved array per step (a write into the stacked residuals): the gates' inputs,
    # whose activations XLA then computes inside the kernels that use them (the backward
    # pass computes them again), and the cell state; on masked sequences also the states
    # the step started from (which are then no step's output)
    def step(carry, t):
        h, c = carry
        z_t, c_t, h_t = cell(h, c, t)
        return (h_t, c_t), (h_t, jnp.concatenate([z_t, c_t], axis=-1))

    def masked_step(carry, t):
        h, c = carry
        z_t, c_t, h_t = cell(h, c, t)
        m = lax.dynamic_index_in_dim(steps, t, axis=1, keepdims=False)
        saved = jnp.concatenate([z_t, c_t, c, h], axis=-1)
        # (a masked step's output is the state it carries on, as `rnn`'s)
        h = jnp.where(m, h_t, h)
        return (h, jnp.where(m, c_t, c)), (h, saved)

    order = _time_steps(z.shape[1], go_backwards)
    (h, c), (outputs, saved) = lax.scan(step if steps is None else masked_step, (h0, c0),
                                        order)
    return (outputs, h, c), (outputs, saved, h0, c0, kernel, mask, steps)


def _lstm_bwd(kind, go_backwards, residuals, cotangents):
    outputs, saved, h0, c0, kernel, mask, steps = residuals
    d_outputs, d_h, d_c = cotangents
    units = h0.shape[-1]
    length = outputs.shape[0]
    if steps is None:
        # the previous cell states and outputs are the stacked ones, shifted
        c_prev = jnp.concatenate([c0[None], saved[:-1, :, 4 * units:]], axis=0)
        h_prev = jnp.concatenate([h0[None], outputs[:-1]], axis=0)
    else:
        c_prev, h_prev = saved[:, :, 5 * units:6 * units], saved[:, :, 6 * units:]
    # transposed once, outside the loop
    kernel_t = kernel.T if mask is None or mask.ndim == 2 else \
        [k.T for k in jnp.split(kernel, 4, axis=-1)]

    def cell(d_z, d_h_t, d_c_t, s, c_tm1, t):
        d_z_t, d_c_prev = _cell_transpose(s[:, :4 * units], s[:, 4 * units:5 * units], c_tm1,
                                          d_h_t, d_c_t, kind)
        d_z = lax.dynamic_update_index_in_dim(d_z, d_z_t, t, axis=1)
        return d_z, _recurrent_product_transpose(d_z_t, kernel_t, mask), d_c_prev

    def step(carry, inputs):
        d_z, d_h, d_c = carry
        d_out_t, s, c_tm1, t = inputs
        return cell(d_z, d_h + d_out_t, d_c, s, c_tm1, t), None

    def masked_step(carry, inputs):
        d_z, d_h, d_c = carry
        d_out_t, s, c_tm1, t = inputs
        d_h = d_h + d_out_t     # (the step's output is the state it carries on)
        m = lax.dynamic_index_in_dim(steps, t, axis=1, keepdims=False)
        zero = jnp.zeros_like(d_h)
        d_z, d_h_prev, d_c_prev = cell(d_z, jnp.where(m, d_h, zero),
                                       jnp.where(m, d_c, zero), s, c_tm1, t)
        # a masked step passed the states on unchanged
        return (d_z, d_h_prev + jnp.where(m, zero, d_h),
                d_c_prev + jnp.where(m, zero, d_c)), None

    d_z = jnp.zeros((h0.shape[0], length, 4 * units), saved.dtype)
    xs = (d_outputs, saved, c_prev, _time_steps(length, go_backwards))
    (d_z, d_h0, d_c0), _ = lax.scan(step if steps is None else masked_step, (d_z, d_h, d_c),
                                    xs, reverse=True)
    # the state each step multiplied by the kernel, batch-major as `d_z`
    if go_backwards:
        h_prev = jnp.flip(h_prev, 0)
    h_prev = jnp.moveaxis(h_prev, 0, 1)
    # the recurrent kernel's gradient: one product contracting the batch and time axes
    # (one per gate with a mask per gate)
    if mask is None or mask.ndim == 2:
        if mask is not None:
            h_prev = h_prev * mask[:, None]
        d_kernel = _rows_product(h_prev, d_z)
    else:
        d_kernel = jnp.concatenate(
            [_rows_product(h_prev * m[:, None], d_g)
             for m, d_g in zip(mask, jnp.split(d_z, 4, axis=-1))], axis=-1)
    # a dropout mask is a constant of the loss (drawn at random, or ones)
    d_mask = None if mask is None else jnp.zeros_like(mask)
    return d_z, d_h0, d_c0, d_kernel.astype(kernel.dtype), d_mask, None


_lstm.defvjp(_lstm_fwd, _lstm_bwd)
