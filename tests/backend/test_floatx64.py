"""A float64 floatx computes in float64 on either backend: the JAX backend turns JAX's 64-bit
types on while floatx is float64 (and off after, unless the environment chose), and a NumPy
float64 dtype is float64 wherever a dtype is taken."""
import json

import numpy as np
import pytest

from keras import backend as K
from keras.layers import Input
from python_process import run_python


def test_numpy_float64_dtypes_stay_float64():
    # `np.dtype('float64') == 'float'` holds in NumPy: TensorFlow's 'float' (float32) is the
    # name and the type only
    for dtype in (np.dtype('float64'), np.float64, 'float64'):
        assert K.dtype(K.variable(np.ones(2), dtype=dtype)) == 'float64'
        assert Input((2,), dtype=dtype).dtype == 'float64'
    assert K.dtype(K.variable(np.ones(2), dtype='float')) == 'float32'
    assert K.dtype(K.cast(K.variable(np.ones(2)), float)) == 'float32'


@pytest.mark.backends('jax', reason="the JAX backend's 64-bit switch")
def test_float64_turns_jax_64_bit_types_on_and_back_off(floatx64):
    import jax
    import jax.numpy as jnp
    assert jax.config.jax_enable_x64
    assert K.eval(K.variable(np.ones(2)) * 1e-300)[0] == 1e-300      # float32 gives 0
    K.set_floatx('float32')
    assert not jax.config.jax_enable_x64
    assert jnp.asarray(1.5).dtype == jnp.float32


@pytest.mark.backends('jax', reason="the JAX backend's 64-bit switch")
def test_the_environment_choice_wins_and_keras_json_float64_computes_in_float64(tmp_path):
    code = '''
        import jax, numpy as np, keras.backend as K
        from keras.layers import Dense
        from keras.models import Sequential
        print(K.floatx(), jax.config.jax_enable_x64)
        model = Sequential([Dense(1, input_shape=(1,), kernel_initializer='ones')])
        print(model.predict(np.array([[1. + 1e-12]]))[0, 0] - 1.)
        '''
    (tmp_path / 'keras.json').write_text(json.dumps({'floatx': 'float64'}))
    out = run_python(code, env={'KERAS_HOME': str(tmp_path)}, unset=('JAX_ENABLE_X64',))
    floatx, on, diff = out.stdout.split()[-3:]
    assert (floatx, on) == ('float64', 'True')
    assert float(diff) == pytest.approx(1e-12, rel=1e-3)
    # JAX_ENABLE_X64=0 set by the user: left off (float64 then computes in float32)
    out = run_python(code, env={'KERAS_HOME': str(tmp_path), 'JAX_ENABLE_X64': '0'})
    assert out.stdout.split()[-3:-1] == ['float64', 'False']
