"""Layers on random weights and inputs, this Keras against tf_keras.

    python layers.py ours OUTDIR   # this Keras: cases.json and one .npz per case
    python layers.py tfk OUTDIR    # tf_keras (TF_USE_LEGACY_KERAS=1): compares, prints CASE lines

SEED and NPER (environment) choose the configurations (`layer_cases.cases`)."""
import sys, json, os, numpy as np
sys.path.insert(0, os.path.dirname(__file__))
from layer_cases import cases
which, outdir = sys.argv[1], sys.argv[2]
if which == 'tfk':
    import tf_keras as keras
    from tf_keras import backend as K
else:
    import keras
    from keras import backend as K
L = keras.layers


def make(c):
    kw = dict(c['kwargs'])
    if c['cls'] in ('Bidirectional', 'TimeDistributed'):
        inner = dict(kw.pop('layer'))
        cls = inner.pop('cls')
        if which == 'tfk' and cls in ('LSTM', 'GRU'):
            inner.setdefault('recurrent_activation', 'hard_sigmoid')
        if which == 'tfk' and cls == 'GRU':
            inner.setdefault('reset_after', False)
        return getattr(L, c['cls'])(getattr(L, cls)(**inner), **kw)
    return getattr(L, c['cls'])(**kw)


def build(c):
    n = c.get('inputs', 1)
    ins = [L.Input(shape=tuple(c['shape']), dtype='int32' if c.get('ints') else 'float32') for _ in range(n)]
    layer = make(c)
    x = ins if n > 1 else ins[0]
    if c.get('mask'):
        x = L.Masking(0.)(x)
    if c.get('training'):
        out = layer(x, training=True)
    else:
        out = layer(x)
    outs = out if isinstance(out, list) else [out]
    if c['cls'] == 'Embedding' and c['kwargs'].get('mask_zero'):
        outs = [L.Lambda(lambda t: t, output_shape=lambda s: s)(outs[0])]
    model = keras.models.Model(ins, outs)
    return model, layer


all_cases = cases(int(os.environ.get('SEED', 0)), int(os.environ.get('NPER', 12)))
if which == 'ours':
    os.makedirs(outdir, exist_ok=True)
    json.dump(all_cases, open(os.path.join(outdir, 'cases.json'), 'w'))
bad = 0
for i, c in enumerate(all_cases):
    K.clear_session()
    f = os.path.join(outdir, '%03d.npz' % i)
    try:
        model, layer = build(c)
        if which == 'ours':
            rng = np.random.RandomState(i)
            ws = []
            for w in layer.get_weights():
                a = rng.uniform(-0.6, 0.6, w.shape).astype('float32')
                ws.append(a)
            if c['cls'] == 'BatchNormalization':
                names = [v.name for v in layer.weights]
                ws = [np.abs(a) + 0.5 if 'variance' in n else a for a, n in zip(ws, names)]
            layer.set_weights(ws)
            xs = []
            for inp in model.inputs:
                shp = (2,) + tuple(int(d) for d in K.int_shape(inp)[1:])
                if c.get('ints'):
                    xs.append(rng.randint(0, c['ints'], shp).astype('int32'))
                else:
                    a = rng.uniform(-1, 1, shp).astype('float32')
                    if c.get('mask'):
                        a[0, -2:] = 0.
                        a[1, 1] = 0.
                    xs.append(a)
            if c.get('training'):
                fn = K.function(model.inputs + [K.learning_phase()], model.outputs)
                ys = fn(xs + [1])
            else:
                ys = model.predict(xs if len(xs) > 1 else xs[0])
                ys = ys if isinstance(ys, list) else [ys]
            np.savez(f, **{'w%d' % j: a for j, a in enumerate(ws)}, **{'x%d' % j: a for j, a in enumerate(xs)},
                     **{'y%d' % j: a for j, a in enumerate(ys)})
        else:
            if not os.path.exists(f):
                print('CASE %d %s: no ours output' % (i, c['cls'])); continue
            d = np.load(f)
            ws = [d['w%d' % j] for j in range(len([k for k in d.files if k.startswith('w')]))]
            xs = [d['x%d' % j] for j in range(len([k for k in d.files if k.startswith('x')]))]
            ref = [d['y%d' % j] for j in range(len([k for k in d.files if k.startswith('y')]))]
            layer.set_weights(ws)
            if c.get('training'):
                got = [np.asarray(t) for t in model(xs if len(xs) > 1 else xs[0], training=True)] \
                    if len(model.outputs) > 1 else [np.asarray(model(xs if len(xs) > 1 else xs[0], training=True))]
            else:
                got = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
                got = got if isinstance(got, list) else [got]
            for a, b in zip(ref, got):
                if a.shape != b.shape or not np.allclose(a, b, rtol=2e-4, atol=2e-5):
                    bad += 1
                    err = np.abs(a - b).max() if a.shape == b.shape else None
                    print('CASE %d %s %s shape %s: ours %s tfk %s maxerr %s' % (i, c['cls'], c['kwargs'], c['shape'], a.shape, b.shape, err))
                    break
    except Exception as e:
        print('CASE %d %s %s %s: %s: %s' % (i, which, c['cls'], c['kwargs'], type(e).__name__, str(e)[:300]))
print(which, 'done', len(all_cases), 'bad', bad)
