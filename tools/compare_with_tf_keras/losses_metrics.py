"""Losses and metrics on fixed random targets and predictions, this Keras against tf_keras.

    python losses_metrics.py ours OUTDIR; python losses_metrics.py tfk OUTDIR
"""
import sys, os, numpy as np, pickle
which = sys.argv[1]
if which == 'tfk':
    import tf_keras as keras
else:
    import keras
K = keras.backend
r = np.random.RandomState(0)
yt = r.uniform(0, 1, (4, 3, 5)).astype('float32'); yp = r.uniform(0.01, 1, (4, 3, 5)).astype('float32')
yt_n = yt / yt.sum(-1, keepdims=True); yp_n = yp / yp.sum(-1, keepdims=True)
yb = (yt > 0.5).astype('float32'); ysgn = np.sign(yt - 0.5).astype('float32')
ysp = r.randint(0, 5, (4, 3)).astype('float32')
names = ['mean_squared_error', 'mean_absolute_error', 'mean_absolute_percentage_error', 'mean_squared_logarithmic_error', 'squared_hinge', 'hinge', 'categorical_hinge', 'logcosh', 'categorical_crossentropy', 'binary_crossentropy', 'kullback_leibler_divergence', 'poisson']
res = {}
for n in names:
    f = getattr(keras.losses, n)
    a, b = (ysgn, yt - 0.5) if 'hinge' in n and n != 'categorical_hinge' else (yb, yp * 0.98) if n == 'binary_crossentropy' else (yt_n, yp_n)
    res[n] = np.asarray(K.eval(f(K.constant(a), K.constant(b))))
res['cosine'] = np.asarray(K.eval((keras.losses.cosine_proximity if which == 'ours' else keras.losses.cosine_similarity)(K.constant(yt - .5), K.constant(yp - .5))))
res['scce'] = np.asarray(K.eval(keras.losses.sparse_categorical_crossentropy(K.constant(ysp), K.constant(yp_n))))
for n in ['binary_accuracy', 'categorical_accuracy', 'top_k_categorical_accuracy']:
    f = getattr(keras.metrics, n)
    a, b = (yb, yp) if n == 'binary_accuracy' else (yt_n[:, 0], yp_n[:, 0])
    res[n] = np.asarray(K.eval(f(K.constant(a), K.constant(b))))
res['sca'] = np.asarray(K.eval(keras.metrics.sparse_categorical_accuracy(K.constant(ysp[:, :1]), K.constant(yp_n[:, 0]))))
res['stka'] = np.asarray(K.eval(keras.metrics.sparse_top_k_categorical_accuracy(K.constant(ysp[:, :1]), K.constant(yp_n[:, 0]), k=2)))
p = os.path.join(sys.argv[2], 'l_ours.pkl')
if which == 'ours':
    pickle.dump(res, open(p, 'wb'))
else:
    ref = pickle.load(open(p, 'rb'))
    for k in res:
        a, b = ref[k], res[k]
        if a.shape != b.shape or not np.allclose(a, b, rtol=1e-5, atol=1e-6):
            print('DIFF', k, a.shape, b.shape, a.ravel()[:4], b.ravel()[:4])
    print('compared', len(res))
