"""HDF5 files cross-load between the backends with equal predictions: a model trained and
saved on the backend in use loads on the other one (a subprocess with the other
KERAS_BACKEND) and predicts the same; the other backend trains it further and saves it, and
that file loads here with the predictions the other backend made."""
import importlib.util

import numpy as np
import pytest

from keras import backend as K
from python_process import run_python

OTHER = {'jax': 'tensorflow', 'tensorflow': 'jax'}[K.backend()]
HAVE_OTHER = importlib.util.find_spec(OTHER) is not None


def _model():
    from keras.models import Model
    from keras.layers import (Input, Conv2D, MaxPooling2D, BatchNormalization, Flatten, Dense,
                              LSTM, Embedding, concatenate)
    img = Input((8, 8, 2))
    x = Conv2D(4, 3, activation='relu')(img)
    x = BatchNormalization()(x)
    x = MaxPooling2D()(x)
    x = Flatten()(x)
    seq = Input((5,), dtype='int32')
    s = Embedding(7, 3)(seq)
    s = LSTM(4)(s)
    out = Dense(3, activation='softmax')(concatenate([x, s]))
    model = Model([img, seq], out)
    model.compile('adam', 'categorical_crossentropy', metrics=['acc'])
    return model


def _data():
    rng = np.random.RandomState(0)
    x = [rng.rand(16, 8, 8, 2).astype('float32'), rng.randint(0, 7, (16, 5)).astype('int32')]
    y = np.eye(3, dtype='float32')[rng.randint(0, 3, 16)]
    return x, y


OTHER_SCRIPT = '''
    import sys
    import numpy as np
    import keras
    from keras.models import load_model
    assert keras.backend.backend() == sys.argv[1], keras.backend.backend()
    a_path, b_path, out_path = sys.argv[2:5]
    data = np.load(out_path + '.in.npz')
    x = [data['x0'], data['x1']]
    model = load_model(a_path)
    pred_a = model.predict(x)
    model.fit(x, data['y'], epochs=1, batch_size=8, verbose=0)
    model.save(b_path)
    np.savez(out_path, pred_a=pred_a, pred_b=model.predict(x))
'''


@pytest.mark.skipif(not HAVE_OTHER, reason='the other backend (%s) is not installed' % OTHER)
def test_hdf5_cross_loads_between_backends(tmp_path):
    from keras.models import load_model
    np.random.seed(1)
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    a_path, b_path = str(tmp_path / 'a.h5'), str(tmp_path / 'b.h5')
    out_path = str(tmp_path / 'preds.npz')
    model.save(a_path)
    np.savez(out_path + '.in.npz', x0=x[0], x1=x[1], y=y)
    run_python(OTHER_SCRIPT, OTHER, a_path, b_path, out_path, env={'KERAS_BACKEND': OTHER})
    other = np.load(out_path)
    # the file written here predicts the same on the other backend
    np.testing.assert_allclose(other['pred_a'], model.predict(x), rtol=1e-4, atol=1e-5)
    # the file the other backend trained further and wrote loads here, optimizer state too
    reloaded = load_model(b_path)
    np.testing.assert_allclose(reloaded.predict(x), other['pred_b'], rtol=1e-4, atol=1e-5)
    assert reloaded.optimizer.get_config() == model.optimizer.get_config()
    assert int(K.get_value(reloaded.optimizer.iterations)) == 2 * 2 + 2
