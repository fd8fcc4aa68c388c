"""Backend functions on fixed random inputs, this Keras against tf_keras.backend.

    python backend_functions.py ours OUTDIR; python backend_functions.py tfk OUTDIR
"""
import sys, os, numpy as np, pickle
which = sys.argv[1]
if which == 'tfk':
    from tf_keras import backend as K
else:
    from keras import backend as K
r = np.random.RandomState(0)
def U(*s): return r.uniform(-1, 1, s).astype('float32')
def P(*s): return r.uniform(0.05, 1, s).astype('float32')
def probs(*s):
    a = P(*s); return (a / a.sum(-1, keepdims=True)).astype('float32')
c = K.constant


def ints(values):
    return K.constant(np.array(values), dtype='int32')


calls = []
def add(name, f):
    calls.append((name, f))
a34, b34, a234 = U(3, 4), U(3, 4), U(2, 3, 4)
add('sum_axis_keep', lambda: K.sum(c(a234), axis=[0, 2], keepdims=True))
add('std', lambda: K.std(c(a234), axis=1))
add('var', lambda: K.var(c(a234), axis=-1, keepdims=True))
add('logsumexp', lambda: K.logsumexp(c(a234), axis=1))
add('l2_normalize', lambda: K.l2_normalize(c(a234), axis=[1, 2]))
add('cumsum', lambda: K.cumsum(c(a234), axis=1))
add('cumprod', lambda: K.cumprod(c(a234), axis=2))
add('argmax', lambda: K.argmax(c(a234), axis=1))
add('clip', lambda: K.clip(c(a234), -0.3, 0.4))
add('hard_sigmoid', lambda: K.hard_sigmoid(c(a234 * 4)))
add('elu', lambda: K.elu(c(a234), 0.7))
add('relu_full', lambda: K.relu(c(a234), alpha=0.1, max_value=0.5, threshold=0.2))
add('softsign', lambda: K.softsign(c(a234)))
add('softmax_axis1', lambda: K.softmax(c(a234), axis=1))
add('cce', lambda: K.categorical_crossentropy(c(probs(3, 4)), c(probs(3, 4))))
add('cce_logits', lambda: K.categorical_crossentropy(c(probs(3, 4)), c(a34), from_logits=True))
add('cce_axis', lambda: K.categorical_crossentropy(c(probs(2, 3, 4).transpose(0, 2, 1).copy()), c(probs(2, 3, 4).transpose(0, 2, 1).copy()), axis=1))
add('scce', lambda: K.sparse_categorical_crossentropy(c(np.array([0, 3, 1], 'float32')), c(probs(3, 4))))
add('scce_logits', lambda: K.sparse_categorical_crossentropy(c(np.array([0, 3, 1], 'float32')), c(a34), from_logits=True))
add('bce', lambda: K.binary_crossentropy(c((a34 > 0).astype('float32')), c(P(3, 4) * 0.9)))
add('bce_logits', lambda: K.binary_crossentropy(c((a34 > 0).astype('float32')), c(a34 * 3), from_logits=True))
add('batch_dot_12', lambda: K.batch_dot(c(U(2, 3, 4)), c(U(2, 4, 5)), axes=(2, 1)))
add('batch_dot_11', lambda: K.batch_dot(c(U(2, 3, 4)), c(U(2, 3, 5)), axes=1))
add('batch_dot_2d', lambda: K.batch_dot(c(U(3, 4)), c(U(3, 4)), axes=1))
add('dot_3d', lambda: K.dot(c(U(2, 3, 4)), c(U(4, 5))))
add('dot_nd', lambda: K.dot(c(U(2, 3, 4)), c(U(3, 4, 5))))
add('repeat_elements', lambda: K.repeat_elements(c(a234), 3, axis=1))
add('tile', lambda: K.tile(c(a34), (2, 3)))
add('one_hot', lambda: K.one_hot(ints([[0, 2], [3, 1]]), 4))
add('resize_images', lambda: K.resize_images(c(U(2, 3, 4, 2)), 2, 3, 'channels_last'))
add('resize_images_cf', lambda: K.resize_images(c(U(2, 2, 3, 4)), 2, 1, 'channels_first'))
add('resize_volumes', lambda: K.resize_volumes(c(U(1, 2, 3, 2, 2)), 2, 1, 3, 'channels_last'))
add('spatial_2d_padding', lambda: K.spatial_2d_padding(c(U(1, 3, 3, 2)), ((1, 2), (0, 1)), 'channels_last'))
add('spatial_3d_padding_cf', lambda: K.spatial_3d_padding(c(U(1, 2, 3, 3, 2)), ((1, 0), (0, 1), (2, 0)), 'channels_first'))
add('temporal_padding', lambda: K.temporal_padding(c(U(2, 3, 4)), (2, 1)))
add('conv1d_causal', lambda: K.conv1d(c(U(2, 7, 3)), c(U(3, 3, 2)), strides=1, padding='causal', dilation_rate=2))
add('conv2d_cf_dil', lambda: K.conv2d(c(U(1, 2, 7, 7)), c(U(3, 3, 2, 2)), padding='same', data_format='channels_first', dilation_rate=(2, 2)))
add('conv2d_stride_same', lambda: K.conv2d(c(U(1, 8, 7, 2)), c(U(3, 2, 2, 3)), strides=(2, 3), padding='same'))
add('depthwise_conv2d', lambda: K.depthwise_conv2d(c(U(1, 6, 6, 2)), c(U(3, 3, 2, 2)), strides=(2, 2), padding='same'))
add('separable_conv2d', lambda: K.separable_conv2d(c(U(1, 6, 6, 2)), c(U(3, 3, 2, 2)), c(U(1, 1, 4, 3)), padding='valid'))
add('conv2d_transpose', lambda: K.conv2d_transpose(c(U(1, 3, 3, 2)), c(U(3, 3, 4, 2)), (1, 6, 6, 4), strides=(2, 2), padding='same'))
add('conv3d', lambda: K.conv3d(c(U(1, 4, 4, 4, 2)), c(U(2, 2, 2, 2, 3)), strides=(2, 1, 1), padding='valid'))
add('pool2d_avg_same', lambda: K.pool2d(c(U(1, 5, 5, 2)), (3, 3), (2, 2), padding='same', pool_mode='avg'))
add('pool2d_max_cf', lambda: K.pool2d(c(U(1, 2, 5, 5)), (2, 2), (1, 2), padding='valid', data_format='channels_first', pool_mode='max'))
add('pool3d_avg', lambda: K.pool3d(c(U(1, 4, 5, 4, 2)), (2, 3, 2), (2, 2, 2), padding='same', pool_mode='avg'))
add('bias_add_cf', lambda: K.bias_add(c(U(2, 3, 4, 5)), c(U(3)), data_format='channels_first'))
add('normalize_bn', lambda: K.normalize_batch_in_training(c(U(4, 3, 2)), c(U(2)), c(U(2)), [0, 1])[0])
add('batch_normalization', lambda: K.batch_normalization(c(U(4, 3)), c(U(3)), c(P(3)), c(U(3)), c(U(3)), epsilon=1e-3))
add('ctc_batch_cost', lambda: K.ctc_batch_cost(c(np.array([[1, 2, 1], [3, 0, 0]], 'float32')), c(probs(2, 6, 5)), c(np.array([[6], [5]], 'float32')), c(np.array([[3], [1]], 'float32'))))
add('ctc_decode_greedy', lambda: K.ctc_decode(c(probs(2, 6, 5)), np.array([6, 4]), greedy=True)[0][0])
add('ctc_decode_beam', lambda: K.ctc_decode(c(probs(2, 6, 5)), np.array([6, 4]), greedy=False, beam_width=5, top_paths=2)[1])
add('in_top_k', lambda: K.in_top_k(c(probs(4, 5)), ints([0, 1, 2, 3]), 2))
add('switch', lambda: K.switch(c(a34) > 0, c(a34), c(b34)))
add('reverse', lambda: K.reverse(c(a234), axes=[0, 2]))
add('stack', lambda: K.stack([c(a34), c(b34)], axis=1))
add('permute_dims', lambda: K.permute_dimensions(c(a234), (2, 0, 1)))
add('flatten_batch', lambda: K.batch_flatten(c(a234)))
add('squeeze_expand', lambda: K.squeeze(K.expand_dims(c(a34), 1), 1))
add('gather', lambda: K.gather(c(a234), ints([1, 0, 1])))
add('repeat', lambda: K.repeat(c(a34), 3))
add('arange', lambda: K.arange(2, 11, 3))
add('local_conv1d', lambda: K.local_conv1d(c(U(2, 5, 3)), c(U(4, 6, 2)), (2,), (1,)))
add('local_conv2d', lambda: K.local_conv2d(c(U(2, 4, 4, 2)), c(U(9, 8, 3)), (2, 2), (1, 1), (3, 3)))
add('rnn', lambda: K.rnn(lambda x, s: (x * 2 + s[0], [x * 2 + s[0]]), c(U(2, 4, 3)), [c(U(2, 3))], go_backwards=True, mask=c(np.array([[1, 1, 0, 1], [1, 0, 0, 0]], 'float32')))[1])
add('rnn_last', lambda: K.rnn(lambda x, s: (x * 2 + s[0], [x * 2 + s[0]]), c(U(2, 4, 3)), [c(U(2, 3))], mask=c(np.array([[1, 1, 0, 1], [1, 0, 0, 0]], 'float32')))[0])
add('sigmoid', lambda: K.sigmoid(c(a34 * 10)))
add('pow', lambda: K.pow(c(P(3, 4)), 2.5))
add('round', lambda: K.round(c(np.array([0.5, 1.5, 2.5, -0.5], 'float32'))))
add('sign', lambda: K.sign(c(a34)))
add('mod', lambda: c(a34 * 5) % 2.)
add('floordiv', lambda: c(a34 * 5) // 2.)
add('truncated_sq', lambda: K.square(c(a34)) - K.abs(c(b34)))
add('categorical_crossentropy_unnorm', lambda: K.categorical_crossentropy(c(probs(3, 4)), c(P(3, 4))))
add('bce_clip', lambda: K.binary_crossentropy(c(np.array([[0., 1.]], 'float32')), c(np.array([[0., 1.]], 'float32'))))
add('cce_zero', lambda: K.categorical_crossentropy(c(np.array([[0., 1.]], 'float32')), c(np.array([[1., 0.]], 'float32'))))
out = {}
path = os.path.join(sys.argv[2], 'k_ours.pkl')
if which == 'ours':
    for name, f in calls:
        try:
            out[name] = np.asarray(K.eval(f()))
        except Exception as e:
            print('ERR ours', name, type(e).__name__, str(e)[:200])
    pickle.dump(out, open(path, 'wb'))
else:
    ref = pickle.load(open(path, 'rb'))
    for name, f in calls:
        try:
            got = np.asarray(K.eval(f()))
        except Exception as e:
            print('ERR tfk', name, type(e).__name__, str(e)[:200]); continue
        if name not in ref:
            continue
        a = ref[name]
        if a.shape != got.shape or not np.allclose(a.astype('float64'), got.astype('float64'), rtol=1e-4, atol=1e-5):
            print('DIFF', name, a.shape, got.shape, (np.abs(a.astype('float64') - got).max() if a.shape == got.shape else ''))
    print('compared', len(ref))
