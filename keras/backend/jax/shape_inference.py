"""Static shape inference for symbolic calls with jax.eval_shape.

Unknown dimensions (None) become symbolic dimensions so a single abstract
trace yields exact output shapes; a dimension that is not a plain integer in
the result is unknown (None).  Layers whose code cannot run on symbolic
dimensions fall back to two traces with different concrete sizes.
"""
import contextlib
import re

import numpy as np
import jax
import jax.numpy as jnp
from jax import export

from .. import keras_tensor
from ..keras_tensor import KerasTensor
from .. import call_inference, foreign_ops, nest
from . import state

_FILL_A = 37
_FILL_B = 53
# JAX names no ops: Keras tensors are named `<layer>/output`
NAMES_OPS = False
# A third, larger fill, traced too when the two agree: a stride or pool of 53 or more
# ('same' padding, kapre's STFT hop) gives both one step, which would read as known
_FILL_C = 1009
# Sizes that many reshapes divide (a dimension merged from several, e.g. batch * time,
# reshaped back; `K.reshape(x, (-1, 64, ...))` of an unknown batch, which innvestigate's
# SmoothGrad makes): tried when the prime fills fail; then small sizes, for a call that
# slices a table of fixed size by an unknown length (keras-pos-embd: `w[:K.shape(x)[1]]`).
_COMPOSITE_FILLS = (840, 1680)
_DIVISIBLE_FILLS = (2 ** 8 * 3 ** 2 * 5 ** 2 * 7, 2 ** 9 * 3 ** 2 * 5 ** 2 * 7)
_SMALL_FILLS = (2, 3)


@contextlib.contextmanager
def concrete_context():
    """Run eagerly even inside a trace and outside any stateless scope (weight creation)."""
    stack = state._scope_stack()
    saved = list(stack)
    del stack[:]
    state._local.concrete += 1
    try:
        with jax.ensure_compile_time_eval():
            yield
    finally:
        state._local.concrete -= 1
        stack.extend(saved)


class _SymbolicDims(object):
    """Names a symbolic dimension for every unknown size. All unknown batch sizes (axis 0)
    of one call share one symbol, since the tensors a layer combines have the same batch:
    merge layers and broadcasting ops then trace symbolically in one pass."""

    def __init__(self):
        self.names = []

    def shape(self, shape):
        dims = []
        for axis, d in enumerate(shape):
            if d is None:
                if axis == 0:
                    name = 'batch'
                    if name not in self.names:
                        self.names.append(name)
                else:
                    name = 'd%d' % len(self.names)
                    self.names.append(name)
                dims.append(name)
            else:
                dims.append(str(int(d)))
        return dims


_SYMBOLS = {}


def _symbols(names):
    """The symbolic sizes named `names` (comma-separated), made once: JAX's trace caches
    key on the sizes, so symbols made anew at every call grow them with every layer call
    of every model a process ever builds (a server loading a model per request)."""
    symbols = _SYMBOLS.get(names)
    if symbols is None:
        symbols = _SYMBOLS[names] = export.symbolic_shape(names)
    return symbols


class _NeedsFill(Exception):
    """A tensor reached by closure has an unknown size the symbolic trace cannot name."""


def _to_abstract(struct, mode):
    """(struct with KerasTensors replaced by ShapeDtypeStructs, stand-in maker); mode is
    'symbolic' or a fill size. The stand-in maker gives a tensor of the graph that the call
    reaches by closure (not among its inputs) zeros of its shape, its unknown batch size
    the inputs' (`keras_tensor.resolving`)."""
    # input masks arrive as specs (ShapeDtypeStruct / _Spec with None dims): abstract them too
    def is_abstract(x):
        return isinstance(x, (KerasTensor, jax.ShapeDtypeStruct, _Spec))

    if mode == 'symbolic':
        specs = [x for x in nest.flatten(struct) if is_abstract(x)]
        dims = _SymbolicDims()
        str_shapes = {id(x): dims.shape(x.shape) for x in specs}
        if dims.names:
            sym_map = dict(zip(dims.names, _symbols(','.join(dims.names))))
        else:
            sym_map = {}

        def conv(x):
            if getattr(x, '_static_value', None) is not None:
                return _static(x, sym_map.get('batch'), None)
            if is_abstract(x):
                shp = tuple(sym_map[d] if d in sym_map else int(d) for d in str_shapes[id(x)])
                return jax.ShapeDtypeStruct(shp, x.dtype)
            return x

        def standin(t):
            if any(d is None and (axis > 0 or 'batch' not in sym_map)
                   for axis, d in enumerate(t.shape)):
                raise _NeedsFill(t.name)   # the fills below give it sizes
            return jnp.zeros(tuple(sym_map['batch'] if d is None else d for d in t.shape),
                             t.dtype)
        return nest.map_structure(conv, struct), standin

    batch_fill, other_fill = mode if isinstance(mode, tuple) else (mode, mode)

    def filled(shape):
        return tuple((batch_fill if axis == 0 else other_fill) if d is None else d
                     for axis, d in enumerate(shape))

    def conv(x):
        if getattr(x, '_static_value', None) is not None:
            return _static(x, batch_fill, other_fill)
        if is_abstract(x):
            return jax.ShapeDtypeStruct(filled(x.shape), x.dtype)
        return x

    def standin(t):
        return jnp.zeros(filled(t.shape), t.dtype)
    return nest.map_structure(conv, struct), standin


def _static(x, batch, other):
    """The sizes a Keras tensor of sizes holds (`K.shape(y)`, its entries: see
    `KerasTensor._static_value`) as the trace's constant: NumPy values, as a layer's own
    `K.shape` gives them, with its unknown sizes `batch` (the batch's symbol or fill) and
    `other` (a fill; None in the symbolic trace, which then needs fills)."""
    value = np.asarray(x._static_value)
    if batch is None and (value == keras_tensor.UNKNOWN_BATCH).any():
        raise _NeedsFill(x.name)
    if other is None and (value == keras_tensor.UNKNOWN_SIZE).any():
        raise _NeedsFill(x.name)
    if isinstance(batch, (int, np.integer)):
        return keras_tensor.filled_sizes(value, batch, other, x.dtype)
    # the symbolic trace: the unknown batch size is the batch's symbol (an object array,
    # as `K.shape` gives sizes still symbolic)
    known = value != keras_tensor.UNKNOWN_BATCH
    if known.all():
        return keras_tensor.filled_sizes(value, 0, 0, x.dtype)
    sizes = np.where(known, value, None).astype(object)
    sizes[~known] = batch
    return sizes[()] if sizes.ndim == 0 else sizes


def _concrete_dims(shape):
    return tuple(int(d) if isinstance(d, (int, np.integer)) else None for d in shape)


def _eval(fn, struct, mode):
    abstract, standin = _to_abstract(struct, mode)
    tensors = [x for x in nest.flatten(abstract) if isinstance(x, jax.ShapeDtypeStruct)]

    def rebuild(values):
        it = iter(values)
        return nest.map_structure(lambda x: next(it) if isinstance(x, jax.ShapeDtypeStruct) else x,
                              abstract)

    def wrapped(*values):
        with keras_tensor.resolving(standin):
            return fn(rebuild(values))

    return jax.eval_shape(wrapped, *tensors)


def eval_structure(fn, struct):
    """Abstract outputs of fn(struct) where struct holds KerasTensors.

    Returns the output structure with jax.ShapeDtypeStruct leaves whose unknown
    dimensions are None.
    """
    try:
        out = _eval(fn, struct, 'symbolic')
        return nest.map_structure(
            lambda s: jax.ShapeDtypeStruct(_concrete_dims(s.shape), s.dtype)
            if isinstance(s, jax.ShapeDtypeStruct) else s, out)
    except Exception:  # the code needs concrete sizes: compare two fills
        pass
    try:
        out_a = _eval(fn, struct, _FILL_A)
        out_b = _eval(fn, struct, _FILL_B)
    except Exception as error:
        # Concrete arrays in the call (e.g. an RNN's initial state held in a variable, or
        # `K.random_uniform((32, 1))` made by the call) fix the batch size the graph can run
        # with, as TensorFlow's static shapes did in Keras 2.2.4: trace with the unknown
        # batch sizes set to theirs (those of the inputs, then the leading sizes of the
        # shapes the failed trace names); then try sizes that reshapes divide.
        batches = sorted(set(int(np.shape(x)[0]) for x in nest.flatten(struct)
                             if not isinstance(x, (KerasTensor, jax.ShapeDtypeStruct, _Spec))
                             and hasattr(x, 'shape') and np.ndim(x) >= 1))
        named = [int(n) for n in re.findall(r'\((\d+),', str(error))]
        batches += [n for n in dict.fromkeys(named)
                    if n not in batches and n not in (_FILL_A, _FILL_B) and n > 0]
        attempts = [((n, _FILL_A), (n, _FILL_B)) for n in batches] + [
            _COMPOSITE_FILLS, _DIVISIBLE_FILLS, _SMALL_FILLS]
        # Last, unknown sizes after the batch axis that must match a known one (a target
        # `K.placeholder(ndim=2)` against a (None, 10) output, which TensorFlow checked at
        # run time): set to each size the failed trace names, then to 1, which broadcasts
        # (such a size then reads as known in the result)
        sizes = [int(n) for group in re.findall(r'\(([\d, ]+)\)', str(error))
                 for n in re.findall(r'\d+', group)]
        named_sizes = [n for n in dict.fromkeys(sizes) if n not in (_FILL_A, _FILL_B)]
        attempts += [((_FILL_A, n), (_FILL_B, n)) for n in named_sizes + [1]
                     if n not in (_FILL_A, _FILL_B)]
        # and an unknown batch and other sizes meeting two known ones (`(None, None) *
        # K.ones((3, 6))`, which TensorFlow's static broadcasting made (3, 6)): each pair of
        # the sizes named, the same in both traces (the sizes then read as known)
        attempts += [((b, n), (b, n)) for b in named_sizes[:4] for n in named_sizes[:4]
                     if b != n]
        # and the batch meeting a known size it equals when the graph runs (keras-gat feeds
        # a whole graph as one batch: `(batch, batch)` attention plus a `(batch, N)`
        # adjacency, which TensorFlow's static broadcasting made `(?, N)`): the batch set to
        # each size named, in both traces (it then reads as known)
        attempts += [((n, _FILL_A), (n, _FILL_B)) for n in named_sizes[:4]]
        for fill_a, fill_b in attempts:
            try:
                out_a = _eval(fn, struct, fill_a)
                out_b = _eval(fn, struct, fill_b)
                break
            except Exception:
                continue
        else:
            # (the sizes in the error are made up: say so, with the tensors' Keras shapes)
            shapes = [tuple(t._keras_shape) for t in nest.flatten(struct)
                      if isinstance(t, KerasTensor)]
            note = '(%d stood for each unknown size of the Keras tensors given' % _FILL_A
            if hasattr(error, 'add_note') and shapes and not any(
                    n.startswith(note) for n in getattr(error, '__notes__', ())):
                error.add_note('%s, of shapes %s)' % (note, ', '.join(map(str, shapes))))
            foreign_ops.note_on_error(error)
            raise
        fill_c = _larger_fill(fill_a, fill_b)
    else:
        fill_c = _FILL_C
    out_c = out_b
    if fill_c is not None and _agreeing_sizes(out_a, out_b):
        try:
            out_c = _eval(fn, struct, fill_c)
        except Exception:   # (the call cannot take the larger size: two fills decide)
            out_c = out_b

    def merge(a, b, c):
        if not isinstance(a, jax.ShapeDtypeStruct):
            return a
        return _Spec(tuple(da if da == db == dc else None
                           for da, db, dc in zip(a.shape, b.shape, c.shape)), a.dtype)
    return call_inference.zip_map(merge, out_a, out_b, out_c)


def _larger_fill(fill_a, fill_b):
    """The third fill for two fills that set the unknown sizes after the batch axis to
    `_FILL_A` and `_FILL_B` (the batch the same or filled alike), else None."""
    a, b = (f if isinstance(f, tuple) else (f, f) for f in (fill_a, fill_b))
    if (a[1], b[1]) != (_FILL_A, _FILL_B):
        return None
    return (a[0], _FILL_C) if a[0] == b[0] else (_FILL_C, _FILL_C)


def _agreeing_sizes(out_a, out_b):
    """Whether some output size is 1 or 2 in both fills' traces: it could be an unknown
    size divided down to the same number of steps (a stride or pool of 27 or more; the
    fills' results differ for smaller ones)."""
    found = []

    def look(a, b):
        if isinstance(a, jax.ShapeDtypeStruct) and any(
                da == db and da in (1, 2) for da, db in zip(a.shape, b.shape)):
            found.append(True)
        return a
    call_inference.zip_map(look, out_a, out_b)
    return bool(found)


class _Spec(object):
    def __init__(self, shape, dtype):
        self.shape = shape
        self.dtype = dtype


def infer_call(layer, inputs, mask, kwargs, effects=None):
    """Output specs and output-mask specs of `layer` called on symbolic inputs (see
    `keras.backend.call_inference.infer_call`, which this backend's `eval_structure` runs)."""
    return call_inference.infer_call(eval_structure, state, layer, inputs, mask, kwargs,
                                     effects)


def infer_output_shape(layer, input_shape):
    """Default `compute_output_shape`: trace `call` on placeholders of `input_shape`."""
    return call_inference.infer_output_shape(infer_call, layer, input_shape)
