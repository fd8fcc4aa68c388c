"""Convolutions, pooling and locally-connected products (Keras 2 backend API).

Kernel layouts are those Keras 2 stores: convolution kernels are
`kernel_size + (input_channels, filters)`, transposed-convolution kernels
`kernel_size + (filters, input_channels)`, depthwise kernels
`kernel_size + (input_channels, depth_multiplier)`.  Inputs are
channels_last or channels_first according to `data_format`.
"""
import functools
import itertools

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

from .. import config
from . import onednn
from ..keras_tensor import symbolic
from ..argcheck import _int_tuple, _padding  # noqa: F401
from .ops import _a

__all__ = ['conv1d', 'conv2d', 'conv3d', 'conv2d_transpose', 'conv3d_transpose',
           'separable_conv1d', 'separable_conv2d', 'depthwise_conv2d',
           'pool2d', 'pool3d', 'local_conv1d', 'local_conv2d']


# ------------------------------------------------------------ argument checks
def _specs(rank, data_format):
    spatial = 'DHW'[3 - rank:] if rank <= 3 else None
    if data_format == 'channels_first':
        lhs = 'NC' + spatial
    else:
        lhs = 'N' + spatial + 'C'
    return (lhs, spatial + 'IO', lhs)


def _channel_axis(data_format):
    return 1 if data_format == 'channels_first' else -1


def _prepare(x, kernel, rank, fn, kernel_rank=None):
    x, kernel = _a(x), _a(kernel)
    if x.ndim != rank + 2:
        raise ValueError('%s: expected a %dD input (batch, spatial..., channels), got shape %s'
                         % (fn, rank + 2, x.shape))
    kr = rank + 2 if kernel_rank is None else kernel_rank
    if kernel.ndim != kr:
        raise ValueError('%s: expected a %dD kernel, got shape %s' % (fn, kr, kernel.shape))
    dtype = jnp.result_type(x.dtype, kernel.dtype)
    if not jnp.issubdtype(dtype, jnp.floating):
        dtype = jnp.dtype(config.floatx())
    return x.astype(dtype), kernel.astype(dtype)


def _conv_args(x, kernel, strides, padding, data_format, dilation_rate, rank, fn,
               allow_causal=False):
    """The checked arguments of a convolution: (x, kernel, data_format, strides, dilation,
    padding), x and kernel in one floating dtype."""
    x, kernel = _prepare(x, kernel, rank, fn)
    data_format = config.normalize_data_format(data_format)
    strides = _int_tuple(strides, rank, fn, 'strides')
    dilation = _int_tuple(dilation_rate, rank, fn, 'dilation_rate')
    padding = _padding(padding, fn, ('valid', 'same', 'causal') if allow_causal
                       else ('valid', 'same'))
    return x, kernel, data_format, strides, dilation, padding


def _causal_pad(x, padding, kernel, dilation, data_format):
    """'causal' padding as explicit left padding of the time axis: (x, 'valid')."""
    if padding != 'causal':
        return x, padding
    pads = [(0, 0)] * x.ndim
    pads[2 if data_format == 'channels_first' else 1] = (dilation[0] * (kernel.shape[0] - 1), 0)
    return jnp.pad(x, pads), 'valid'


def _lax_conv(x, kernel, strides, padding, data_format, dilation):
    """A convolution with JAX's own gradient (the transposed convolutions transpose it)."""
    rank = x.ndim - 2
    return lax.conv_general_dilated(
        x, kernel, window_strides=strides, padding=padding.upper(),
        rhs_dilation=dilation, dimension_numbers=_specs(rank, data_format))


def _conv(x, kernel, strides, padding, data_format, dilation):
    """A convolution whose gradient convolutions are written in XLA's canonical layout.

    XLA's CPU backend runs a convolution with its fast (Eigen) kernel only when the
    operands are laid out as (batch, spatial..., channels) and (spatial..., in, out). JAX
    differentiates a convolution into convolutions of other layouts (the kernel gradient
    takes the channels as its batch), which XLA rewrites into that layout with transposes
    under a plain `jit`, but not inside a loop (`lax.scan`), where they ran 20-100x slower.
    Spelling out the transposes here gives the same numbers and keeps every convolution
    of a train step on the fast kernel, scanned or not (depthwise convolutions:
    `_shifted_depthwise`)."""
    return _in_channels_last(_ungrouped_conv, x, kernel, strides, padding, data_format,
                             dilation)


def _in_channels_last(op, x, kernel, strides, padding, data_format, dilation):
    """`op(x, kernel, strides, pads, dilation)`, an op on channels_last `x` with explicit
    ((low, high), ...) pads, applied to `x` in `data_format` with 'valid' or 'same'
    `padding`."""
    if data_format == 'channels_first':
        x = jnp.moveaxis(x, 1, -1)
    window = [(k - 1) * d + 1 for k, d in zip(kernel.shape[:x.ndim - 2], dilation)]
    pads = tuple((int(lo), int(hi)) for lo, hi in
                 lax.padtype_to_pads(x.shape[1:-1], window, strides, padding.upper()))
    y = op(x, kernel, tuple(strides), pads, tuple(dilation))
    return jnp.moveaxis(y, -1, 1) if data_format == 'channels_first' else y


def _canonical_specs(rank):
    return _specs(rank, 'channels_last')


def _ungrouped_conv(x, kernel, strides, pads, dilation):
    return _canonical_conv(x, kernel, None, strides, pads, dilation, 1)


@functools.partial(jax.custom_vjp, nondiff_argnums=(3, 4, 5, 6))
def _canonical_conv(x, kernel, bias, strides, pads, dilation, groups):
    """channels_last convolution with explicit `pads` ((low, high) per spatial axis) and
    `groups` as XLA's `feature_group_count` (kernel `spatial + (in / groups, out)`), plus
    `bias` (one entry per output channel; None: none).

    Not differentiated (`predict`, `evaluate`), an ungrouped convolution stays an XLA
    convolution, which XLA's CPU backend fuses with the bias, activation and pooling that
    follow it (a YNNPACK fusion that never writes the convolution's output): the MNIST CNN's
    predict at batch 256 ran at 9,400-9,600 samples/s so, 6,600-6,700 on oneDNN (ResNet50's
    predict 25.6-26.6 against 27.2-29.2 and the Inception module's level: fresh processes
    alternating). Differentiated, its forward pass is oneDNN's where it runs (`_pass`),
    as are its gradients: a train step's forward must write its output for the gradient
    anyway (MNIST CNN fit 2,551-2,623 samples/s against 2,408-2,475 with XLA's forward,
    ResNet20 576 against 503). A bias is added by that forward pass (oneDNN's adds it as it
    writes the output, where XLA read and wrote the whole output once more for it:
    ResNet20's fit 650-677 -> 657-702 samples/s, medians 665 -> 685, the MNIST CNN's +2%,
    fresh processes alternating); its gradient is an XLA reduction (oneDNN's, computed in
    the kernel gradient's pass, made that pass slower by more than the reduction costs)."""
    if groups == 1:
        return _xla_pass(onednn.FORWARD, x, kernel, None, strides, pads, dilation, groups,
                         bias)
    return _forward(x, kernel, bias, strides, pads, dilation, groups)


def _forward_shape(x, kernel, strides, pads, dilation):
    """The shape of a canonical convolution's output."""
    rank = x.ndim - 2
    out = [(n + lo + hi - (k - 1) * d - 1) // s + 1 for n, (lo, hi), k, d, s in
           zip(x.shape[1:-1], pads, kernel.shape[:rank], dilation, strides)]
    return (x.shape[0],) + tuple(out) + kernel.shape[-1:]


def _forward(x, kernel, bias, strides, pads, dilation, groups):
    return _pass(onednn.FORWARD, x, kernel, _forward_shape(x, kernel, strides, pads, dilation),
                 strides, pads, dilation, groups, bias)


# Channels up to which a convolution's input is materialized by a product over each
# position's channels; a wider input is materialized over rows of MATERIALIZE_ROW entries
MATERIALIZE_MAX_CHANNELS = 64
MATERIALIZE_ROW = 32


def _materialized(x):
    """`x` itself (exactly: each entry times one plus zeros), as a product with the
    identity, for an input of more than one channel (except an odd number above 64).

    The kernel gradient transposes the convolution's input. XLA fuses that transpose with
    the elementwise chain that produced the input (batch normalizations, activations,
    residual sums: up to two residual blocks back in ResNet20), recomputing the chain
    through a transposed read instead of reading the buffer the forward convolution
    used; it ignores optimization barriers and rewrites a division by a run-time one.
    A product is never fused into its consumers, so its result is computed once. Its
    cost grows with the length of the rows it multiplies (2 flops an entry per row
    entry): the rows are each position's channels up to `MATERIALIZE_MAX_CHANNELS`
    (train steps timed in-process, the same numbers bit for bit: ResNet20 494 -> 434 ms,
    ResNet50 at batch 8 2.11 -> 2.00 s, the MNIST CNN 108 -> 104 ms, a five-block
    MobileNet 62 -> 60 ms); a wider input is multiplied in rows of `MATERIALIZE_ROW`
    consecutive channels (or the largest power of two below it that divides the
    channels), at a fixed cost an entry (over each position's channels every input ran
    6% slower in ResNet50 and in a MobileNet of up to 512 channels; in rows of 32,
    compiled twice in one process and timed alternating: ResNet50 at batch 8
    1.74-2.38 -> 1.52-1.61 s, the MobileNet-style benchmark at batch 64 55-66 -> 50-68
    ms, a MobileNet alpha 0.5 on 128x128 at batch 16 129-156 -> 135-149 ms). An infinite
    entry makes its row NaN here, as in any product, and a negative zero becomes a zero.
    Only on the CPU, where it was measured."""
    channels = x.shape[-1]
    if channels <= 1 or jax.default_backend() != 'cpu':
        return x
    row = channels if channels <= MATERIALIZE_MAX_CHANNELS else MATERIALIZE_ROW
    while channels % row:
        row //= 2
    if row < 2:
        return x
    rows = jnp.reshape(x, (-1, row))
    return jnp.reshape(lax.dot_general(rows, jnp.eye(row, dtype=x.dtype),
                                       (((1,), (0,)), ((), ()))), x.shape)


def _canonical_conv_fwd(x, kernel, bias, strides, pads, dilation, groups):
    if groups == 1 and not _on_onednn(x):
        x = _materialized(x)
    return (_forward(x, kernel, bias, strides, pads, dilation, groups),
            (x, kernel, bias))


def _canonical_conv_bwd(strides, pads, dilation, groups, residuals, g):
    x, kernel, bias = residuals
    return (_pass(onednn.INPUT_GRAD, g, kernel, x.shape, strides, pads, dilation, groups),
            _pass(onednn.KERNEL_GRAD, x, g, kernel.shape, strides, pads, dilation, groups),
            None if bias is None else jnp.sum(g, axis=tuple(range(g.ndim - 1))))


_canonical_conv.defvjp(_canonical_conv_fwd, _canonical_conv_bwd)


def _on_onednn(x):
    """Whether the convolution passes of `x` (an operand) run on oneDNN: float32 on the
    CPU with the library there (`onednn.handles`)."""
    return onednn.handles(x)


def _pass(pass_, a, b, out_shape, strides, pads, dilation, groups=1, bias=None):
    """One pass of a channels_last convolution (`onednn.FORWARD`: (x, kernel) -> y plus
    `bias` where given, `INPUT_GRAD`: (dy, kernel) -> dx, `KERNEL_GRAD`: (x, dy) -> dkernel,
    `out_shape` the result's shape) on oneDNN where it runs (`_on_onednn`), else on XLA."""
    args = (pass_, a, b, tuple(out_shape), strides, pads, dilation, groups, bias)
    if _on_onednn(a) and _on_onednn(b) and (bias is None or _on_onednn(bias)):
        return _onednn_pass(*args)
    return _xla_pass(*args)


@functools.partial(jax.custom_vjp, nondiff_argnums=(0, 3, 4, 5, 6, 7))
def _onednn_pass(pass_, a, b, out_shape, strides, pads, dilation, groups, bias):
    """`_xla_pass` computed by oneDNN; differentiated as `_xla_pass` is (a gradient of a
    gradient, e.g. a gradient penalty, runs on XLA)."""
    return onednn.convolution(pass_, a, b, out_shape, strides, pads, dilation, groups, bias)


def _onednn_pass_fwd(pass_, a, b, out_shape, strides, pads, dilation, groups, bias):
    return (_onednn_pass(pass_, a, b, out_shape, strides, pads, dilation, groups, bias),
            (a, b, bias))


def _onednn_pass_bwd(pass_, out_shape, strides, pads, dilation, groups, residuals, g):
    _, vjp = jax.vjp(lambda a, b, bias: _xla_pass(pass_, a, b, out_shape, strides, pads,
                                                  dilation, groups, bias), *residuals)
    return vjp(g)


_onednn_pass.defvjp(_onednn_pass_fwd, _onednn_pass_bwd)


def _xla_pass(pass_, a, b, out_shape, strides, pads, dilation, groups, bias=None):
    """`_pass` written as XLA convolutions in their canonical layout (grouped ones as
    JAX transposes them)."""
    rank = a.ndim - 2
    specs = _canonical_specs(rank)
    if pass_ == onednn.FORWARD or groups > 1:
        def forward(x, kernel):
            return lax.conv_general_dilated(x, kernel, strides, pads, rhs_dilation=dilation,
                                            dimension_numbers=specs,
                                            feature_group_count=groups)
        if pass_ == onednn.FORWARD:
            return forward(a, b) if bias is None else forward(a, b) + bias
        if pass_ == onednn.INPUT_GRAD:
            return jax.linear_transpose(lambda x: forward(x, b),
                                        jax.ShapeDtypeStruct(out_shape, a.dtype))(a)[0]
        return jax.linear_transpose(lambda kernel: forward(a, kernel),
                                    jax.ShapeDtypeStruct(out_shape, a.dtype))(b)[0]
    if pass_ == onednn.INPUT_GRAD:
        g, kernel = a, b
        size, out, ksize = out_shape[1:-1], g.shape[1:-1], kernel.shape[:rank]
        # the output gradient, spread out by the strides, correlated with the spatially
        # flipped kernel whose in/out axes are swapped
        flipped = jnp.swapaxes(lax.rev(kernel, tuple(range(rank))), -1, -2)
        in_pads = [((k - 1) * d - lo, n + lo - 1 - (o - 1) * s)
                   for k, d, (lo, _), n, o, s in zip(ksize, dilation, pads, size, out, strides)]
        return lax.conv_general_dilated(g, flipped, (1,) * rank, in_pads, lhs_dilation=strides,
                                        rhs_dilation=dilation, dimension_numbers=specs)
    x, g = a, b
    size, out, ksize = x.shape[1:-1], g.shape[1:-1], out_shape[:rank]
    if all(k == 1 for k in ksize) and all(p == (0, 0) for p in pads):
        return _pointwise_kernel_grad(x, g, strides).reshape(out_shape)
    # the input with its channels as the batch and its batch as the channels, correlated
    # with the output gradient (batch as its input channels) dilated by the strides; the
    # high padding ends the input where the last window ends
    spatial = tuple(range(1, rank + 1))
    xt = jnp.transpose(x, (rank + 1,) + spatial + (0,))
    gt = jnp.transpose(g, spatial + (0, rank + 1))
    k_pads = [(lo, (k - 1) * d + (o - 1) * s + 1 - n - lo)
              for k, d, (lo, _), n, o, s in zip(ksize, dilation, pads, size, out, strides)]
    dk = lax.conv_general_dilated(xt, gt, dilation, k_pads, rhs_dilation=strides,
                                  dimension_numbers=specs)
    return jnp.transpose(dk, spatial + (0, rank + 1))


def _pointwise_kernel_grad(x, g, strides):
    """Kernel gradient (in, out) of a 1x1 convolution without padding: the input at the
    output's positions (every `strides`-th) against the output gradient, one product
    contracting the batch and the positions. XLA runs the convolution and its input
    gradient as products already, but the kernel gradient written as a convolution
    transposes both operands first (a ResNet50 train step, 36 of whose 53 convolutions
    are 1x1, batch 8 on two cores: 2.73 -> 2.43 s)."""
    rank = x.ndim - 2
    if any(s != 1 for s in strides):
        x = lax.slice(x, (0,) * x.ndim,
                      (x.shape[0],) + tuple((o - 1) * s + 1 for o, s in
                                            zip(g.shape[1:-1], strides)) + (x.shape[-1],),
                      (1,) + tuple(strides) + (1,))
    axes = tuple(range(rank + 1))
    return lax.dot_general(x, g, ((axes, axes), ((), ())))


def _convnd(x, kernel, strides, padding, data_format, dilation_rate, rank, fn,
            allow_causal=False, bias=None):
    x, kernel, data_format, strides, dilation, padding = _conv_args(
        x, kernel, strides, padding, data_format, dilation_rate, rank, fn, allow_causal)
    in_ch = x.shape[_channel_axis(data_format)]
    if kernel.shape[-2] != in_ch:
        raise ValueError('%s: the kernel expects %d input channels (kernel shape %s) but the '
                         'input (shape %s, data_format=%r) has %d'
                         % (fn, kernel.shape[-2], kernel.shape, x.shape, data_format, in_ch))
    x, padding = _causal_pad(x, padding, kernel, dilation, data_format)
    if bias is None:
        return _conv(x, kernel, strides, padding, data_format, dilation)
    bias = _a(bias).astype(x.dtype)
    if bias.shape != kernel.shape[-1:]:
        raise ValueError('%s: expected a bias of shape %s (one entry per filter of the kernel '
                         'of shape %s), got shape %s'
                         % (fn, kernel.shape[-1:], kernel.shape, bias.shape))
    if not _on_onednn(bias):
        # (no pass to add it in: the two ops, differentiated as before)
        return _conv(x, kernel, strides, padding, data_format, dilation) + (
            jnp.reshape(bias, (-1,) + (1,) * rank) if data_format == 'channels_first' else bias)
    return _in_channels_last(
        lambda x, kernel, strides, pads, dilation: _canonical_conv(
            x, kernel, bias, strides, pads, dilation, 1),
        x, kernel, strides, padding, data_format, dilation)


@symbolic
def _biased_convolution(x, kernel, bias, strides, padding, data_format, dilation_rate):
    """A Conv layer's convolution and bias, as one op.

    `bias_add(conv1d/conv2d/conv3d(x, kernel, ...), bias)`, the rank the kernel's less two;
    one op so that a train step's forward pass adds the bias as it writes the output
    (`_canonical_conv`).

    # Arguments
        x: input tensor, channels last or first as `data_format` says.
        kernel: kernel tensor, `kernel_size + (in_channels, filters)`.
        bias: 1D bias tensor, one entry per filter.
        strides: the strides (an integer in 1D, else a tuple).
        padding: `'valid'` or `'same'` (in 1D also `'causal'`).
        data_format: `'channels_last'` or `'channels_first'` (`None`: the default).
        dilation_rate: the dilation (an integer in 1D, else a tuple).

    # Returns
        A tensor, the convolution with the bias added to each of its positions.

    # Raises
        ValueError: a kernel of another rank than 3 to 5, a bias of another shape than
            `(filters,)`, or what the convolution refuses.
    """
    rank = _a(kernel).ndim - 2
    if rank not in (1, 2, 3):
        raise ValueError('_biased_convolution: expected a kernel of rank 3 to 5, got shape %s'
                         % (_a(kernel).shape,))
    fn = 'conv%dd' % rank
    return _convnd(x, kernel, strides, padding, data_format, dilation_rate, rank, fn,
                   allow_causal=rank == 1, bias=bias)


@symbolic
def conv1d(x, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    """1D convolution; `padding` may also be 'causal' (left padding only).

    # Arguments
        x: input tensor, `(batch, steps, channels)` (channels_last) or `(batch, channels,
            steps)`.
        kernel: kernel tensor `(kernel_size, in_channels, filters)`.
        strides: integer, the stride.
        padding: `"valid"`, `"same"` or `"causal"`.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).
        dilation_rate: integer, the dilation rate.

    # Returns
        A tensor, the result of the convolution.
    """
    return _convnd(x, kernel, strides, padding, data_format, dilation_rate, 1, 'conv1d',
                   allow_causal=True)


@symbolic
def conv2d(x, kernel, strides=(1, 1), padding='valid', data_format=None,
           dilation_rate=(1, 1)):
    """2D convolution.

    # Arguments
        x: input tensor, `(batch, rows, cols, channels)` (channels_last) or
            `(batch, channels, rows, cols)`.
        kernel: kernel tensor, `(kernel_rows, kernel_cols, in_channels, out_channels)`.
        strides: strides tuple.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (`None`: the default).
        dilation_rate: tuple of 2 integers.

    # Returns
        A tensor, the result of the convolution.

    # Raises
        ValueError: unknown `data_format` or `padding`.
    """
    return _convnd(x, kernel, strides, padding, data_format, dilation_rate, 2, 'conv2d')


@symbolic
def conv3d(x, kernel, strides=(1, 1, 1), padding='valid', data_format=None,
           dilation_rate=(1, 1, 1)):
    """3D convolution.

    # Arguments
        x: input tensor, `(batch, dim1, dim2, dim3, channels)` (channels_last) or channels
            first.
        kernel: kernel tensor, `(k1, k2, k3, in_channels, out_channels)`.
        strides: strides tuple.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (`None`: the default).
        dilation_rate: tuple of 3 integers.

    # Returns
        A tensor, the result of the convolution.

    # Raises
        ValueError: unknown `data_format` or `padding`.
    """
    return _convnd(x, kernel, strides, padding, data_format, dilation_rate, 3, 'conv3d')


def _conv_transpose(x, kernel, output_shape, strides, padding, data_format, dilation_rate,
                    rank, fn):
    x, kernel, data_format, strides, dilation, padding = _conv_args(
        x, kernel, strides, padding, data_format, dilation_rate, rank, fn)
    try:
        output_shape = [None if d is None else int(d)
                        for d in (output_shape.tolist() if hasattr(output_shape, 'tolist')
                                  else output_shape)]
    except (TypeError, ValueError):
        output_shape = None
    if output_shape is None or len(output_shape) != rank + 2 or \
            any(d is None or d < 1 for d in output_shape[1:]):
        raise ValueError('%s: `output_shape` must list %d dimensions (batch first, the '
                         'batch may be None), got %r' % (fn, rank + 2, output_shape))
    in_ch = x.shape[_channel_axis(data_format)]
    out_ch = output_shape[_channel_axis(data_format)]
    if kernel.shape[-1] != in_ch or kernel.shape[-2] != out_ch:
        raise ValueError('%s: the kernel must have shape kernel_size + (filters, in) = '
                         'kernel_size + (%d, %d), got %s' % (fn, out_ch, in_ch, kernel.shape))
    output_shape = (x.shape[0],) + tuple(output_shape[1:])
    spec = jax.ShapeDtypeStruct(output_shape, x.dtype)

    def forward(z):
        return _lax_conv(z, kernel, strides, padding, data_format, dilation)

    expected = jax.eval_shape(forward, spec).shape
    if tuple(expected) != tuple(x.shape):
        raise ValueError('%s: `output_shape` %s is inconsistent with the input shape %s for '
                         'strides=%s, padding=%r (a convolution of that output shape gives %s)'
                         % (fn, output_shape, x.shape, strides, padding, tuple(expected)))
    if _on_onednn(x) and _on_onednn(kernel):
        # the input gradient of the convolution from the output to the input, on oneDNN
        if data_format == 'channels_first':
            x, output_shape = jnp.moveaxis(x, 1, -1), output_shape[:1] + output_shape[2:] + \
                output_shape[1:2]
        window = [(k - 1) * d + 1 for k, d in zip(kernel.shape[:rank], dilation)]
        pads = tuple((int(lo), int(hi)) for lo, hi in lax.padtype_to_pads(
            output_shape[1:-1], window, strides, padding.upper()))
        out = _transposed_conv(x, kernel, output_shape, tuple(strides), pads, tuple(dilation))
        return jnp.moveaxis(out, -1, 1) if data_format == 'channels_first' else out
    (out,) = jax.linear_transpose(forward, spec)(x)
    return out


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3, 4, 5))
def _transposed_conv(x, kernel, out_shape, strides, pads, dilation):
    """channels_last transposed convolution: the input gradient of the convolution (by
    `kernel`, `strides`, `pads`, `dilation`) from `out_shape` to `x`'s shape, applied to
    `x`."""
    return _pass(onednn.INPUT_GRAD, x, kernel, out_shape, strides, pads, dilation)


def _transposed_conv_fwd(x, kernel, out_shape, strides, pads, dilation):
    return _transposed_conv(x, kernel, out_shape, strides, pads, dilation), (x, kernel)


def _transposed_conv_bwd(out_shape, strides, pads, dilation, residuals, g):
    # <transposed(x), g> = <x, conv(g)>: the input's gradient is the convolution of g, the
    # kernel's that convolution's kernel gradient against x
    x, kernel = residuals
    return (_pass(onednn.FORWARD, g, kernel, x.shape, strides, pads, dilation),
            _pass(onednn.KERNEL_GRAD, g, x, kernel.shape, strides, pads, dilation))


_transposed_conv.defvjp(_transposed_conv_fwd, _transposed_conv_bwd)


@symbolic
def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding='valid',
                     data_format=None, dilation_rate=(1, 1)):
    """Transposed 2D convolution (gradient of conv2d w.r.t. its input).

    `kernel` is `(kh, kw, filters, in)`; `output_shape` is the full output
    shape in `data_format` order (its batch entry may be None).

    # Arguments
        x: input tensor.
        kernel: kernel tensor `(rows, cols, filters, in_channels)`.
        output_shape: the full output shape, batch included (a tuple of integers or a 1-D
            integer tensor).
        strides: tuple of 2 integers.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).
        dilation_rate: tuple of 2 integers.

    # Returns
        A tensor of `output_shape`.
    """
    return _conv_transpose(x, kernel, output_shape, strides, padding, data_format,
                           dilation_rate, 2, 'conv2d_transpose')


@symbolic
def conv3d_transpose(x, kernel, output_shape, strides=(1, 1, 1), padding='valid',
                     data_format=None):
    """Transposed 3D convolution; kernel `(kd, kh, kw, filters, in)`.

    # Arguments
        x: input tensor.
        kernel: kernel tensor `(depth, rows, cols, filters, in_channels)`.
        output_shape: the full output shape, batch included.
        strides: tuple of 3 integers.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).

    # Returns
        A tensor of `output_shape`.
    """
    return _conv_transpose(x, kernel, output_shape, strides, padding, data_format,
                           (1, 1, 1), 3, 'conv3d_transpose')


def _depthwise(x, depthwise_kernel, strides, padding, data_format, dilation, fn):
    in_ch = x.shape[_channel_axis(data_format)]
    if depthwise_kernel.shape[-2] != in_ch:
        raise ValueError('%s: the depthwise kernel expects %d input channels (shape %s) but '
                         'the input (shape %s, data_format=%r) has %d'
                         % (fn, depthwise_kernel.shape[-2], depthwise_kernel.shape, x.shape,
                            data_format, in_ch))
    return _in_channels_last(_depthwise_op, x, depthwise_kernel, strides, padding,
                             data_format, dilation)


def _depthwise_op(x, kernel, strides, pads, dilation):
    """channels_last depthwise convolution (kernel `taps + (channels, multiplier)`): on
    oneDNN (`_on_onednn`) a convolution with a group per input channel, else shifted
    windows."""
    if _on_onednn(x) and _on_onednn(kernel):
        channels, multiplier = kernel.shape[-2:]
        grouped = jnp.reshape(kernel, kernel.shape[:-2] + (1, channels * multiplier))
        return _canonical_conv(x, grouped, None, strides, pads, dilation, channels)
    return _shifted_depthwise(x, kernel, strides, pads, dilation)


def _taps(kernel_size, dilation):
    """The offsets of a kernel's taps in the (padded) input."""
    return [tuple(i * d for i, d in zip(tap, dilation)) for tap in np.ndindex(*kernel_size)]


def _window(a, start, count, strides):
    """`count` positions of `a` per spatial axis from `start`, `strides` apart."""
    limit = [b + (c - 1) * s + 1 for b, c, s in zip(start, count, strides)]
    return lax.slice(a, (0,) + tuple(start) + (0,), (a.shape[0],) + tuple(limit) + (a.shape[-1],),
                     (1,) + tuple(strides) + (1,))


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3, 4))
def _shifted_depthwise(x, kernel, strides, pads, dilation):
    """Depthwise convolution (channels_last x, kernel `taps + (channels, multiplier)`,
    output channel c * multiplier + m) as a sum over the kernel's taps of shifted input
    windows times per-channel weights.

    XLA's CPU backend runs grouped convolutions without its fast kernel: a depthwise 3x3
    layer of a MobileNet (32x56x56x64) took 390-450 ms forward, the shifted windows 5-7 ms
    (one elementwise fusion); its gradient is written the same way (below)."""
    return _shifted_depthwise_fwd(x, kernel, strides, pads, dilation)[0]


def _depthwise_input(x, kernel, pads):
    """x padded, each channel repeated `multiplier` times (channel c * multiplier + m)."""
    xp = lax.pad(x, jnp.zeros((), x.dtype), ((0, 0, 0),) + tuple((lo, hi, 0) for lo, hi in pads)
                 + ((0, 0, 0),))
    mult = kernel.shape[-1]
    return jnp.repeat(xp, mult, axis=-1) if mult > 1 else xp


def _shifted_depthwise_fwd(x, kernel, strides, pads, dilation):
    rank = x.ndim - 2
    ksize = kernel.shape[:rank]
    xp = _depthwise_input(x, kernel, pads)
    weights = jnp.reshape(kernel, ksize + (-1,))
    out = [(n - ((k - 1) * d + 1)) // s + 1
           for n, k, d, s in zip(xp.shape[1:-1], ksize, dilation, strides)]
    y = None
    for tap, offset in zip(np.ndindex(*ksize), _taps(ksize, dilation)):
        term = _window(xp, offset, out, strides) * weights[tap]
        y = term if y is None else y + term
    return y, (x, kernel)


def _shifted_depthwise_bwd(strides, pads, dilation, residuals, g):
    x, kernel = residuals
    rank = x.ndim - 2
    ksize = kernel.shape[:rank]
    xp = _depthwise_input(x, kernel, pads)
    weights = jnp.reshape(kernel, ksize + (-1,))
    out = g.shape[1:-1]
    reduce_axes = tuple(range(rank + 1))
    # kernel gradient: each tap's input window against the output gradient, summed over
    # the batch and the positions; the taps of one kernel row are stacked into one sum
    # (XLA fuses a lone tap's sum with the chain that produced the input and recomputes
    # it for each of the nine taps: a MobileNet train step 262 -> 194 ms), not all of
    # them (nine stacked products of a large layer take twice as long)
    taps = list(_taps(ksize, dilation))
    row = int(np.prod(ksize[1:]))
    stacked_axes = tuple(a + 1 for a in reduce_axes)
    dweights = jnp.concatenate([
        jnp.sum(jnp.stack([_window(xp, offset, out, strides) * g
                           for offset in taps[i:i + row]]), axis=stacked_axes)
        for i in range(0, len(taps), row)])
    # input gradient: the output gradient spread out by the strides and padded so that the
    # padded input's position p reads it at p - offset for every tap
    spread = [(o - 1) * s + 1 for o, s in zip(out, strides)]
    reach = [(k - 1) * d for k, d in zip(ksize, dilation)]
    full = lax.pad(g, jnp.zeros((), g.dtype),
                   ((0, 0, 0),) + tuple((r, n - sp, s - 1) for r, n, sp, s in
                                        zip(reach, xp.shape[1:-1], spread, strides))
                   + ((0, 0, 0),))
    dxp = None
    for tap, offset in zip(np.ndindex(*ksize), _taps(ksize, dilation)):
        start = [r - o for r, o in zip(reach, offset)]
        term = _window(full, start, xp.shape[1:-1], (1,) * rank) * weights[tap]
        dxp = term if dxp is None else dxp + term
    mult = kernel.shape[-1]
    if mult > 1:
        dxp = jnp.sum(jnp.reshape(dxp, dxp.shape[:-1] + (-1, mult)), axis=-1)
    dx = lax.slice(dxp, (0,) + tuple(lo for lo, _ in pads) + (0,),
                   (dxp.shape[0],) + tuple(lo + n for (lo, _), n in zip(pads, x.shape[1:-1]))
                   + (dxp.shape[-1],))
    return dx, jnp.reshape(dweights, kernel.shape)


_shifted_depthwise.defvjp(_shifted_depthwise_fwd, _shifted_depthwise_bwd)


def _separable(x, depthwise_kernel, pointwise_kernel, strides, padding, data_format,
               dilation_rate, rank, fn, allow_causal=False):
    x, depthwise_kernel, data_format, strides, dilation, padding = _conv_args(
        x, depthwise_kernel, strides, padding, data_format, dilation_rate, rank, fn,
        allow_causal)
    pointwise_kernel = _a(pointwise_kernel).astype(x.dtype)
    mid = depthwise_kernel.shape[-2] * depthwise_kernel.shape[-1]
    if pointwise_kernel.shape[:-1] != (1,) * rank + (mid,):
        raise ValueError('%s: the pointwise kernel must have shape %s + (%d, filters), got %s'
                         % (fn, (1,) * rank, mid, pointwise_kernel.shape))
    x, padding = _causal_pad(x, padding, depthwise_kernel, dilation, data_format)
    y = _depthwise(x, depthwise_kernel, strides, padding, data_format, dilation, fn)
    return _conv(y, pointwise_kernel, (1,) * rank, 'valid', data_format, (1,) * rank)


@symbolic
def separable_conv1d(x, depthwise_kernel, pointwise_kernel, strides=1, padding='valid',
                     data_format=None, dilation_rate=1):
    """Depthwise 1D convolution (kernel `(k, in, mult)`) then pointwise `(1, in*mult, out)`.

    # Arguments
        x: 3D input tensor.
        depthwise_kernel: kernel `(kernel_size, in_channels, depth_multiplier)`.
        pointwise_kernel: kernel `(1, in_channels * depth_multiplier, filters)`.
        strides: integer stride.
        padding: `"valid"`, `"same"` or `"causal"`.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).
        dilation_rate: integer dilation rate.

    # Returns
        A tensor, the result of the convolutions.
    """
    return _separable(x, depthwise_kernel, pointwise_kernel, strides, padding, data_format,
                      dilation_rate, 1, 'separable_conv1d', allow_causal=True)


@symbolic
def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding='valid',
                     data_format=None, dilation_rate=(1, 1)):
    """Depthwise 2D convolution then a 1x1 pointwise convolution.

    # Arguments
        x: 4D input tensor.
        depthwise_kernel: kernel `(rows, cols, in_channels, depth_multiplier)`.
        pointwise_kernel: kernel `(1, 1, in_channels * depth_multiplier, filters)`.
        strides: tuple of 2 integers.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).
        dilation_rate: tuple of 2 integers.

    # Returns
        A tensor, the result of the convolutions.
    """
    return _separable(x, depthwise_kernel, pointwise_kernel, strides, padding, data_format,
                      dilation_rate, 2, 'separable_conv2d')


@symbolic
def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding='valid', data_format=None,
                     dilation_rate=(1, 1)):
    """Per-channel 2D convolution; kernel `(kh, kw, in, mult)`, output channel c*mult+m.

    # Arguments
        x: input tensor.
        depthwise_kernel: kernel tensor `(rows, cols, in_channels, depth_multiplier)`.
        strides: tuple of 2 integers.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).
        dilation_rate: tuple of 2 integers.

    # Returns
        A tensor, the result of the convolution.
    """
    fn = 'depthwise_conv2d'
    x, depthwise_kernel, data_format, strides, dilation, padding = _conv_args(
        x, depthwise_kernel, strides, padding, data_format, dilation_rate, 2, fn)
    return _depthwise(x, depthwise_kernel, strides, padding, data_format, dilation, fn)


# ------------------------------------------------------------ pooling
def _pool_pads(in_size, k, s, padding, fn):
    if padding == 'same':
        out = -(-in_size // s)
        total = max((out - 1) * s + k - in_size, 0)
        return out, (total // 2, total - total // 2)
    if in_size < k:
        raise ValueError('%s: pool size %d is larger than the input size %d with '
                         "padding='valid'" % (fn, k, in_size))
    return (in_size - k) // s + 1, (0, 0)


def _window_counts(in_size, k, s, pad_before, out):
    starts = np.arange(out) * s - pad_before
    return (np.minimum(starts + k, in_size) - np.maximum(starts, 0)).astype(np.float64)


def _window_tiles(x, pool_size, first):
    """`x` cut into its non-overlapping pooling windows: shape (batch and the other axes,
    output positions..., window elements) with each window flattened in row-major order
    (the trailing rows and columns that fill no whole window dropped, as 'valid' does)."""
    rank = len(pool_size)
    crop = tuple(slice(None) if not first <= ax < first + rank else
                 slice(0, (x.shape[ax] // pool_size[ax - first]) * pool_size[ax - first])
                 for ax in range(x.ndim))
    x = x[crop]
    split, window_axes, keep_axes = [], [], []
    for ax, size in enumerate(x.shape):
        if first <= ax < first + rank:
            k = pool_size[ax - first]
            split += [size // k, k]
            keep_axes.append(len(split) - 2)
            window_axes.append(len(split) - 1)
        else:
            split.append(size)
            keep_axes.append(len(split) - 1)
    tiles = x.reshape(split).transpose(keep_axes + window_axes)
    return tiles.reshape(tiles.shape[:x.ndim] + (-1,))


def _untile(tiles, shape, pool_size, first):
    """Inverse of `_window_tiles` into an array of `shape` (dropped edges are zero)."""
    rank = len(pool_size)
    inner = tiles.reshape(tiles.shape[:-1] + tuple(pool_size))
    order, n = [], len(shape)
    for ax in range(n):
        order.append(ax)
        if first <= ax < first + rank:
            order.append(n + ax - first)
    x = inner.transpose(order)
    cropped = tuple(s if not first <= ax < first + rank else
                    (s // pool_size[ax - first]) * pool_size[ax - first]
                    for ax, s in enumerate(shape))
    x = x.reshape(cropped)
    pads = [(0, s - c) for s, c in zip(shape, cropped)]
    return jnp.pad(x, pads) if any(p for _, p in pads) else x


@functools.partial(jax.custom_vjp, nondiff_argnums=(1, 2))
def _tiled_max_pool(x, pool_size, first):
    """Max pooling with windows that tile the input (strides equal to the pool size, no
    padding): the forward pass is `lax.reduce_window` (fastest without a gradient); under
    differentiation the windows are cut out by a reshape, and the gradient goes to the first
    maximum of each window, as `lax.reduce_window`'s (and TensorFlow's) does, without its
    select-and-scatter."""
    window = tuple(pool_size[ax - first] if first <= ax < first + len(pool_size) else 1
                   for ax in range(x.ndim))
    return lax.reduce_window(x, -np.inf, lax.max, window, window, 'VALID')


@jax.custom_jvp
def _max_with_index(tiles):
    """The maximum over the last axis of `tiles` and the index of its first occurrence (a
    NaN counts as the maximum), from one reduction: taking the maximum back out of the
    tiles by its index is a gather, which XLA's CPU backend cannot vectorize (it ran ~6x
    slower than the reduction in the MNIST CNN's train step). Differentiable (a gradient
    of the pooling's gradient, e.g. `K.gradients` of a pooled output inside a model that
    is trained): the maximum's tangent is the tangent at its index."""
    def pick(a, b):
        a_value, a_index = a
        b_value, b_index = b
        # `a` wins when larger or NaN; a tie (or two NaNs) goes to the earlier index
        a_wins = (a_value > b_value) | ((a_value != a_value) & (b_value == b_value))
        tie = ((a_value == b_value) | ((a_value != a_value) & (b_value != b_value))) & \
            (a_index < b_index)
        wins = a_wins | tie
        return lax.select(wins, a_value, b_value), lax.select(wins, a_index, b_index)

    index = lax.broadcasted_iota(np.int32, tiles.shape, tiles.ndim - 1)
    init = (np.array(-np.inf, tiles.dtype), np.array(tiles.shape[-1], np.int32))
    return lax.reduce((tiles, index), init, pick, (tiles.ndim - 1,))


@_max_with_index.defjvp
def _max_with_index_jvp(primals, tangents):
    (tiles,), (tangent,) = primals, tangents
    out, index = _max_with_index(tiles)
    picked = jnp.sum(jax.nn.one_hot(index, tiles.shape[-1], dtype=tangent.dtype) * tangent,
                     axis=-1)
    return (out, index), (picked, np.zeros(index.shape, jax.dtypes.float0))


def _tiled_max_pool_fwd(x, pool_size, first):
    out, index = _max_with_index(_window_tiles(x, pool_size, first))
    return out, (index, x.shape)


def _tiled_max_pool_bwd(pool_size, first, residuals, g):
    index, shape = residuals
    size = int(np.prod(pool_size))
    tiles = jax.nn.one_hot(index, size, dtype=g.dtype) * g[..., None]
    return (_untile(tiles, shape, pool_size, first),)


_tiled_max_pool.defvjp(_tiled_max_pool_fwd, _tiled_max_pool_bwd)


# The most elements a pooling window may have for the sliced forms below (the gradient of a
# 100-element max-pooling window compiled in 0.65 s, of a 64-element one in ~0.3 s)
SLICED_POOL_MAX_WINDOW = 64


def _window_offsets(window):
    """The offsets of a window's elements, in row-major order."""
    return list(itertools.product(*[range(k) for k in window]))


def _sliced_reduce(x, window, strides, pads, op, init):
    """`lax.reduce_window(x, init, op, window, strides, pads)` as a reduction of strided
    slices of the padded input, one window axis after the other: elementwise work that XLA
    fuses and vectorizes (its CPU reduce-window ran the Inception module's 3x3 max pooling
    at stride 1 4.6x slower: 13.7 against 3.0 ms at batch 32 of 28x28x192)."""
    x = lax.pad(x, np.array(init, x.dtype), [(lo, hi, 0) for lo, hi in pads])
    for ax, (k, s) in enumerate(zip(window, strides)):
        if k == 1 and s == 1:
            continue
        n = (x.shape[ax] - k) // s + 1
        parts = [lax.slice_in_dim(x, d, d + (n - 1) * s + 1, s, ax) for d in range(k)]
        x = functools.reduce(op, parts)
    return x


def _pool_slices(x, window, strides, pads, init):
    """Per window offset (`_window_offsets` order), the strided slice of the padded `x` that
    holds that element of every window (each of the pooled output's shape)."""
    x = lax.pad(x, np.array(init, x.dtype), [(lo, hi, 0) for lo, hi in pads])
    out = [(n - k) // s + 1 for n, k, s in zip(x.shape, window, strides)]
    return [lax.slice(x, offset, [o + (m - 1) * s + 1 for o, m, s in
                                  zip(offset, out, strides)], strides)
            for offset in _window_offsets(window)]


def _scatter_to_windows(parts, window, strides, pads, shape):
    """The transpose of `_pool_slices` summed: `parts[i]` (one per window offset, each of
    the pooled shape) added back into an array of the input's `shape` at the positions
    that offset took from. Each part is spread on a grid of its strides and padded once;
    the sum is then of plain slices of those padded arrays, one elementwise loop."""
    out = parts[0].shape
    config = [(k - 1, max(0, lo + n - (m - 1) * s - 1), s - 1)
              for k, s, (lo, _), n, m in zip(window, strides, pads, shape, out)]
    total = None
    for part, offset in zip(parts, _window_offsets(window)):
        spread = lax.pad(part, np.array(0, part.dtype), config)
        start = [lo + k - 1 - o for (lo, _), k, o in zip(pads, window, offset)]
        piece = lax.slice(spread, start, [a + n for a, n in zip(start, shape)])
        total = piece if total is None else total + piece
    return total


@functools.partial(jax.custom_vjp, nondiff_argnums=(1, 2, 3))
def _max_pool(x, window, strides, pads):
    """Max pooling of a floating-point `x` (`window`, `strides` and `pads` per axis, pads
    filled with -inf) as strided slices (`_sliced_reduce`). Differentiated, the forward
    pass also finds each window's first maximum in row-major order (a NaN counts as the
    maximum), where the gradient goes, as `lax.reduce_window`'s (and TensorFlow's) does;
    the backward pass is elementwise too, without XLA's select-and-scatter (the gradient
    of ResNet50's 3x3 max pooling at stride 2, batch 8, ran 100 -> 11 ms)."""
    return _sliced_reduce(x, window, strides, pads, lax.max, -np.inf)


def _max_pool_fwd(x, window, strides, pads):
    parts = _pool_slices(x, window, strides, pads, -np.inf)
    index_type = np.int8   # windows of at most SLICED_POOL_MAX_WINDOW (64) elements
    best, index = parts[0], jnp.zeros(parts[0].shape, index_type)
    for i, part in enumerate(parts[1:], 1):
        # a later element wins only when larger, or NaN where the best so far is not
        wins = (part > best) | ((part != part) & (best == best))
        best = lax.select(wins, part, best)
        index = lax.select(wins, jnp.full(part.shape, i, index_type), index)
    return best, (index, x.shape)


def _max_pool_bwd(window, strides, pads, residuals, g):
    index, shape = residuals
    zero = jnp.zeros((), g.dtype)
    parts = [jnp.where(index == i, g, zero) for i in range(int(np.prod(window)))]
    return (_scatter_to_windows(parts, window, strides, pads, shape),)


_max_pool.defvjp(_max_pool_fwd, _max_pool_bwd)


@functools.partial(jax.custom_vjp, nondiff_argnums=(1, 2, 3))
def _sum_pool(x, window, strides, pads):
    """The sum of each window of `x` (zero padding) as strided slices; its gradient adds
    each window's gradient back into the window's elements, elementwise as well."""
    return _sliced_reduce(x, window, strides, pads, lax.add, 0)


def _sum_pool_fwd(x, window, strides, pads):
    return _sum_pool(x, window, strides, pads), x.shape


def _sum_pool_bwd(window, strides, pads, shape, g):
    parts = [g] * int(np.prod(window))
    return (_scatter_to_windows(parts, window, strides, pads, shape),)


_sum_pool.defvjp(_sum_pool_fwd, _sum_pool_bwd)


def _pool(x, pool_size, strides, padding, data_format, pool_mode, rank, fn):
    x = _a(x)
    if x.ndim != rank + 2:
        raise ValueError('%s: expected a %dD input, got shape %s' % (fn, rank + 2, x.shape))
    pool_size = _int_tuple(pool_size, rank, fn, 'pool_size')
    strides = _int_tuple(strides, rank, fn, 'strides')
    padding = _padding(padding, fn)
    data_format = config.normalize_data_format(data_format)
    if pool_mode not in ('max', 'avg'):
        raise ValueError("%s: `pool_mode` must be 'max' or 'avg', got %r" % (fn, pool_mode))
    first = 2 if data_format == 'channels_first' else 1
    window = [1] * x.ndim
    wstrides = [1] * x.ndim
    pads = [(0, 0)] * x.ndim
    counts = []
    for i in range(rank):
        ax = first + i
        out, pad = _pool_pads(x.shape[ax], pool_size[i], strides[i], padding, fn)
        window[ax], wstrides[ax], pads[ax] = pool_size[i], strides[i], pad
        counts.append(_window_counts(x.shape[ax], pool_size[i], strides[i], pad[0], out))
    window, wstrides, pads = tuple(window), tuple(wstrides), tuple(pads)
    # the sliced forms' gradients sum a term per window element: beyond
    # SLICED_POOL_MAX_WINDOW elements XLA's reduce-window (whose compile time does not grow
    # with the window) is kept
    sliced = int(np.prod(window)) <= SLICED_POOL_MAX_WINDOW
    if pool_mode == 'max':
        floating = jnp.issubdtype(x.dtype, jnp.floating)
        if floating and window == wstrides and not any(lo or hi for lo, hi in pads):
            # windows tile the input: a reshape, whose gradient XLA fuses better into a
            # train step (MNIST CNN fit 2,700-2,840 samples/s, 2,470-2,530 sliced)
            return _tiled_max_pool(x, tuple(pool_size), first)
        # (a Python-scalar identity lets JAX recognise reduce-window's max monoid)
        init = -np.inf if floating else int(jnp.iinfo(x.dtype).min)
        if not sliced:
            return lax.reduce_window(x, init, lax.max, window, wstrides, pads)
        if floating:
            return _max_pool(x, window, wstrides, pads)
        return _sliced_reduce(x, window, wstrides, pads, lax.max, init)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(config.floatx())
    if sliced:
        total = _sum_pool(x, window, wstrides, pads)
    else:
        total = lax.reduce_window(x, 0., lax.add, window, wstrides, pads)
    count = counts[0]
    for c in counts[1:]:
        count = np.multiply.outer(count, c)
    shape = [1] * x.ndim
    shape[first:first + rank] = count.shape
    return total / jnp.asarray(count.reshape(shape), dtype=x.dtype)


@symbolic
def pool2d(x, pool_size, strides=(1, 1), padding='valid', data_format=None, pool_mode='max'):
    """2D max/average pooling.

    With 'same' padding, max pooling ignores the padding and average pooling divides by
    the number of real elements in each window.

    # Arguments
        x: 4D tensor.
        pool_size: tuple of 2 integers.
        strides: tuple of 2 integers.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).
        pool_mode: `"max"` or `"avg"`.

    # Returns
        A tensor, the result of the pooling.
    """
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 2, 'pool2d')


@symbolic
def pool3d(x, pool_size, strides=(1, 1, 1), padding='valid', data_format=None,
           pool_mode='max'):
    """3D max/average pooling (see pool2d).

    # Arguments
        x: 5D tensor.
        pool_size: tuple of 3 integers.
        strides: tuple of 3 integers.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).
        pool_mode: `"max"` or `"avg"`.

    # Returns
        A tensor, the result of the pooling.
    """
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 3, 'pool3d')


# ------------------------------------------------------------ locally connected
def _local_conv(inputs, kernel, kernel_size, strides, output_shape, data_format, fn):
    inputs, kernel = _a(inputs), _a(kernel)
    rank = len(output_shape)
    data_format = config.normalize_data_format(data_format)
    if inputs.ndim != rank + 2:
        raise ValueError('%s: expected a %dD input, got shape %s' % (fn, rank + 2, inputs.shape))
    kernel_size = _int_tuple(kernel_size, rank, fn, 'kernel_size')
    strides = _int_tuple(strides, rank, fn, 'strides')
    first = 2 if data_format == 'channels_first' else 1
    channels = inputs.shape[_channel_axis(data_format)]
    n_out = int(np.prod(output_shape))
    feature_dim = int(np.prod(kernel_size)) * channels
    if kernel.ndim != 3 or kernel.shape[0] != n_out or kernel.shape[1] != feature_dim:
        raise ValueError('%s: the kernel must have shape (%d, %d, filters) for output shape '
                         '%s, kernel_size %s and %d input channels; got %s'
                         % (fn, n_out, feature_dim, tuple(output_shape), kernel_size,
                            channels, kernel.shape))
    for i in range(rank):
        need = (output_shape[i] - 1) * strides[i] + kernel_size[i]
        if need > inputs.shape[first + i]:
            raise ValueError('%s: output shape %s needs at least %d input positions along '
                             'spatial axis %d, input shape is %s'
                             % (fn, tuple(output_shape), need, i, inputs.shape))
    # index arrays: spatial axis i gathers positions o*s + k -> shape (out_i, k_i)
    idx = [np.arange(output_shape[i])[:, None] * strides[i] + np.arange(kernel_size[i])[None, :]
           for i in range(rank)]
    # broadcast to (out_0, ..., out_{r-1}, k_0, ..., k_{r-1})
    grids = []
    for i in range(rank):
        shape = [1] * (2 * rank)
        shape[i], shape[rank + i] = output_shape[i], kernel_size[i]
        grids.append(jnp.asarray(idx[i].reshape(shape)))
    if data_format == 'channels_first':
        patches = inputs[(slice(None), slice(None)) + tuple(grids)]
        # (B, C, outs..., ks...) -> (B, outs..., C, ks...)
        perm = (0,) + tuple(range(2, 2 + rank)) + (1,) + tuple(range(2 + rank, 2 + 2 * rank))
        patches = jnp.transpose(patches, perm)
    else:
        patches = inputs[(slice(None),) + tuple(grids) + (slice(None),)]
        # (B, outs..., ks..., C) already in (position, channel) order
    patches = jnp.reshape(patches, (inputs.shape[0], n_out, feature_dim))
    dtype = jnp.result_type(patches.dtype, kernel.dtype)
    out = jnp.einsum('bpf,pfn->bpn', patches.astype(dtype), kernel.astype(dtype))
    out = jnp.reshape(out, (inputs.shape[0],) + tuple(output_shape) + (kernel.shape[-1],))
    if data_format == 'channels_first':
        out = jnp.moveaxis(out, -1, 1)
    return out


@symbolic
def local_conv1d(inputs, kernel, kernel_size, strides, data_format=None):
    """Unshared-weight 1D convolution; kernel `(output_length, kernel_size*in, filters)`.

    # Arguments
        inputs: 3D tensor `(batch, steps, channels)`.
        kernel: the unshared kernel `(output_length, kernel_size * in_channels, filters)`.
        kernel_size: tuple of 1 integer, the window length.
        strides: tuple of 1 integer, the stride.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).

    # Returns
        A tensor `(batch, output_length, filters)`.

    # Raises
        ValueError: if the kernel is not 3D or does not fit `kernel_size` and the input's
            channels, or if the input is not 3D or too short for the output length.
    """
    kernel_shape = np.shape(_a(kernel))
    if len(kernel_shape) != 3:
        raise ValueError('local_conv1d: the kernel must be 3D (output_length, '
                         'kernel_size*in, filters), got shape %s' % (kernel_shape,))
    return _local_conv(inputs, kernel, kernel_size, strides, (kernel_shape[0],), data_format,
                       'local_conv1d')


@symbolic
def local_conv2d(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    """Unshared-weight 2D convolution; kernel `(rows*cols, kh*kw*in, filters)`.

    Patches are flattened in (kh, kw, in) order for channels_last and
    (in, kh, kw) order for channels_first, as Keras 2 does.

    # Arguments
        inputs: 4D tensor.
        kernel: the unshared kernel `(output_rows * output_cols, rows * cols * in_channels,
            filters)`.
        kernel_size: tuple of 2 integers, the window size.
        strides: tuple of 2 integers.
        output_shape: tuple `(output_rows, output_cols)`.
        data_format: `"channels_last"` or `"channels_first"` (`None`: `K.image_data_format()`).

    # Returns
        A 4D tensor.

    # Raises
        ValueError: if `output_shape` is not a pair of integers, if the input is not 4D or
            too small for `output_shape`, or if the kernel does not fit the output shape,
            `kernel_size` and the input's channels.
    """
    try:
        output_shape = tuple(int(d) for d in output_shape)
    except (TypeError, ValueError):
        output_shape = ()
    if len(output_shape) != 2:
        raise ValueError('local_conv2d: `output_shape` must be (output_rows, output_cols), '
                         'got %r' % (output_shape,))
    return _local_conv(inputs, kernel, kernel_size, strides, output_shape, data_format,
                       'local_conv2d')
