"""keras.initializers: statistics against NumPy references, reproducibility, (de)serialization."""
import numpy as np
import pytest

from keras import backend as K
from keras import initializers
from keras.initializers import _compute_fans

TRUNC_STD = 0.87962566103423978  # std of a standard normal truncated to [-2, 2]


def arr(x):
    return np.asarray(x, dtype='float64')


# ------------------------------------------------------------------ constants
def test_zeros_ones_constant():
    for init, value in [(initializers.Zeros(), 0.), (initializers.Ones(), 1.),
                        (initializers.Constant(3.5), 3.5), (initializers.constant(value=-2), -2.)]:
        x = init((3, 4))
        assert K.int_shape(x) == (3, 4)
        assert K.dtype(x) == 'float32'
        np.testing.assert_array_equal(np.asarray(x), np.full((3, 4), value, 'float32'))
    assert K.dtype(initializers.Zeros()((2,), dtype='float64')) in ('float64', 'float32')
    assert initializers.Constant(0.25).get_config() == {'value': 0.25}


# ------------------------------------------------------------------ fans
@pytest.mark.parametrize('shape,fans', [
    ((7, 9), (7, 9)),
    ((3, 4, 5), (3 * 4, 3 * 5)),            # Conv1D kernel (k, in, out)
    ((3, 3, 16, 32), (9 * 16, 9 * 32)),     # Conv2D kernel
    ((2, 3, 4, 5, 6), (24 * 5, 24 * 6)),    # Conv3D kernel
    ((16,), (4., 4.)),                      # other ranks: sqrt(size)
    ((2, 2, 2, 2, 2, 2), (8., 8.)),
])
def test_compute_fans(shape, fans):
    fan_in, fan_out = _compute_fans(shape)
    assert float(fan_in) == pytest.approx(fans[0])
    assert float(fan_out) == pytest.approx(fans[1])


def test_compute_fans_channels_first():
    assert tuple(int(f) for f in _compute_fans((32, 16, 3, 3), 'channels_first')) == (144, 288)


# ------------------------------------------------------------ random: statistics
N_SHAPE = (400, 500)  # 200k draws: standard error of a mean ~ 0.0022 std


def _check_mean_std(x, mean, std, n_sigma=6):
    x = arr(x)
    n = x.size
    assert abs(x.mean() - mean) < n_sigma * std / np.sqrt(n)
    # the std of a sample std is about std / sqrt(2n) (for these light-tailed laws)
    assert abs(x.std() - std) < n_sigma * std / np.sqrt(2 * n) * 1.5


def test_random_normal_stats():
    x = initializers.RandomNormal(mean=0.3, stddev=2.0, seed=1)(N_SHAPE)
    assert K.int_shape(x) == N_SHAPE and K.dtype(x) == 'float32'
    _check_mean_std(x, 0.3, 2.0)


def test_random_uniform_stats():
    x = arr(initializers.RandomUniform(minval=-1., maxval=3., seed=2)(N_SHAPE))
    assert x.min() >= -1. and x.max() < 3.
    _check_mean_std(x, 1.0, 4.0 / np.sqrt(12))


def test_truncated_normal_stats():
    x = arr(initializers.TruncatedNormal(mean=1.0, stddev=0.5, seed=3)(N_SHAPE))
    assert x.min() >= 1.0 - 2 * 0.5 - 1e-6 and x.max() <= 1.0 + 2 * 0.5 + 1e-6
    _check_mean_std(x, 1.0, 0.5 * TRUNC_STD)


def test_default_args():
    assert initializers.RandomNormal().get_config() == {'mean': 0., 'stddev': 0.05, 'seed': None}
    assert initializers.RandomUniform().get_config() == {'minval': -0.05, 'maxval': 0.05,
                                                          'seed': None}
    assert initializers.TruncatedNormal().get_config() == {'mean': 0., 'stddev': 0.05,
                                                            'seed': None}
    assert initializers.VarianceScaling().get_config() == {
        'scale': 1.0, 'mode': 'fan_in', 'distribution': 'normal', 'seed': None}
    assert initializers.Orthogonal().get_config() == {'gain': 1.0, 'seed': None}
    assert initializers.Identity().get_config() == {'gain': 1.0}


@pytest.mark.parametrize('mode', ['fan_in', 'fan_out', 'fan_avg'])
@pytest.mark.parametrize('distribution', ['normal', 'uniform'])
def test_variance_scaling_stats(mode, distribution):
    shape = (400, 500)
    scale = 2.5
    n = {'fan_in': 400, 'fan_out': 500, 'fan_avg': 450}[mode]
    target_std = np.sqrt(scale / n)  # both laws are scaled to this standard deviation
    x = arr(initializers.VarianceScaling(scale, mode, distribution, seed=4)(shape))
    assert K.int_shape(x) == shape
    _check_mean_std(x, 0.0, target_std)
    if distribution == 'uniform':
        limit = np.sqrt(3 * scale / n)
        assert x.min() >= -limit and x.max() <= limit
        assert x.max() > 0.99 * limit
    else:
        bound = 2 * target_std / TRUNC_STD  # truncation at 2 stddev of the untruncated law
        assert np.abs(x).max() <= bound * (1 + 1e-6)
        assert np.abs(x).max() > 0.99 * bound


def test_variance_scaling_conv_kernel():
    shape = (3, 3, 64, 96)
    x = arr(initializers.he_normal(seed=5)(shape))
    _check_mean_std(x, 0.0, np.sqrt(2.0 / (9 * 64)))
    x = arr(initializers.glorot_uniform(seed=6)(shape))
    limit = np.sqrt(6.0 / (9 * 64 + 9 * 96))
    assert np.abs(x).max() <= limit
    _check_mean_std(x, 0.0, limit / np.sqrt(3))


def test_variance_scaling_validation():
    with pytest.raises(ValueError):
        initializers.VarianceScaling(scale=0.)
    with pytest.raises(ValueError):
        initializers.VarianceScaling(mode='fan_sum')
    with pytest.raises(ValueError):
        initializers.VarianceScaling(distribution='cauchy')
    assert initializers.VarianceScaling(mode='FAN_AVG').mode == 'fan_avg'


@pytest.mark.parametrize('fn,scale,mode,dist', [
    ('lecun_uniform', 1., 'fan_in', 'uniform'), ('lecun_normal', 1., 'fan_in', 'normal'),
    ('glorot_uniform', 1., 'fan_avg', 'uniform'), ('glorot_normal', 1., 'fan_avg', 'normal'),
    ('he_uniform', 2., 'fan_in', 'uniform'), ('he_normal', 2., 'fan_in', 'normal')])
def test_named_variance_scaling(fn, scale, mode, dist):
    init = getattr(initializers, fn)(seed=11)
    assert isinstance(init, initializers.VarianceScaling)
    assert init.get_config() == {'scale': scale, 'mode': mode, 'distribution': dist, 'seed': 11}
    # as Keras 2.2.4, these serialize as VarianceScaling
    assert initializers.serialize(init) == {'class_name': 'VarianceScaling',
                                            'config': init.get_config()}


# ------------------------------------------------------------- orthogonal / identity
@pytest.mark.parametrize('shape', [(60, 40), (40, 60), (50, 50), (3, 3, 4, 8)])
def test_orthogonal(shape):
    gain = 1.7
    x = arr(initializers.Orthogonal(gain=gain, seed=7)(shape))
    assert K.int_shape(x) == shape
    flat = x.reshape(-1, shape[-1]) / gain
    rows, cols = flat.shape
    if rows >= cols:
        np.testing.assert_allclose(flat.T @ flat, np.eye(cols), atol=1e-5)
    else:
        np.testing.assert_allclose(flat @ flat.T, np.eye(rows), atol=1e-5)


def test_orthogonal_is_random_and_reproducible():
    a = arr(initializers.Orthogonal(seed=1)((20, 20)))
    b = arr(initializers.Orthogonal(seed=1)((20, 20)))
    c = arr(initializers.Orthogonal(seed=2)((20, 20)))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    np.random.seed(123)
    d = arr(initializers.Orthogonal()((20, 20)))
    np.random.seed(123)
    e = arr(initializers.Orthogonal()((20, 20)))
    np.testing.assert_array_equal(d, e)


def test_identity():
    x = initializers.Identity(gain=2.5)((5, 5))
    assert K.dtype(x) == 'float32'
    np.testing.assert_array_equal(np.asarray(x), 2.5 * np.eye(5))
    with pytest.raises(ValueError):
        initializers.Identity()((3, 4))
    with pytest.raises(ValueError):
        initializers.Identity()((3, 3, 3))


# ------------------------------------------------------------------ reproducibility
SEEDED = [
    lambda s: initializers.RandomNormal(seed=s), lambda s: initializers.RandomUniform(seed=s),
    lambda s: initializers.TruncatedNormal(seed=s), lambda s: initializers.glorot_uniform(s),
    lambda s: initializers.he_normal(s), lambda s: initializers.Orthogonal(seed=s)]


@pytest.mark.parametrize('make', SEEDED)
def test_seeded_reproducible(make):
    a = arr(make(42)((16, 8)))
    b = arr(make(42)((16, 8)))
    init = make(42)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(arr(init((16, 8))), arr(init((16, 8))))
    assert not np.allclose(a, arr(make(43)((16, 8))))


@pytest.mark.parametrize('make', SEEDED)
def test_unseeded_follows_numpy_seed(make):
    np.random.seed(2024)
    a = arr(make(None)((16, 8)))
    b = arr(make(None)((16, 8)))
    np.random.seed(2024)
    c = arr(make(None)((16, 8)))
    assert not np.allclose(a, b)  # successive draws differ
    np.testing.assert_array_equal(a, c)


# ------------------------------------------------------------------ aliases / get
def test_aliases():
    i = initializers
    assert i.zeros is i.Zeros and i.zero is i.Zeros
    assert i.ones is i.Ones and i.one is i.Ones
    assert i.constant is i.Constant
    assert i.uniform is i.RandomUniform and i.random_uniform is i.RandomUniform
    assert i.normal is i.RandomNormal and i.random_normal is i.RandomNormal
    assert i.truncated_normal is i.TruncatedNormal
    assert i.orthogonal is i.Orthogonal and i.identity is i.Identity


@pytest.mark.parametrize('name,cls', [
    ('zeros', 'Zeros'), ('Zeros', 'Zeros'), ('ones', 'Ones'), ('constant', 'Constant'),
    ('uniform', 'RandomUniform'), ('random_uniform', 'RandomUniform'),
    ('normal', 'RandomNormal'), ('random_normal', 'RandomNormal'),
    ('truncated_normal', 'TruncatedNormal'), ('orthogonal', 'Orthogonal'),
    ('identity', 'Identity'), ('glorot_uniform', 'VarianceScaling'),
    ('he_normal', 'VarianceScaling'), ('lecun_uniform', 'VarianceScaling'),
    ('VarianceScaling', 'VarianceScaling')])
def test_get_by_name(name, cls):
    init = initializers.get(name)
    assert type(init).__name__ == cls


def test_get_glorot_uniform_config():
    init = initializers.get('glorot_uniform')
    assert init.get_config() == {'scale': 1.0, 'mode': 'fan_avg', 'distribution': 'uniform',
                                 'seed': None}


@pytest.mark.parametrize('init', [
    initializers.Zeros(), initializers.Ones(), initializers.Constant(0.7),
    initializers.RandomNormal(0.1, 0.2, seed=3), initializers.RandomUniform(-1, 2, seed=4),
    initializers.TruncatedNormal(0., 1.5, seed=5),
    initializers.VarianceScaling(3., 'fan_out', 'uniform', seed=6),
    initializers.Orthogonal(1.3, seed=7), initializers.Identity(0.5),
    initializers.he_uniform(seed=8)], ids=lambda i: type(i).__name__)
def test_serialize_round_trip(init):
    config = initializers.serialize(init)
    assert config['class_name'] == type(init).__name__
    back = initializers.deserialize(config)
    assert type(back) is type(init)
    assert back.get_config() == init.get_config()
    assert type(initializers.get(config)) is type(init)
    assert type(init).from_config(init.get_config()).get_config() == init.get_config()


def test_from_config_ignores_dtype():
    init = initializers.RandomNormal.from_config({'mean': 0., 'stddev': 1., 'seed': None,
                                                  'dtype': 'float32'})
    assert init.get_config() == {'mean': 0., 'stddev': 1., 'seed': None}


def test_deserialize_tf_keras_class_names():
    init = initializers.deserialize({'module': 'keras.initializers', 'class_name': 'GlorotUniform',
                                     'config': {'seed': None}, 'registered_name': None})
    assert init.get_config() == {'scale': 1.0, 'mode': 'fan_avg', 'distribution': 'uniform',
                                 'seed': None}


def test_get_callable_passthrough_and_custom():
    def my_init(shape, dtype=None):
        return np.zeros(shape)
    assert initializers.get(my_init) is my_init
    assert initializers.deserialize({'class_name': 'my_init', 'config': {}},
                                    custom_objects={'my_init': lambda: my_init}) is my_init


def test_unknown_initializer_raises_with_name():
    with pytest.raises(ValueError, match='no_such_init'):
        initializers.get('no_such_init')
    with pytest.raises(ValueError, match='NoSuchInit'):
        initializers.deserialize({'class_name': 'NoSuchInit', 'config': {}})
    with pytest.raises(ValueError):
        initializers.get(12)


def test_identity_stacks_along_the_long_side():
    from keras import initializers
    init = initializers.Identity(gain=2.)
    np.testing.assert_array_equal(np.asarray(init((2, 4))),
                                  2 * np.concatenate([np.eye(2), np.eye(2)], axis=1))
    np.testing.assert_array_equal(np.asarray(init((6, 3))), 2 * np.concatenate([np.eye(3)] * 2))
    np.testing.assert_array_equal(np.asarray(init((3, 3))), 2 * np.eye(3))
    with pytest.raises(ValueError, match='multiple'):
        init((3, 4))
    with pytest.raises(ValueError, match='2D'):
        init((3, 3, 3))


def test_initializers_written_for_keras_2_2_4_take_only_the_shape():
    # Keras 2.2.4's add_weight called `initializer(shape)` (`dtype` came in 2.2.5):
    # keras-contrib's ConvolutionAware and `def my_init(shape)` functions take no dtype
    from keras.layers import Dense

    def half(shape):
        return np.full(shape, 0.5, 'float32')

    class Ones(object):
        def __call__(self, shape):
            return np.ones(shape, 'float32')

    layer = Dense(2, kernel_initializer=half, bias_initializer=Ones())
    layer.build((None, 3))
    kernel, bias = layer.get_weights()
    np.testing.assert_array_equal(kernel, np.full((3, 2), 0.5))
    np.testing.assert_array_equal(bias, np.ones(2))
