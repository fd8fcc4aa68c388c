"""Connectionist temporal classification (Keras 2 backend API) on TensorFlow's CTC ops.

Conventions as Keras 2.2.4: `y_pred` holds softmax outputs `(batch, time, num_categories)`,
the blank label is the last category, and the outputs become logits as `log(y_pred + eps)`.
"""
import numpy as np
import tensorflow as tf

from .. import config
from ..keras_tensor import symbolic
from .ops import _a, _positive_int

__all__ = ['ctc_label_dense_to_sparse', 'ctc_batch_cost', 'ctc_decode']


def _lengths(x, batch, fn, argname):
    x = _a(x)
    given = tuple(x.shape)
    if x.shape.rank == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.shape.rank != 1 or (batch is not None and x.shape[0] is not None
                             and x.shape[0] != batch):
        b = '?' if batch is None else batch
        raise ValueError('%s: `%s` must have shape (%s,) or (%s, 1), got %s'
                         % (fn, argname, b, b, given))
    return tf.cast(x, tf.int32)


def ctc_label_dense_to_sparse(labels, label_lengths):
    """`tf.SparseTensor` of dense labels: entry (b, t) is kept when t < label_lengths[b].

    # Arguments
        labels: dense labels `(batch, max_label_length)`.
        label_lengths: the length of each label sequence, `(batch,)` or `(batch, 1)`.

    # Returns
        A `tf.SparseTensor` of the labels' shape.

    # Raises
        ValueError: if `labels` is not 2D or `label_lengths` does not hold one length per
            sample.
    """
    labels = _a(labels)
    if labels.shape.rank != 2:
        raise ValueError('ctc_label_dense_to_sparse: `labels` must be 2D (batch, '
                         'max_length), got shape %s' % (tuple(labels.shape),))
    lengths = _lengths(label_lengths, labels.shape[0], 'ctc_label_dense_to_sparse',
                       'label_lengths')
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
    """CTC loss of each sample.

    Labels that cannot fit in the input (a repeated label needs a blank between) have an
    infinite loss.

    # Arguments
        y_true: (batch, max_string_length) labels; a label of `num_categories - 1` (the
            blank) or more ends its row's labels, as in TensorFlow 1's kernel (padding).
        y_pred: (batch, time, num_categories) softmax outputs, the blank label last.
        input_length: (batch, 1) number of valid time steps of each y_pred.
        label_length: (batch, 1) number of valid labels of each y_true.

    # Returns
        (batch, 1) tensor of negative log-likelihoods.

    # Raises
        ValueError: if `y_pred` is not 3D, if `y_true` is not 2D, or if a length tensor does
            not hold one length per sample.
    """
    logits = _logits(y_pred, 'ctc_batch_cost')
    labels = tf.cast(_a(y_true), tf.int32)
    if labels.shape.rank != 2:
        raise ValueError('ctc_batch_cost: `y_true` must be 2D (batch, max_label_length), '
                         'got shape %s' % (tuple(labels.shape),))
    batch = logits.shape[0]
    label_length = _lengths(label_length, batch, 'ctc_batch_cost', 'label_length')
    input_length = _lengths(input_length, batch, 'ctc_batch_cost', 'input_length')
    # as TensorFlow 1's kernel (Keras 2.2.4's) read them: a label of num_classes - 1 (the
    # blank) or more ends the sequence (targets padded with the blank); zeros past the end
    null = labels >= tf.shape(logits)[-1] - 1
    first_null = tf.where(tf.reduce_any(null, axis=1),
                          tf.argmax(tf.cast(null, tf.int32), axis=1, output_type=tf.int32),
                          tf.shape(labels)[1])
    label_length = tf.minimum(label_length, tf.cast(first_null, label_length.dtype))
    labels = labels * tf.sequence_mask(label_length, tf.shape(labels)[1], dtype=tf.int32)
    # dense labels: TensorFlow's dense CTC handles empty labels (all blanks) and gives inf
    # for labels that cannot fit in the input, as the JAX backend does
    loss = tf.nn.ctc_loss(labels=labels, logits=tf.transpose(logits, [1, 0, 2]),
                          label_length=label_length, logit_length=input_length,
                          logits_time_major=True, blank_index=-1)
    # labels that cannot fit in the input (each repeated label needs a blank between) are
    # impossible: infinite loss, as on the JAX backend
    max_len = tf.shape(labels)[1]
    same = tf.cast(tf.equal(labels[:, 1:], labels[:, :-1]), tf.int32)
    in_label = tf.sequence_mask(label_length - 1, max_len - 1, dtype=tf.int32)
    needed = label_length + tf.reduce_sum(same * in_label, axis=1)
    loss = tf.where(needed > input_length, tf.constant(np.inf, loss.dtype), loss)
    return tf.expand_dims(loss, 1)


@symbolic
def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """Decodes softmax outputs by best path (greedy) or CTC beam search.

    # Arguments
        y_pred: (batch, time, num_categories) softmax outputs, the blank label last.
        input_length: (batch,) number of valid time steps of each sample.
        greedy: best-path decoding when True, beam search otherwise.
        beam_width: beam size of the beam search.
        top_paths: number of best paths the beam search returns.

    # Returns
        (decoded, log_prob): `decoded` is a list (one entry per path) of
        (batch, max_decoded_length) int tensors padded with -1; `log_prob` is (batch, 1) for
        greedy decoding and (batch, top_paths) for beam search.

    # Raises
        ValueError: if `y_pred` is not 3D, if `beam_width` or `top_paths` is not a positive
            integer, if `top_paths` exceeds `beam_width`, or if `input_length` does not hold
            one length per sample.
    """
    logits = _logits(y_pred, 'ctc_decode')
    beam_width = _positive_int(beam_width, 'ctc_decode', 'beam_width')
    top_paths = _positive_int(top_paths, 'ctc_decode', 'top_paths')
    if top_paths > beam_width:
        raise ValueError('ctc_decode: `top_paths` (%d) must not exceed `beam_width` (%d)'
                         % (top_paths, beam_width))
    seq_len = _lengths(input_length, logits.shape[0], 'ctc_decode', 'input_length')
    time_major = tf.transpose(logits, [1, 0, 2])
    if greedy:
        decoded, log_prob = tf.nn.ctc_greedy_decoder(time_major, seq_len)
    else:
        # TensorFlow 1's decoder, as Keras 2.2.4: repeated labels of a path are merged
        decoded, log_prob = tf.compat.v1.nn.ctc_beam_search_decoder(
            time_major, seq_len, beam_width=beam_width, top_paths=top_paths,
            merge_repeated=True)
        # TensorFlow 2 scores paths by normalized log-probabilities; TensorFlow 1 (Keras
        # 2.2.4) scored the max-shifted exponentials without normalizing: add the difference
        shifted = logits - tf.reduce_max(logits, axis=-1, keepdims=True)
        norm = tf.reduce_logsumexp(shifted, axis=-1)
        valid = tf.sequence_mask(seq_len, tf.shape(logits)[1], dtype=norm.dtype)
        log_prob = log_prob + tf.reduce_sum(norm * valid, axis=1, keepdims=True)
    paths = [tf.cast(tf.sparse.to_dense(st, default_value=-1), tf.int32) for st in decoded]
    for p in paths:
        p.set_shape([logits.shape[0], None])
    return paths, log_prob
