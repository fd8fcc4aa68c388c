"""oneDNN convolutions (and batch normalization) for the JAX backend on the CPU.

XLA's CPU backend computes a convolution's kernel gradient two to five times slower than
oneDNN, the library TensorFlow and PyTorch run their CPU convolutions on, and its input
gradient and forward pass up to two times slower (`benchmarks/conv_layers.py`). Where
oneDNN is installed (the `onednn-cpu-gomp` and `onednn-devel-cpu-gomp` packages, which
`pip install keras` brings on x86-64 Linux) and a C++ compiler is there, the first
convolution traced compiles `native/onednn_conv.cc` against it and against JAX's FFI
headers, once per version of each, into `build_dir()` (a few seconds), and `conv_ops` runs
the three passes of its differentiated float32 convolutions (forward, input gradient,
kernel gradient), and depthwise and transposed ones in any case, as XLA custom calls of
that library. `math_ops` runs a train step's 4D float32 batch normalization on it too
(its statistics in one pass, `batch_moments`, no oneDNN in it; its backward pass oneDNN's),
`ops.dropout` its keep masks (`keep_mask`, no oneDNN in it: Threefry bits compiled once
here rather than into every program) and the optimizers
their update rules (`optimizer_update`, no oneDNN either: one pass over all weights, one
call a step), and `ops` a layer's kernel gradient (`matmul`: oneDNN's sgemm reading an
operand transposed in place, where XLA copies it transposed first) and a lookup's gradient
(`scatter_rows`, no oneDNN). Anything missing, and everything else keeps XLA's own
convolutions, reductions, products, scatters and hash; `KERAS_ONEDNN=0` turns the library
off.

`status()` says whether it is in use and, if not, why.
"""
import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import warnings

import numpy as np
import jax
import jaxlib

from ..config import switched_off


TARGET = 'keras_onednn_convolution'
NORM_BACKWARD = 'keras_onednn_batch_norm_backward'
KEEP_MASK = 'keras_keep_mask'
OPTIMIZER_UPDATE = 'keras_optimizer_update'
MATMUL = 'keras_onednn_matmul'
SCATTER_ROWS = 'keras_scatter_rows'
BATCH_MOMENTS = 'keras_batch_moments'
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'native', 'onednn_conv.cc')
# the passes of native/onednn_conv.cc
FORWARD, INPUT_GRAD, KERNEL_GRAD = 0, 1, 2

_lock = threading.Lock()
_state = {}   # 'ok': bool, 'reason': why not, 'library': path of the compiled handlers


def _off():
    return switched_off('KERAS_ONEDNN')


def _installed_dir(name, relative):
    """The directory D such that D/`relative` is a file of the installed distribution
    `name`, or None."""
    try:
        from importlib import metadata
        files = metadata.distribution(name).files or ()
    except Exception:  # not installed
        return None
    for f in files:
        path = os.path.abspath(str(f.locate()))
        if path.replace(os.sep, '/').endswith('/' + relative):
            return path[:-len(relative) - 1]
    return None


def _find_onednn():
    """(include dir, library dir) of a oneDNN 3 installation, or a reason string."""
    header = 'oneapi/dnnl/dnnl.hpp'
    candidates = []
    root = os.environ.get('KERAS_ONEDNN_ROOT')
    if root:
        candidates.append((os.path.join(root, 'include'), os.path.join(root, 'lib')))
    candidates.append((_installed_dir('onednn-devel-cpu-gomp', header),
                       _installed_dir('onednn-cpu-gomp', 'libdnnl.so.3')))
    for prefix in dict.fromkeys((sys.prefix, sys.base_prefix, '/usr/local', '/usr')):
        candidates.append((os.path.join(prefix, 'include'), os.path.join(prefix, 'lib')))
    candidates.append(('/usr/include', '/usr/lib/x86_64-linux-gnu'))
    for inc, lib in candidates:
        if inc and lib and (os.path.isfile(os.path.join(inc, header))
                and os.path.isfile(os.path.join(lib, 'libdnnl.so.3'))):
            return inc, lib
    return 'oneDNN 3 not found (pip install onednn-cpu-gomp onednn-devel-cpu-gomp)'


def build_dir():
    """Where the compiled handlers are kept: `KERAS_NATIVE_DIR`, else
    `$XDG_CACHE_HOME/keras/native` (`~/.cache/keras/native`). A build product of the
    installation rather than user data, it lies outside the Keras home directory, so a
    fresh `KERAS_HOME` (an empty compilation cache) does not rebuild it."""
    if os.environ.get('KERAS_NATIVE_DIR'):
        return os.environ['KERAS_NATIVE_DIR']
    cache = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(cache, 'keras', 'native')


def _compile(include, libdir):
    """Path of the handlers' shared library, compiled here if no earlier process did."""
    compiler = os.environ.get('CXX') or shutil.which('g++') or shutil.which('c++')
    if not compiler:
        return None, 'no C++ compiler (g++) found'
    with open(SOURCE, 'rb') as f:
        source = f.read()
    ffi_include = jax.ffi.include_dir()
    # (-fno-math-errno: square roots in vector instructions)
    flags = ['-O3', '-fno-math-errno', '-fopenmp', '-std=c++17',
             '-shared', '-fPIC', '-w', '-I' + ffi_include, '-I' + include]
    libraries = ['-L' + libdir, '-l:libdnnl.so.3', '-Wl,-rpath,' + libdir]
    # a build per version of the source, of JAX and of the flags
    key = hashlib.sha256(b'\0'.join(
        [source, jax.__version__.encode(), jaxlib.__version__.encode()]
        + [f.encode() for f in flags + libraries])).hexdigest()[:16]
    outdir = build_dir()
    target = os.path.join(outdir, 'keras_onednn_%s.so' % key)
    if os.path.isfile(target):
        return target, None
    try:
        os.makedirs(outdir, exist_ok=True)
    except OSError as e:
        return None, 'cannot create %s: %s' % (outdir, e)
    # built beside the target and renamed into place: a process that loads it never sees
    # a partial file, and two processes compiling at once each rename a whole one
    fd, tmp = tempfile.mkstemp(suffix='.so', dir=outdir)
    os.close(fd)
    cmd = [compiler] + flags + [SOURCE] + libraries + ['-o', tmp]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            return None, 'compiling %s with %s failed (exit status %d)\n%s' % (
                SOURCE, compiler, done.returncode, done.stderr[-2000:])
        os.replace(tmp, target)
    except (OSError, subprocess.SubprocessError) as e:
        return None, 'compiling %s failed: %s' % (SOURCE, e)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return target, None


def _load():
    if _off():
        return None, 'turned off by KERAS_ONEDNN=%s' % os.environ.get('KERAS_ONEDNN')
    if not sys.platform.startswith('linux'):
        return None, 'only built on Linux'
    if not hasattr(jax, 'ffi') or not hasattr(jax.ffi, 'ffi_call'):
        return None, 'this JAX has no jax.ffi'
    found = _find_onednn()
    if isinstance(found, str):
        return None, found
    path, reason = _compile(*found)
    if path is None:
        return None, reason
    try:
        library = ctypes.CDLL(path)
        for target, symbol in ((TARGET, library.KerasOnednnConvolution),
                               (NORM_BACKWARD, library.KerasOnednnBatchNormBackward),
                               (KEEP_MASK, library.KerasKeepMask),
                               (OPTIMIZER_UPDATE, library.KerasOptimizerUpdate),
                               (MATMUL, library.KerasOnednnMatmul),
                               (SCATTER_ROWS, library.KerasScatterRows),
                               (BATCH_MOMENTS, library.KerasBatchMoments)):
            jax.ffi.register_ffi_target(target, jax.ffi.pycapsule(symbol), platform='cpu')
    except Exception as e:  # a library that does not load: keep XLA's convolutions
        return None, 'loading %s failed: %s' % (path, e)
    return path, None


def available():
    """Whether the oneDNN convolutions are compiled, loaded and registered (once per
    process; a failure to compile an installed oneDNN warns once)."""
    with _lock:
        if 'ok' not in _state:
            path, reason = _load()
            _state.update(ok=path is not None, library=path, reason=reason)
            if reason and reason.startswith(('compiling', 'loading')):
                warnings.warn('keras: XLA convolutions instead of oneDNN, and XLA\'s own '
                              'batch normalization, dropout masks and optimizer updates '
                              'instead of the native handlers (the same results): ' + reason,
                              RuntimeWarning, stacklevel=2)
        return _state['ok']


def status():
    """`(in_use, detail)`: whether convolutions on the CPU run on oneDNN, and the path of
    the compiled handlers or the reason they are not used."""
    ok = available()
    return ok, _state['library'] if ok else _state['reason']


def handles(x):
    """Whether oneDNN computes on the array `x` here: float32, not empty, JAX's default
    device the CPU, and the library available."""
    return (x.dtype == np.float32 and x.size > 0 and jax.default_backend() == 'cpu'
            and available())


def _require():
    if not available():
        raise RuntimeError('oneDNN is not available here: %s' % _state['reason'])


def convolution(pass_, a, b, out_shape, strides, pads, dilation, groups=1, bias=None):
    """One pass of a channels_last float32 convolution as a oneDNN custom call.

    `pass_` FORWARD: (x, kernel) -> y; INPUT_GRAD: (dy, kernel) -> dx; KERNEL_GRAD:
    (x, dy) -> dkernel, `out_shape` the result's shape; `pads` ((low, high), ...) per
    spatial axis, `dilation` the kernel's (1: none), `groups` as XLA's
    `feature_group_count` (the kernel is `spatial + (in / groups, out)`); `bias` (FORWARD
    only): a vector of one entry per output channel added to each output position."""
    _require()
    if bias is not None and pass_ != FORWARD:
        raise ValueError('convolution: a bias is an operand of the forward pass (pass %d) '
                         'only, got pass %r' % (FORWARD, pass_))
    call = jax.ffi.ffi_call(TARGET, jax.ShapeDtypeStruct(tuple(out_shape), np.float32),
                            vmap_method='sequential')
    operands = (a, b) if bias is None else (a, b, bias)
    return call(*operands, strides=np.asarray(strides, np.int64),
                pad_lo=np.asarray([lo for lo, _ in pads], np.int64),
                pad_hi=np.asarray([hi for _, hi in pads], np.int64),
                dilation=np.asarray(dilation, np.int64), groups=np.int64(groups),
                **{'pass': np.int64(pass_)})


def matmul(a, b, transpose_a=False, transpose_b=False):
    """The product `op(a) . op(b)` of two float32 matrices as a oneDNN custom call, `op`
    transposing its matrix where asked (read in place, not copied transposed)."""
    _require()
    m = a.shape[1] if transpose_a else a.shape[0]
    n = b.shape[0] if transpose_b else b.shape[1]
    call = jax.ffi.ffi_call(MATMUL, jax.ShapeDtypeStruct((m, n), np.float32),
                            vmap_method='sequential')
    return call(a, b, transpose_a=np.int64(bool(transpose_a)),
                transpose_b=np.int64(bool(transpose_b)))


def scatter_rows(indices, updates, rows):
    """The gradient of a lookup of rows (`jnp.take(table, indices, axis=0)` transposed) as
    a custom call: a `(rows, width)` float32 array of zeros but for the sum of the
    `updates` (n, width) of the `indices` (n,) int32 that read each row; indices in
    `[-rows, 0)` count from the end, others are dropped."""
    _require()
    call = jax.ffi.ffi_call(SCATTER_ROWS,
                            jax.ShapeDtypeStruct((rows, updates.shape[1]), np.float32),
                            vmap_method='sequential')
    return call(indices, updates)


def keep_mask(key_data, keep, shape):
    """A dropout keep mask of `shape` (float32 1 to keep, 0 to drop) as a custom call: the
    mask `jax.random.bernoulli(key, keep, shape)` of the `random_streams` key whose data
    (3 uint32 words) is `key_data`, bit for bit, without the hash compiled into the
    program."""
    _require()
    call = jax.ffi.ffi_call(KEEP_MASK, jax.ShapeDtypeStruct(tuple(shape), np.float32),
                            vmap_method='sequential')
    return call(key_data, keep=np.float32(keep))


# the update rules of native/onednn_conv.cc: name -> (its number there, slots, scalars)
OPTIMIZER_RULES = {'sgd': (0, 1, 2), 'nesterov': (1, 1, 2), 'rmsprop': (2, 1, 4),
                   'adagrad': (3, 1, 2), 'adadelta': (4, 2, 4), 'adam': (5, 2, 6),
                   'amsgrad': (6, 3, 6), 'adamax': (7, 2, 5), 'nadam': (8, 2, 11)}


def optimizer_update(rule, weights, scalars):
    """One step of the rule `rule` (a key of OPTIMIZER_RULES) for several weights as one
    custom call. `weights`: `(gradient, value, slots)` per weight, float32, the three of
    one shape; `scalars`: the rule's float32 per-step numbers. Returns `[new value] + new
    slots` per weight."""
    _require()
    number, n_slots, n_scalars = OPTIMIZER_RULES[rule]
    if len(scalars) != n_scalars:
        raise ValueError('optimizer_update: the rule %r takes %d scalars, got %d'
                         % (rule, n_scalars, len(scalars)))
    if not weights:
        raise ValueError('optimizer_update: no weights to update')
    operands, results, aliases = [], [], {}
    for i, (grad, value, slots) in enumerate(weights):
        if len(slots) != n_slots:
            raise ValueError('optimizer_update: the rule %r takes %d slots a weight, got %d '
                             'for weight %d' % (rule, n_slots, len(slots), i))
        # the results take their operands' buffers (the value's and the slots'), as XLA's
        # own kernels write a loop's weights in place
        for j in range(1 + n_slots):
            aliases[len(operands) + 1 + j] = len(results) + j
        operands += [grad, value] + list(slots)
        results += [jax.ShapeDtypeStruct(value.shape, np.float32)] * (1 + n_slots)
    call = jax.ffi.ffi_call(OPTIMIZER_UPDATE, results, vmap_method='sequential',
                            input_output_aliases=aliases)
    scalars = [jax.numpy.asarray(c, np.float32).reshape(()) for c in scalars]
    out = call(*operands, *scalars, rule=np.int64(number))
    return [list(out[i:i + 1 + n_slots]) for i in range(0, len(out), 1 + n_slots)]


def batch_moments(x):
    """`(mean, biased variance)` of each channel of a float32 `x`, in one pass.

    The channels are the last axis, the statistics over all the others (sums in double
    precision)."""
    _require()
    c = jax.ShapeDtypeStruct(x.shape[-1:], np.float32)
    return jax.ffi.ffi_call(BATCH_MOMENTS, (c, c), vmap_method='sequential')(x)


def batch_norm_backward(x, dy, mean, variance, scale, epsilon):
    """The gradients `(dx, dscale, dshift)` of a batch normalization in training.

    The normalization is `scale * (x - mean) / sqrt(variance + epsilon) + shift` of a
    channels-last 4D float32 `x` with its batch's statistics over its first three axes;
    the statistics' own gradients are left out, as TensorFlow's fused kernel leaves
    them."""
    _require()
    c = jax.ShapeDtypeStruct(scale.shape, np.float32)
    call = jax.ffi.ffi_call(NORM_BACKWARD, (jax.ShapeDtypeStruct(x.shape, np.float32), c, c),
                            vmap_method='sequential')
    return call(x, dy, mean, variance, scale, epsilon=np.float32(epsilon))
