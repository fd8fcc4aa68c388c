"""Connectionist temporal classification (Keras 2 backend API) on TensorFlow's CTC ops.

Conventions as Keras 2.2.4: `y_pred` holds softmax outputs `(batch, time, num_categories)`,
the blank label is the last category, and the outputs become logits as `log(y_pred + eps)`.
"""
import tensorflow as tf

from .. import config
from ..keras_tensor import symbolic
from .ops import _a, _positive_int

__all__ = ['ctc_label_dense_to_sparse', 'ctc_batch_cost', 'ctc_decode']


def _lengths(x, fn, argname):
    x = _a(x)
    if x.shape.rank == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.shape.rank != 1:
        raise ValueError('%s: `%s` must have shape (batch,) or (batch, 1), got %s'
                         % (fn, argname, tuple(x.shape)))
    return tf.cast(x, tf.int32)


def ctc_label_dense_to_sparse(labels, label_lengths):
    """`tf.SparseTensor` of dense labels: entry (b, t) is kept when t < label_lengths[b]."""
    labels = _a(labels)
    if labels.shape.rank != 2:
        raise ValueError('ctc_label_dense_to_sparse: `labels` must be 2D (batch, '
                         'max_length), got shape %s' % (tuple(labels.shape),))
    lengths = _lengths(label_lengths, 'ctc_label_dense_to_sparse', 'label_lengths')
    keep = tf.sequence_mask(lengths, tf.shape(labels)[1])
    indices = tf.where(keep)
    return tf.SparseTensor(indices, tf.gather_nd(labels, indices),
                           tf.cast(tf.shape(labels), tf.int64))


def _logits(y_pred, fn):
    y_pred = _a(y_pred)
    if y_pred.shape.rank != 3:
        raise ValueError('%s: `y_pred` must be 3D (batch, time, categories), got shape %s'
                         % (fn, tuple(y_pred.shape)))
    if not y_pred.dtype.is_floating:
        y_pred = tf.cast(y_pred, config.floatx())
    return tf.math.log(y_pred + config.epsilon())


@symbolic
def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """CTC loss of each sample, shape (batch, 1)."""
    logits = _logits(y_pred, 'ctc_batch_cost')
    labels = tf.cast(_a(y_true), tf.int32)
    if labels.shape.rank != 2:
        raise ValueError('ctc_batch_cost: `y_true` must be 2D (batch, max_label_length), '
                         'got shape %s' % (tuple(labels.shape),))
    label_length = _lengths(label_length, 'ctc_batch_cost', 'label_length')
    input_length = _lengths(input_length, 'ctc_batch_cost', 'input_length')
    sparse = ctc_label_dense_to_sparse(labels, label_length)
    loss = tf.nn.ctc_loss(labels=sparse, logits=tf.transpose(logits, [1, 0, 2]),
                          label_length=None, logit_length=input_length, logits_time_major=True,
                          blank_index=-1)
    return tf.expand_dims(loss, 1)


@symbolic
def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """Decodes softmax outputs by best path (greedy) or CTC beam search.

    Returns (decoded, log_prob): `decoded` is a list (one entry per path) of
    (batch, max_decoded_length) int tensors padded with -1; `log_prob` is (batch, 1) for
    greedy decoding and (batch, top_paths) for beam search.
    """
    logits = _logits(y_pred, 'ctc_decode')
    beam_width = _positive_int(beam_width, 'ctc_decode', 'beam_width')
    top_paths = _positive_int(top_paths, 'ctc_decode', 'top_paths')
    if top_paths > beam_width:
        raise ValueError('ctc_decode: `top_paths` (%d) must not exceed `beam_width` (%d)'
                         % (top_paths, beam_width))
    seq_len = _lengths(input_length, 'ctc_decode', 'input_length')
    time_major = tf.transpose(logits, [1, 0, 2])
    if greedy:
        decoded, log_prob = tf.nn.ctc_greedy_decoder(time_major, seq_len)
    else:
        decoded, log_prob = tf.nn.ctc_beam_search_decoder(time_major, seq_len,
                                                          beam_width=beam_width,
                                                          top_paths=top_paths)
    paths = [tf.cast(tf.sparse.to_dense(st, default_value=-1), tf.int32) for st in decoded]
    return paths, log_prob
