"""Keras 2.2.4 helpers that code in the wild uses and that no other test file covers
(issue 17): `keras.utils.test_utils.keras_test` and the private coordinate lists of a
Network."""
from keras import backend as K
from keras.layers import Dense, Input, concatenate
from keras.models import Model
from python_process import run_python


def test_keras_test_decorator_clears_session():
    from keras.utils.test_utils import keras_test

    @keras_test
    def build():
        return Dense(2).name
    Dense(2)
    build()  # the counters are reset after it ...
    assert build() == build() == 'dense_1'  # ... so each later test starts from dense_1
    K.clear_session()


def test_network_private_coordinates():
    a = Input((3,), name='in_a')
    b = Input((2,), name='in_b')
    h = concatenate([a, b])
    model = Model([a, b], [Dense(2, name='out_1')(h), Dense(1, name='out_2')(h)])
    assert [(l.name, n, t) for l, n, t in model._input_coordinates] == \
        [('in_a', 0, 0), ('in_b', 0, 0)]
    assert [(l.name, n, t) for l, n, t in model._output_coordinates] == \
        [('out_1', 0, 0), ('out_2', 0, 0)]


def test_clear_session_from_a_finalizer_at_interpreter_exit_is_quiet():
    # ELMo-keras clears the session in a `__del__`, which runs at interpreter exit, when
    # imports no longer work: no "Exception ignored" traceback
    code = ('import keras.backend as K\n'
            'class Holder(object):\n'
            '    def __del__(self):\n'
            '        K.clear_session()\n'
            'holder = Holder()\n'
            'print("done")\n')
    out = run_python(code)
    assert out.stdout.strip() == 'done'
    assert 'Exception ignored' not in out.stderr and 'Traceback' not in out.stderr
