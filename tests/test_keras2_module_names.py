"""Names Keras 2.2.4's modules held besides their API, which code written for it imports or
reads (its version string, the helpers of its layer and engine modules, the modules its
layer modules imported)."""
import numpy as np
import pytest

import keras
from keras import backend as K
from python_process import run_python


def test_the_version_string_parses_as_keras_2_2_4s():
    # keras-retinanet's check: tuple(map(int, keras.__version__.split('.')))
    assert tuple(map(int, keras.__version__.split('.'))) == (2, 2, 4)


def test_names_of_keras_2_2_4s_layer_modules():
    import types
    import warnings
    from keras import layers
    from keras.layers import recurrent, convolutional_recurrent, core, wrappers, legacy
    assert layers.warnings is warnings and layers.initializers is keras.initializers
    assert layers.python_types is types and layers.constraints is keras.constraints
    assert layers.transpose_shape((2, 3, 4, 5), 'channels_first', (1, 2)) == (2, 5, 3, 4)
    assert recurrent.Recurrent is legacy.Recurrent is convolutional_recurrent.Recurrent
    assert convolutional_recurrent.ConvRecurrent2D is legacy.ConvRecurrent2D
    assert recurrent.K is K and recurrent.Layer is keras.engine.base_layer.Layer
    assert core.conv_utils is keras.utils.conv_utils and wrappers.recurrent is recurrent
    # the helper custom cells copied from Keras 2.2.4's cells call
    masks = recurrent._generate_dropout_mask(K.ones((2, 3)), 0.5, training=True, count=2)
    assert len(masks) == 2
    values = K.eval(masks[0])
    assert set(np.unique(values)) <= {0., 2.}
    inputs, initial_state, constants = recurrent._standardize_args(
        [K.ones((1, 2, 3)), K.ones((1, 4))], None, None, None)
    assert initial_state is not None and len(initial_state) == 1 and constants is None


def test_helpers_of_keras_2_2_4s_base_layer_module():
    from keras.engine.base_layer import (_collect_previous_mask, _collect_input_shape,
                                         _to_snake_case, count_params)
    from keras.layers import Embedding, Input
    x = Input((5,))
    embedded = Embedding(10, 3, mask_zero=True)(x)
    assert _collect_previous_mask(x) is None
    mask = _collect_previous_mask(embedded)
    assert mask is embedded._keras_mask and K.int_shape(mask) == (None, 5)
    assert _collect_previous_mask([x, embedded])[1] is mask
    assert _collect_input_shape([x, embedded]) == [(None, 5), (None, 5, 3)]
    assert _to_snake_case('AttentionDecoder') == 'attention_decoder'
    assert count_params([K.zeros((2, 3)), K.zeros((4,))]) == 10


def test_expressions_of_variables_are_tensors_not_keras_tensors():
    # keras-contrib's jaccard test: K.is_keras_tensor(K.variable(x) * 2) is False
    expression = K.variable(np.ones((2, 2))) * 2
    assert K.is_tensor(expression)
    assert not K.is_keras_tensor(expression)


def test_tensorflows_get_shape_inside_a_call():
    # CapsNet-Keras's Mask layer: x.get_shape().as_list()[1] on the tensors of its call
    from keras.layers import Input, Lambda
    from keras.models import Model
    x = Input((3, 4))
    y = Lambda(lambda t: K.one_hot(K.argmax(t, 1), t.get_shape().as_list()[2]))(x)
    data = np.random.RandomState(0).rand(2, 3, 4).astype('float32')
    out = Model(x, y).predict(data)
    np.testing.assert_array_equal(out, np.eye(4)[data.argmax(1)])


def test_known_sizes_have_tensorflow_1s_dimension_value():
    # kurapan/CRNN: Reshape((bn_7.get_shape()[1].value, ...)) on a layer's output; an
    # unknown size is None
    from keras.layers import Input, Reshape
    x = Input((3, 4))
    assert x.get_shape()[1].value == 3 and x.shape[-1].value == 4 and x.shape[0] is None
    flat = Reshape((x.get_shape()[1].value * x.get_shape()[2].value,))(x)
    assert K.int_shape(flat) == (None, 12) and flat.shape[1].value == 12
    assert K.variable(np.ones((2, 5))).get_shape()[1].value == 5
    # iterated too (the progressive-growing GAN tutorial's `list(model.input.shape)`)
    in_shape = list(Input((4, 4, 3)).shape)
    assert in_shape[0] is None and in_shape[-2].value * 2 == 8
    assert [d.value for d in x.get_shape()[1:]] == [3, 4]
    assert x.shape.as_list() == [None, 3, 4]
    # sizes read so stay plain numbers in configs (YAML writes no Python tags for them)
    from keras.layers import Dense
    from keras.models import Sequential, model_from_yaml
    inner = Sequential([Dense(2, input_shape=tuple(x.shape[2:]))])
    outer = Sequential([inner, Dense(in_shape[-1])])
    text = outer.to_yaml()
    assert 'python/' not in text
    assert model_from_yaml(text).output_shape == (None, 3)


def test_known_sizes_have_dimension_value_in_a_call():
    # (on TensorFlow, a TensorFlow 2 shape's sizes read by code outside TensorFlow and this
    # package: ints with TensorFlow 1's `.value`)
    from keras.layers import Input, Lambda
    from keras.models import Model
    x = Input((12,))
    y = Lambda(lambda t: t * t.get_shape()[-1].value * (t.shape[1] // 12))(x)
    data = np.random.RandomState(0).rand(2, 12).astype('float32')
    np.testing.assert_allclose(Model(x, y).predict(data), data * 12, rtol=1e-6)


def test_to_tensor():
    value = K._to_tensor(0.5, 'float32')
    assert K.dtype(value) == 'float32' and float(K.eval(value)) == 0.5


def test_a_keras_tensors_shape_has_tensorflows_as_list():
    # keras-yolo3's train_bottleneck: Input(shape=model.output[0].shape[1:].as_list())
    from keras.layers import Dense, Input
    x = Input((3, 4))
    y = Dense(2)(x)
    assert y.shape == (None, 3, 2) and y.shape[1] == 3
    assert y.shape[1:].as_list() == [3, 2] and y.shape.as_list() == [None, 3, 2]
    assert K.int_shape(Input(shape=y.shape[1:].as_list())) == (None, 3, 2)


def test_star_imports_give_what_keras_2_2_4s_modules_gave():
    # Keras 2.2.4's modules had no `__all__` (but its backend's): `from module import *`
    # gave every public name they defined or imported. fast.ai's utils.py does
    # `from keras.layers.convolutional import *` and uses MaxPooling1D, K and Layer from
    # it. The fixture lists, per module, the names Keras 2.2.4's source (tag 2.2.4) defined
    # or imported at its top level, without the standard library's and other packages'
    # modules and functions (which a star import gave too: np, six, tf).
    import json
    import os
    import warnings
    path = os.path.join(os.path.dirname(__file__), 'fixtures', 'keras224_star_names.json')
    with open(path) as f:
        expected = json.load(f)
    assert len(expected) >= 30 and 'MaxPooling1D' in expected['keras.layers.convolutional']
    missing = {}
    for module, names in sorted(expected.items()):
        namespace = {}
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            exec('from %s import *' % module, namespace)
        lost = [n for n in names if n not in namespace]
        if lost:
            missing[module] = lost
    assert not missing
    namespace = {}
    exec('from keras.layers.convolutional import *', namespace)
    assert namespace['MaxPooling1D'] is keras.layers.MaxPooling1D and namespace['K'] is K


def test_the_tensorflow_backend_module_is_an_attribute_after_a_plain_import():
    # the 2018 GPU-memory snippet: `import keras` then
    # `keras.backend.tensorflow_backend.set_session(tf.Session(config=config))`; Keras 2.2.4
    # on TensorFlow had imported the module (a fresh process: nothing imported it before)
    code = ('import keras, sys; m = keras.backend.tensorflow_backend; '
            'print(m.__name__, callable(m.set_session), callable(m.get_session))')
    out = run_python(code)
    assert out.stdout.split() == ['keras.backend.tensorflow_backend', 'True', 'True']
