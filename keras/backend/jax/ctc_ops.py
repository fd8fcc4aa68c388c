"""Connectionist temporal classification (Keras 2 backend API).

Conventions as Keras 2.2.4 (TensorFlow backend): `y_pred` holds softmax
outputs `(batch, time, num_categories)`, the blank label is the last
category `num_categories - 1`, and the network outputs are turned into
logits with `log(y_pred + epsilon())`.
"""
import math

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

from .. import config
from ..keras_tensor import symbolic
from .execution import is_traced
from .ops import _a, _positive_int

__all__ = ['ctc_label_dense_to_sparse', 'ctc_batch_cost', 'ctc_decode']

_NEG = -1e30  # finite stand-in for log(0): keeps gradients free of NaNs


def _lengths(x, batch, fn, argname):
    x = _a(x)
    given = x.shape
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1 or x.shape[0] != batch:
        raise ValueError('%s: `%s` must have shape (%d,) or (%d, 1), got %s'
                         % (fn, argname, batch, batch, given))
    return x.astype('int32')


def ctc_label_dense_to_sparse(labels, label_lengths):
    """Sparse (jax.experimental.sparse.BCOO) version of dense labels.

    Entry (b, t) is kept when t < label_lengths[b]; the kept entries come
    first in row-major order and the rest of the fixed-size buffer is
    out-of-bounds padding (ignored by `todense()`), so this works under jit.

    # Arguments
        labels: dense labels `(batch, max_label_length)`.
        label_lengths: the length of each label sequence, `(batch,)`.

    # Returns
        A sparse (BCOO) tensor of the labels.

    # Raises
        ValueError: if `labels` is not 2D or `label_lengths` does not hold one length per
            sample (shape `(batch,)` or `(batch, 1)`).
    """
    from jax.experimental import sparse
    labels = _a(labels)
    if labels.ndim != 2:
        raise ValueError('ctc_label_dense_to_sparse: `labels` must be 2D (batch, '
                         'max_length), got shape %s' % (labels.shape,))
    batch, max_len = labels.shape
    lengths = _lengths(label_lengths, batch, 'ctc_label_dense_to_sparse', 'label_lengths')
    values, indices = _sparse_parts(labels, lengths)
    return sparse.BCOO((values, indices), shape=(batch, max_len))


@jax.jit
def _sparse_parts(labels, lengths):
    batch, max_len = labels.shape
    rows = jnp.repeat(jnp.arange(batch), max_len)
    cols = jnp.tile(jnp.arange(max_len), batch)
    valid = cols < lengths[rows]
    order = jnp.argsort(~valid, stable=True)
    valid = valid[order]
    rows = jnp.where(valid, rows[order], batch)
    cols = jnp.where(valid, cols[order], max_len)
    values = jnp.where(valid, labels.reshape(-1)[order], 0)
    indices = jnp.stack([rows, cols], axis=1).astype('int32')
    return values, indices


@jax.jit
def _ctc_neg_log_likelihood(log_probs, labels, label_length, input_length):
    """-log p(labels | inputs) by the CTC forward recursion.

    log_probs: (T, B, C) normalised log-probabilities, blank = C - 1.
    labels: (B, L) ints; label_length, input_length: (B,) ints.
    """
    T, B, C = log_probs.shape
    L = labels.shape[1]
    blank = C - 1
    S = 2 * L + 1
    labels = labels.astype('int32')
    ext = jnp.full((B, S), blank, dtype='int32')
    if L:
        ext = ext.at[:, 1::2].set(labels)
    skip = jnp.zeros((B, S), dtype=bool)
    if L > 1:
        skip = skip.at[:, 3::2].set(labels[:, 1:] != labels[:, :-1])
    dtype = log_probs.dtype
    neg = jnp.array(_NEG, dtype)

    def emit(t_lp):
        return jnp.take_along_axis(t_lp, ext, axis=1)

    first = emit(log_probs[0])
    alpha = jnp.full((B, S), neg)
    alpha = alpha.at[:, 0].set(first[:, 0])
    if L:
        alpha = alpha.at[:, 1].set(first[:, 1])

    def shift(a, k):
        return jnp.concatenate([jnp.full((B, k), neg), a[:, :-k]], axis=1)

    def body(alpha, inp):
        t, t_lp = inp
        a1 = shift(alpha, 1)
        a2 = jnp.where(skip, shift(alpha, 2), neg) if S > 2 else jnp.full_like(alpha, neg)
        m = jnp.maximum(jnp.maximum(alpha, a1), a2)
        total = m + jnp.log(jnp.exp(alpha - m) + jnp.exp(a1 - m) + jnp.exp(a2 - m))
        new = jnp.maximum(total + emit(t_lp), neg)
        return jnp.where((t < input_length)[:, None], new, alpha), None

    if T > 1:
        alpha, _ = lax.scan(body, alpha, (jnp.arange(1, T), log_probs[1:]))
    end = jnp.clip(2 * label_length, 0, S - 1)[:, None]
    last = jnp.take_along_axis(alpha, end, axis=1)[:, 0]
    before = jnp.take_along_axis(alpha, jnp.maximum(end - 1, 0), axis=1)[:, 0]
    before = jnp.where(label_length > 0, before, neg)
    ll = jnp.logaddexp(last, before)
    return jnp.where(ll < _NEG / 2, jnp.inf, -ll)


@symbolic
def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """CTC loss of each batch element.

    # Arguments
        y_true: (batch, max_string_length) labels; a label of `num_categories - 1` (the
            blank) or more ends its row's labels, as in TensorFlow's kernel (padding).
        y_pred: (batch, time, num_categories) softmax outputs.
        input_length: (batch, 1) number of valid time steps of each y_pred.
        label_length: (batch, 1) number of valid labels of each y_true.

    # Returns
        (batch, 1) tensor of negative log-likelihoods.

    # Raises
        ValueError: if `y_pred` is not 3D, if `y_true` is not 2D with the batch size of
            `y_pred`, or if a length tensor does not hold one length per sample.
    """
    y_true, y_pred = _a(y_true), _a(y_pred)
    if y_pred.ndim != 3:
        raise ValueError('ctc_batch_cost: `y_pred` must be 3D (batch, time, categories), '
                         'got shape %s' % (y_pred.shape,))
    if y_true.ndim != 2 or y_true.shape[0] != y_pred.shape[0]:
        raise ValueError('ctc_batch_cost: `y_true` must be 2D (batch=%d, max_string_length), '
                         'got shape %s' % (y_pred.shape[0], y_true.shape))
    batch = y_pred.shape[0]
    input_length = _lengths(input_length, batch, 'ctc_batch_cost', 'input_length')
    label_length = _lengths(label_length, batch, 'ctc_batch_cost', 'label_length')
    if not jnp.issubdtype(y_pred.dtype, jnp.floating):
        y_pred = y_pred.astype(config.floatx())
    labels, label_length = _labels_to_first_null(y_true, label_length, y_pred.shape[-1])
    logits = jnp.log(jnp.transpose(y_pred, (1, 0, 2)) + config.epsilon())
    log_probs = jax.nn.log_softmax(logits, axis=-1)
    loss = _ctc_neg_log_likelihood(log_probs, labels, label_length, input_length)
    return loss[:, None]


def _labels_to_first_null(labels, label_length, num_classes):
    """The labels and lengths TensorFlow's CTC kernel, which Keras 2.2.4 called, reads: a
    label of `num_classes - 1` (the blank) or more ends the sequence (targets padded with
    the blank within `label_length`: kurapan/CRNN); the labels past each end are zeros."""
    labels = labels.astype('int32')
    null = labels >= num_classes - 1
    first_null = jnp.where(jnp.any(null, axis=1), jnp.argmax(null, axis=1), labels.shape[1])
    label_length = jnp.minimum(label_length, first_null.astype(label_length.dtype))
    inside = jnp.arange(labels.shape[1])[None, :] < label_length[:, None]
    return jnp.where(inside, labels, 0), label_length


def _is_traced(*xs):
    return any(is_traced(x) for x in xs)


@jax.jit
def _greedy(logits, seq_len):
    B, T, C = logits.shape
    best = jnp.argmax(logits, axis=-1).astype('int32')
    top = jnp.max(logits, axis=-1)
    valid = jnp.arange(T)[None, :] < seq_len[:, None]
    log_prob = -jnp.sum(jnp.where(valid, top, 0.), axis=1, keepdims=True)
    prev = jnp.concatenate([jnp.full((B, 1), -1, 'int32'), best[:, :-1]], axis=1)
    keep = valid & (best != C - 1) & (best != prev)
    pos = jnp.cumsum(keep, axis=1) - 1
    pos = jnp.where(keep, pos, T)  # out of range: dropped
    rows = jnp.broadcast_to(jnp.arange(B)[:, None], (B, T))
    decoded = jnp.full((B, T), -1, 'int32').at[rows, pos].set(best, mode='drop')
    return decoded, jnp.sum(keep, axis=1), log_prob


def _logaddexp(a, b):
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    m = a if a > b else b
    return m + math.log1p(math.exp(-abs(a - b)))


def _beam_search_one(logits, beam_width, top_paths):
    """TensorFlow's CTC prefix beam search (default scorer) for one sequence.

    logits: (T, C) array; blank = C - 1.  Each step's inputs are shifted by
    their maximum; returns [(labels, log_prob)] best first, labels with
    consecutive repeats merged (TF's merge_repeated=True).
    """
    T, C = logits.shape
    blank = C - 1
    ninf = -math.inf
    beams = {(): (0.0, ninf)}  # prefix -> (log p ending in blank, log p ending in label)
    for t in range(T):
        row = logits[t].astype(np.float64)
        lp = (row - row.max()).tolist()
        old = beams
        old_total = {k: _logaddexp(b, l) for k, (b, l) in old.items()}
        new = {}
        for pre, (_, pl) in old.items():
            if pre:
                label, parent = pre[-1], pre[:-1]
                nl = pl
                if parent in old:
                    prev = old[parent][0] if (parent and parent[-1] == label) \
                        else old_total[parent]
                    nl = _logaddexp(nl, prev)
                nl = nl + lp[label]
            else:
                nl = ninf
            nb = old_total[pre] + lp[blank]
            new[pre] = (nb, nl)
        for pre in old:
            base_total = old_total[pre]
            if base_total == ninf:
                continue
            last = pre[-1] if pre else -1
            for c in range(C - 1):
                child = pre + (c,)
                if child in old:
                    continue
                prev = old[pre][0] if c == last else base_total
                score = prev + lp[c]
                if score > ninf:
                    new[child] = (ninf, score)
        ranked = sorted(new.items(), key=lambda kv: -_logaddexp(*kv[1]))
        beams = dict(ranked[:beam_width])
    ranked = sorted(beams.items(), key=lambda kv: -_logaddexp(*kv[1]))[:top_paths]
    results = []
    for pre, (pb, pl) in ranked:
        merged = [c for i, c in enumerate(pre) if i == 0 or c != pre[i - 1]]
        results.append((merged, _logaddexp(pb, pl)))
    while len(results) < top_paths:
        results.append(([], ninf))
    return results


def _beam_search_np(logits, seq_len, beam_width, top_paths):
    logits = np.asarray(logits)
    seq_len = np.asarray(seq_len)
    B, T, _ = logits.shape
    decoded = np.full((top_paths, B, T), -1, dtype=np.int32)
    lengths = np.zeros((top_paths, B), dtype=np.int32)
    log_prob = np.zeros((B, top_paths), dtype=logits.dtype)
    for b in range(B):
        n = int(min(max(seq_len[b], 0), T))
        for j, (labels, lp) in enumerate(_beam_search_one(logits[b, :n], beam_width,
                                                          top_paths)):
            decoded[j, b, :len(labels)] = labels
            lengths[j, b] = len(labels)
            log_prob[b, j] = lp
    return decoded, lengths, log_prob


@symbolic
def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """Decodes softmax outputs by best path (greedy) or CTC beam search.

    # Arguments
        y_pred: (batch, time, num_categories) softmax outputs.
        input_length: (batch,) number of valid time steps of each sample.
        greedy: best-path decoding when True, beam search otherwise.
        beam_width: beam size of the beam search.
        top_paths: number of best paths the beam search returns.

    # Returns
        (decoded, log_prob): `decoded` is a list (one entry per path) of
        (batch, max_decoded_length) int tensors padded with -1; `log_prob`
        is (batch, 1) for greedy decoding (the negative sum of each step's
        best logit, as TensorFlow) and (batch, top_paths) for beam search.
        Under jit the decoded width is the number of time steps.

    # Raises
        ValueError: if `y_pred` is not 3D, if `beam_width` or `top_paths` is not a positive
            integer, if `top_paths` exceeds `beam_width`, or if `input_length` does not hold
            one length per sample.
    """
    y_pred = _a(y_pred)
    if y_pred.ndim != 3:
        raise ValueError('ctc_decode: `y_pred` must be 3D (batch, time, categories), '
                         'got shape %s' % (y_pred.shape,))
    beam_width = _positive_int(beam_width, 'ctc_decode', 'beam_width')
    top_paths = _positive_int(top_paths, 'ctc_decode', 'top_paths')
    if top_paths > beam_width:
        raise ValueError('ctc_decode: `top_paths` (%d) must not exceed `beam_width` (%d)'
                         % (top_paths, beam_width))
    B, T, _ = y_pred.shape
    seq_len = _lengths(input_length, B, 'ctc_decode', 'input_length')
    if not jnp.issubdtype(y_pred.dtype, jnp.floating):
        y_pred = y_pred.astype(config.floatx())
    logits = jnp.log(y_pred + config.epsilon())
    traced = _is_traced(logits, seq_len)
    if greedy:
        decoded, lengths, log_prob = _greedy(logits, seq_len)
        decoded, lengths = decoded[None], lengths[None]
    elif traced:
        shapes = (jax.ShapeDtypeStruct((top_paths, B, T), jnp.int32),
                  jax.ShapeDtypeStruct((top_paths, B), jnp.int32),
                  jax.ShapeDtypeStruct((B, top_paths), logits.dtype))
        decoded, lengths, log_prob = jax.pure_callback(
            lambda lg, sl: _beam_search_np(lg, sl, beam_width, top_paths),
            shapes, logits, seq_len)
    else:
        decoded, lengths, log_prob = _beam_search_np(logits, seq_len, beam_width, top_paths)
        decoded, lengths, log_prob = (jnp.asarray(decoded), jnp.asarray(lengths),
                                      jnp.asarray(log_prob))
    n_paths = decoded.shape[0]
    if traced:
        paths = [decoded[j] for j in range(n_paths)]
    else:
        widths = np.asarray(lengths).max(axis=1) if B else np.zeros(n_paths, int)
        paths = [decoded[j, :, :int(widths[j])] for j in range(n_paths)]
    return paths, log_prob
