import numpy as np
import pytest

from keras.utils import to_categorical, normalize
from keras.utils import conv_utils


def test_to_categorical_shapes():
    y = np.array([0, 2, 1, 2])
    out = to_categorical(y)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.eye(3, dtype='float32')[y])
    assert to_categorical(y.reshape(4, 1), 5).shape == (4, 5)
    assert to_categorical(np.zeros((2, 3), 'int'), 4).shape == (2, 3, 4)
    assert to_categorical([1, 0], dtype='int32').dtype == np.int32
    assert to_categorical(3, 5).tolist() == [0, 0, 0, 1, 0]


def test_to_categorical_errors():
    with pytest.raises(ValueError, match='label 3 is out of range for num_classes=3'):
        to_categorical([0, 3], 3)
    with pytest.raises(ValueError, match='label -4 is out of range'):
        to_categorical([-4, 1], 3)


def test_to_categorical_takes_labels_as_keras_224_converted_them():
    # `np.array(y, dtype='int')`: floats truncated; a -1 placeholder label (the DL4CV
    # super-resolution chapter's HDF5 files) is the last class, as NumPy indexes
    np.testing.assert_array_equal(to_categorical([1.7, 0.2, 2.], 3), np.eye(3)[[1, 0, 2]])
    np.testing.assert_array_equal(to_categorical(np.array([[-1], [0]]), 2), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(to_categorical([-1, 1]), [[0, 1], [0, 1]])


def test_normalize():
    x = np.array([[3., 4.], [0., 0.]])
    np.testing.assert_allclose(normalize(x), [[0.6, 0.8], [0., 0.]])
    np.testing.assert_allclose(normalize(x, axis=0, order=1), [[1., 1.], [0., 0.]])


def test_normalize_tuple_padding_format():
    assert conv_utils.normalize_tuple(3, 2, 'kernel_size') == (3, 3)
    assert conv_utils.normalize_tuple([1, 2], 2, 'strides') == (1, 2)
    with pytest.raises(ValueError, match='strides'):
        conv_utils.normalize_tuple((1, 2, 3), 2, 'strides')
    # floats in a tuple (`pool_size=(h / 2, w / 2)`): Keras 2.2.4 took what `int()` takes
    # and TensorFlow 1 used `int(v)` (Keras-ICNet's pyramid pooling)
    assert conv_utils.normalize_tuple((1, 2.5), 2, 'kernel_size') == (1, 2)
    assert conv_utils.normalize_tuple((np.float32(4.), 3.), 2, 'pool_size') == (4, 3)
    for bad in ((1, 'a'), (1, None), (1, float('nan')), (True, 1), 2.):
        with pytest.raises(ValueError, match='kernel_size'):
            conv_utils.normalize_tuple(bad, 2, 'kernel_size')
    assert conv_utils.normalize_padding('SAME') == 'same'
    assert conv_utils.normalize_padding('causal') == 'causal'
    with pytest.raises(ValueError):
        conv_utils.normalize_padding('full')
    assert conv_utils.normalize_data_format('Channels_First') == 'channels_first'
    assert conv_utils.normalize_data_format(None) in ('channels_first', 'channels_last')
    with pytest.raises(ValueError):
        conv_utils.normalize_data_format('nhwc')


def test_convert_kernel():
    k = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    out = conv_utils.convert_kernel(k)
    np.testing.assert_array_equal(out, k[::-1, ::-1, :, :])
    k1 = np.arange(12).reshape(3, 2, 2)
    np.testing.assert_array_equal(conv_utils.convert_kernel(k1), k1[::-1])


@pytest.mark.parametrize('length,k,pad,s,d,expected', [
    (10, 3, 'valid', 1, 1, 8), (10, 3, 'same', 1, 1, 10), (10, 3, 'full', 1, 1, 12),
    (10, 3, 'valid', 2, 1, 4), (10, 3, 'same', 3, 1, 4), (10, 3, 'causal', 1, 1, 10),
    (10, 3, 'valid', 1, 2, 6), (None, 3, 'valid', 1, 1, None)])
def test_conv_output_length(length, k, pad, s, d, expected):
    assert conv_utils.conv_output_length(length, k, pad, s, d) == expected


def test_conv_input_and_deconv_length():
    assert conv_utils.conv_input_length(8, 3, 'valid', 1) == 10
    assert conv_utils.conv_input_length(4, 3, 'valid', 2) == 9
    assert conv_utils.conv_input_length(10, 3, 'same', 1) == 10
    assert conv_utils.conv_input_length(None, 3, 'same', 1) is None
    # Conv2DTranspose defaults (output_padding=None)
    assert conv_utils.deconv_length(5, 2, 3, 'valid', None) == 11
    assert conv_utils.deconv_length(5, 2, 3, 'same', None) == 10
    assert conv_utils.deconv_length(5, 1, 3, 'full', None) == 3
    # with output_padding
    assert conv_utils.deconv_length(5, 2, 3, 'same', 1) == 10
    assert conv_utils.deconv_length(5, 2, 3, 'valid', 0) == 11
    assert conv_utils.deconv_length(5, 1, 3, 'valid', None, dilation=2) == 9
    assert conv_utils.deconv_length(None, 2, 3, 'same', None) is None


def test_unknown_padding_is_a_value_error_and_an_assertion_error():
    import pytest
    from keras.utils import conv_utils
    for fn in (conv_utils.conv_output_length, conv_utils.conv_input_length):
        with pytest.raises(ValueError, match="'diagonal'"):
            fn(32, 5, 'diagonal', 2)
        with pytest.raises(AssertionError):
            fn(32, 5, 'diagonal', 2)


def test_func_load_reads_functions_dumped_before_keras_2_1_2():
    import marshal
    from keras.utils.generic_utils import func_load

    def square(x, power=2):
        return x ** power
    old_format = marshal.dumps(square.__code__).decode('raw_unicode_escape')
    loaded = func_load(old_format, defaults=square.__defaults__)
    assert loaded.__code__ == square.__code__ and loaded(3) == 9
