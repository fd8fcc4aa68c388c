"""CTC loss and decoders against brute-force references."""
import itertools

import numpy as np
import pytest

from keras import backend as K
from keras.backend import execution as X


def softmax_outputs(shape, seed=0):
    z = np.random.RandomState(seed).normal(size=shape) * 2
    e = np.exp(z - z.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype('float32')


def collapse(path, blank):
    out, prev = [], None
    for p in path:
        if p != prev and p != blank:
            out.append(p)
        prev = p
    return out


def brute_force_ctc(probs, labels):
    """-log sum over all alignments of `probs` (T, C) that collapse to `labels`."""
    T, C = probs.shape
    total = 0.
    for path in itertools.product(range(C), repeat=T):
        if collapse(path, C - 1) == list(labels):
            total += np.prod([probs[t, p] for t, p in enumerate(path)])
    return -np.log(total)


def keras_probs(y):
    """Keras 2.2.4 feeds log(y + eps) to TF's ctc_loss, which normalises with softmax."""
    p = y.astype(np.float64) + K.epsilon()
    return p / p.sum(-1, keepdims=True)


def test_ctc_batch_cost_matches_brute_force():
    y_pred = softmax_outputs((3, 5, 4))
    y_true = np.array([[0, 1, 9], [2, 2, 9], [1, 0, 2]])
    input_length = np.array([[5], [5], [4]])
    label_length = np.array([[2], [2], [3]])
    loss = np.asarray(K.ctc_batch_cost(y_true, y_pred, input_length, label_length))
    assert loss.shape == (3, 1)
    for b in range(3):
        n, m = input_length[b, 0], label_length[b, 0]
        ref = brute_force_ctc(keras_probs(y_pred[b, :n]), y_true[b, :m])
        np.testing.assert_allclose(loss[b, 0], ref, rtol=1e-5)


def test_ctc_batch_cost_empty_label_and_impossible():
    y_pred = softmax_outputs((2, 3, 3), 1)
    loss = np.asarray(K.ctc_batch_cost(np.array([[0, 0], [1, 1]]), y_pred,
                                       np.array([[3], [1]]), np.array([[0], [2]])))
    ref = -np.log(np.prod(keras_probs(y_pred[0])[:, 2]))  # all blanks
    np.testing.assert_allclose(loss[0, 0], ref, rtol=1e-5)
    assert np.isinf(loss[1, 0])  # 2 labels cannot fit in 1 step


def test_ctc_batch_cost_gradient_under_jit():
    from keras.backend import execution as X
    y_pred = softmax_outputs((2, 6, 5), 2)
    y_true = np.array([[1, 3], [0, 0]])
    f = X.jit(lambda y: K.sum(K.ctc_batch_cost(y_true, y, np.array([[6], [4]]),
                                                 np.array([[2], [1]]))))
    g = np.asarray(X.grad(f)(y_pred))
    assert np.all(np.isfinite(g))
    # numerical check of one entry
    eps = 1e-3
    yp, ym = y_pred.copy(), y_pred.copy()
    yp[0, 2, 1] += eps
    ym[0, 2, 1] -= eps
    np.testing.assert_allclose(g[0, 2, 1], (f(yp) - f(ym)) / (2 * eps), rtol=2e-2)


def test_ctc_batch_cost_ends_the_labels_at_the_first_blank_or_larger_label():
    # TensorFlow 1's kernel, which Keras 2.2.4 called, read a label of num_classes - 1 (the
    # blank) or more as the end of the sequence: targets padded with the blank within
    # label_length (kurapan/CRNN) had the loss of the labels before it (here: a loss of
    # the blank as a symbol, and NaN for a label past the classes)
    y_pred = softmax_outputs((3, 7, 4), 3)
    padded = np.array([[0, 2, 3, 3], [1, 1, 9, 9], [2, 0, 1, 0]])
    plain = np.array([[0, 2, 0, 0], [1, 1, 0, 0], [2, 0, 1, 0]])
    input_length = np.array([[7], [7], [6]])
    label_length = np.array([[4], [4], [3]])

    def cost(labels, lengths):
        return lambda y: K.sum(K.ctc_batch_cost(labels, y, input_length, lengths))
    f_padded = X.jit(cost(padded, label_length))
    f_plain = X.jit(cost(plain, np.array([[2], [2], [3]])))
    np.testing.assert_allclose(float(f_padded(y_pred)), float(f_plain(y_pred)), rtol=1e-6)
    refs = [brute_force_ctc(keras_probs(y_pred[b, :input_length[b, 0]]), labels)
            for b, labels in enumerate([[0, 2], [1, 1], [2, 0, 1]])]
    np.testing.assert_allclose(float(f_plain(y_pred)), sum(refs), rtol=1e-5)
    g_padded = np.asarray(X.grad(f_padded)(y_pred))
    assert np.all(np.isfinite(g_padded))
    np.testing.assert_allclose(g_padded, np.asarray(X.grad(f_plain)(y_pred)), rtol=1e-5,
                               atol=1e-6)


def test_ctc_batch_cost_errors():
    with pytest.raises(ValueError, match=r'y_pred.*3D.*\(5, 4\)'):
        K.ctc_batch_cost(np.zeros((1, 2)), np.zeros((5, 4)), np.ones((1, 1)), np.ones((1, 1)))
    with pytest.raises(ValueError, match=r'input_length.*\(2,\) or \(2, 1\).*\(3, 1\)'):
        K.ctc_batch_cost(np.zeros((2, 2)), np.zeros((2, 5, 4)), np.ones((3, 1)),
                         np.ones((2, 1)))


def test_ctc_decode_greedy():
    C = 4
    blank = C - 1
    best = np.array([[0, 0, blank, 0, 1, 1, blank],
                     [blank, 2, blank, blank, 2, 2, 1]])
    y_pred = np.full((2, 7, C), 0.1, 'float32')
    for b in range(2):
        for t in range(7):
            y_pred[b, t, best[b, t]] = 0.7
    decoded, log_prob = K.ctc_decode(y_pred, np.array([7, 5]))
    assert isinstance(decoded, list) and len(decoded) == 1
    d = np.asarray(decoded[0])
    np.testing.assert_array_equal(d, [[0, 0, 1], [2, 2, -1]])
    lp = np.asarray(log_prob)
    np.testing.assert_allclose(lp[:, 0], [-7 * np.log(0.7 + K.epsilon()),
                                          -5 * np.log(0.7 + K.epsilon())], rtol=1e-5)


@pytest.mark.backends('jax', reason='compiled, the JAX backend pads decoded paths to the '
                     'time axis (static shapes); TensorFlow returns the decoded width')
def test_ctc_decode_greedy_under_jit_pads_to_time():
    from keras.backend import execution as X
    y_pred = softmax_outputs((2, 6, 4), 3)
    eager = np.asarray(K.ctc_decode(y_pred, np.array([6, 6]))[0][0])
    jitted = np.asarray(X.jit(lambda y: K.ctc_decode(y, np.array([6, 6]))[0][0])(y_pred))
    assert jitted.shape == (2, 6)
    np.testing.assert_array_equal(jitted[:, :eager.shape[1]], eager)
    assert np.all(jitted[:, eager.shape[1]:] == -1)


def exact_label_probs(probs):
    """Probability of every collapsed labelling, by enumerating all paths."""
    T, C = probs.shape
    out = {}
    for path in itertools.product(range(C), repeat=T):
        lab = tuple(collapse(path, C - 1))
        out[lab] = out.get(lab, 0.) + np.prod([probs[t, p] for t, p in enumerate(path)])
    return out


def test_ctc_decode_beam_search_finds_most_probable_labelling():
    # a full-width beam is exact: the best labellings by total probability
    y_pred = softmax_outputs((2, 4, 3), 4)
    decoded, log_prob = K.ctc_decode(y_pred, np.array([4, 4]), greedy=False, beam_width=50,
                                     top_paths=2)
    assert len(decoded) == 2 and np.asarray(log_prob).shape == (2, 2)
    for b in range(2):
        logits = np.log(y_pred[b].astype(np.float64) + K.epsilon())
        shifted = np.exp(logits - logits.max(-1, keepdims=True))  # TF: max-shifted inputs
        probs = exact_label_probs(shifted)
        ranked = sorted(probs.items(), key=lambda kv: -kv[1])
        for j in range(2):
            labels = list(ranked[j][0])
            # merge_repeated=True (TF default) collapses repeats in the output path
            labels = [c for i, c in enumerate(labels) if i == 0 or c != labels[i - 1]]
            row = np.asarray(decoded[j])[b]
            np.testing.assert_array_equal(row[:len(labels)], labels)
            assert np.all(row[len(labels):] == -1)
            np.testing.assert_allclose(np.asarray(log_prob)[b, j], np.log(ranked[j][1]),
                                       rtol=1e-4)


def test_ctc_decode_beam_beats_greedy():
    # classic example: greedy path is "blank", but label 0 has more total probability
    y_pred = np.array([[[0.4, 0.6], [0.4, 0.6]]], 'float32')  # C=2: label 0, blank 1
    greedy = np.asarray(K.ctc_decode(y_pred, np.array([2]))[0][0])
    assert greedy.shape == (1, 0)
    beam = np.asarray(K.ctc_decode(y_pred, np.array([2]), greedy=False, beam_width=4)[0][0])
    np.testing.assert_array_equal(beam, [[0]])


@pytest.mark.backends('jax', reason='compiled, the JAX backend pads decoded paths to the '
                     'time axis (static shapes); TensorFlow returns the decoded width')
def test_ctc_decode_beam_under_jit():
    from keras.backend import execution as X
    y_pred = softmax_outputs((2, 5, 4), 5)
    eager = K.ctc_decode(y_pred, np.array([5, 3]), greedy=False, beam_width=8, top_paths=2)
    jitted = X.jit(lambda y: K.ctc_decode(y, np.array([5, 3]), greedy=False, beam_width=8,
                                            top_paths=2))(y_pred)
    for j in range(2):
        e, t = np.asarray(eager[0][j]), np.asarray(jitted[0][j])
        assert t.shape == (2, 5)
        np.testing.assert_array_equal(t[:, :e.shape[1]], e)
    np.testing.assert_allclose(jitted[1], eager[1], rtol=1e-6)


def test_ctc_decode_errors():
    y = softmax_outputs((1, 3, 3))
    with pytest.raises(ValueError, match=r'top_paths.*3.*beam_width.*2'):
        K.ctc_decode(y, np.array([3]), greedy=False, beam_width=2, top_paths=3)
    with pytest.raises(ValueError, match=r'beam_width.*0'):
        K.ctc_decode(y, np.array([3]), greedy=False, beam_width=0)
    with pytest.raises(ValueError, match=r'y_pred.*3D'):
        K.ctc_decode(y[0], np.array([3]))


def test_ctc_label_dense_to_sparse():
    sp = K.ctc_label_dense_to_sparse(np.array([[5, 6, 7], [8, 9, 1]]), np.array([[1], [3]]))
    np.testing.assert_array_equal(K.to_dense(sp), [[5, 0, 0], [8, 9, 1]])
    idx = np.asarray(sp.indices)
    np.testing.assert_array_equal(idx[:4], [[0, 0], [1, 0], [1, 1], [1, 2]])
    with pytest.raises(ValueError, match=r'labels.*2D.*\(3,\)'):
        K.ctc_label_dense_to_sparse(np.array([1, 2, 3]), np.array([1]))
