"""Optimizers: Keras 2.2.4 trajectories (fixtures), purity under the backend's compiled steps
(`execution.jit`), config, state."""
import json
import os

import numpy as np
import pytest

from keras import backend as K
from keras import optimizers
from keras.backend import StatelessScope
from keras.backend import execution as X

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'optimizers')

with open(os.path.join(FIXTURES, 'index.json')) as _f:
    INDEX = json.load(_f)
CASES = {c['id']: c for c in INDEX['cases']}
PROBLEM = dict(np.load(os.path.join(FIXTURES, INDEX['problem_file'])))


def _loss(W, b):
    """categorical_crossentropy (Keras 2.2.4 definition) of Dense(3, softmax), batch mean."""
    x = K.constant(PROBLEM['x'])
    y = K.constant(PROBLEM['y'])
    out = K.softmax(K.dot(x, W) + b, axis=-1)
    out = out / K.sum(out, axis=-1, keepdims=True)
    out = K.clip(out, K.epsilon(), 1. - K.epsilon())
    return K.mean(-K.sum(y * K.log(out), axis=-1))


_value_and_grad = X.jit(X.value_and_grad(_loss, argnums=(0, 1)))


def _make(case):
    cls = getattr(optimizers, case['keras224_class'].split('.')[-1])
    return cls(**case['keras224_kwargs'])


def _params():
    return [K.variable(PROBLEM['w_init_0'], name='dense_0/kernel'),
            K.variable(PROBLEM['w_init_1'], name='dense_0/bias')]


def _expected(case, data):
    keys = case['keras224_trajectory_keys'] or case['trajectory_keys']
    return [data[k] for k in keys]


# reference slot names (tf_keras legacy) -> attribute holding our Keras 2.2.4 slot list
_SLOT_ATTR = {
    'SGD': {'momentum': 'moments'},
    'RMSprop': {'rms': 'accumulators'},
    'Adagrad': {'accumulator': 'accumulators'},
    'Adadelta': {'accum_grad': 'accumulators', 'accum_var': 'delta_accumulators'},
    'Adam': {'m': 'ms', 'v': 'vs', 'vhat': 'vhats'},
    'Adamax': {'m': 'ms', 'v': 'us'},
    'Nadam': {'m': 'ms', 'v': 'vs'},
}


def _check_state(case, data, opt):
    """Compare our final state with the reference state (same quantities, other order)."""
    if case['keras224_trajectory_keys']:
        return  # the reference trajectory differs from Keras 2.2.4 there
    tol = case['tolerance']
    cls = type(opt).__name__
    for entry in case['optimizer_state_after']:
        name = entry['name'][:-2]  # drop ':0'
        parts = name.split('/')
        expected = data[entry['key']]
        if parts[-1] == 'iter':
            assert int(K.get_value(opt.iterations)) == int(expected)
            continue
        if parts[-1] == 'momentum_cache':
            actual = K.get_value(opt.m_schedule)
        else:
            index = ['dense_0/kernel', 'dense_0/bias'].index('/'.join(parts[1:-1]))
            actual = K.get_value(getattr(opt, _SLOT_ATTR[cls][parts[-1]])[index])
        np.testing.assert_allclose(actual, expected, rtol=tol['rtol'],
                                   atol=tol['atol'], err_msg=entry['name'])


@pytest.mark.parametrize('case_id', sorted(CASES))
def test_trajectory_eager(case_id):
    case = CASES[case_id]
    data = np.load(os.path.join(FIXTURES, case['file']))
    tol = case['tolerance']
    expected = _expected(case, data)
    opt = _make(case)
    params = _params()
    for step in range(case['n_steps']):
        loss, grads = _value_and_grad(params[0].value, params[1].value)
        if step == 0 or not case['keras224_trajectory_keys']:
            np.testing.assert_allclose(loss, data['losses'][step], **tol)
            for i, g in enumerate(grads):
                np.testing.assert_allclose(g, data['grads_%d' % i][step], **tol)
        opt.apply_gradients(list(grads), params)
        for i, p in enumerate(params):
            np.testing.assert_allclose(K.get_value(p), expected[i][step],
                                       err_msg='%s step %d weight %d' % (case_id, step, i), **tol)
    _check_state(case, data, opt)


@pytest.mark.parametrize('case_id', sorted(CASES))
def test_trajectory_jit_pure(case_id):
    case = CASES[case_id]
    data = np.load(os.path.join(FIXTURES, case['file']))
    tol = case['tolerance']
    expected = _expected(case, data)
    opt = _make(case)
    params = _params()
    opt.build(params)
    variables = params + opt.variables()
    traces = []

    @X.jit
    def step(values):
        traces.append(1)
        with StatelessScope(values=dict(zip(variables, values))) as scope:
            grads = X.grad(_loss, argnums=(0, 1))(values[0], values[1])
            opt.apply_gradients(list(grads), params)
        return [scope.updates.get(v, val) for v, val in zip(variables, values)]

    initial = [K.get_value(v) for v in variables]
    values = [v.value for v in variables]
    for s in range(case['n_steps']):
        values = step(values)
        for i in range(len(params)):
            np.testing.assert_allclose(values[i], expected[i][s],
                                       err_msg='%s step %d weight %d' % (case_id, s, i), **tol)
    assert len(traces) == 1
    # nothing was mutated while tracing / running
    for v, init in zip(variables, initial):
        np.testing.assert_array_equal(K.get_value(v), init)
    # write the results back and check the state like the eager run
    for v, val in zip(variables, values):
        K.set_value(v, np.asarray(val))
    assert int(K.get_value(opt.iterations)) == case['n_steps']
    _check_state(case, data, opt)


def test_clip_norm_function():
    g = K.constant([3., 4.])
    np.testing.assert_allclose(optimizers.clip_norm(g, 1., np.float32(5.)), [0.6, 0.8], rtol=1e-6)
    np.testing.assert_allclose(optimizers.clip_norm(g, 10., np.float32(5.)), [3., 4.])
    np.testing.assert_allclose(optimizers.clip_norm(g, 0., np.float32(5.)), [3., 4.])


def test_clipnorm_is_global():
    opt = optimizers.SGD(lr=1., clipnorm=1.)
    params = [K.variable(np.zeros(2)), K.variable(np.zeros(1))]
    opt.apply_gradients([np.array([3., 0.]), np.array([4.])], params)
    np.testing.assert_allclose(K.get_value(params[0]), [-0.6, 0.], rtol=1e-6)
    np.testing.assert_allclose(K.get_value(params[1]), [-0.8], rtol=1e-6)


def test_clipvalue():
    opt = optimizers.SGD(lr=1., clipvalue=0.5)
    p = K.variable(np.zeros(3))
    opt.apply_gradients([np.array([-2., 0.25, 3.])], [p])
    np.testing.assert_allclose(K.get_value(p), [0.5, -0.25, -0.5])


def test_constraint_applied():
    p = K.variable(np.zeros(2), constraint=lambda w: K.clip(w, -0.1, 0.1))
    optimizers.SGD(lr=1.).apply_gradients([np.array([1., -0.05])], [p])
    np.testing.assert_allclose(K.get_value(p), [-0.1, 0.05], rtol=1e-6)


def test_defaults_and_hyper_variables():
    expected = {
        optimizers.SGD: dict(lr=0.01, momentum=0., decay=0., nesterov=False),
        optimizers.RMSprop: dict(lr=0.001, rho=0.9, decay=0., epsilon=K.epsilon()),
        optimizers.Adagrad: dict(lr=0.01, decay=0., epsilon=K.epsilon()),
        optimizers.Adadelta: dict(lr=1.0, rho=0.95, decay=0., epsilon=K.epsilon()),
        optimizers.Adam: dict(lr=0.001, beta_1=0.9, beta_2=0.999, decay=0.,
                              epsilon=K.epsilon(), amsgrad=False),
        optimizers.Adamax: dict(lr=0.002, beta_1=0.9, beta_2=0.999, decay=0.,
                                epsilon=K.epsilon()),
        optimizers.Nadam: dict(lr=0.002, beta_1=0.9, beta_2=0.999, epsilon=K.epsilon(),
                               schedule_decay=0.004),
    }
    for cls, conf in expected.items():
        opt = cls()
        config = opt.get_config()
        assert sorted(config) == sorted(conf), cls
        for k, v in conf.items():
            assert config[k] == pytest.approx(v, rel=1e-6), (cls, k)
        assert isinstance(opt.lr, K.Variable)
        assert isinstance(opt.iterations, K.Variable) and opt.iterations.dtype == 'int64'
        assert opt.weights == []
    assert optimizers.sgd is optimizers.SGD and optimizers.nadam is optimizers.Nadam


def test_config_round_trip():
    for opt in [optimizers.SGD(lr=0.1, momentum=0.9, decay=0.01, nesterov=True, clipnorm=1.),
                optimizers.RMSprop(lr=0.01, rho=0.8, epsilon=1e-6, clipvalue=0.5),
                optimizers.Adagrad(lr=0.2, decay=0.1),
                optimizers.Adadelta(lr=0.5, rho=0.9, epsilon=1e-4),
                optimizers.Adam(lr=0.02, beta_1=0.8, beta_2=0.9, amsgrad=True),
                optimizers.Adamax(lr=0.05, beta_2=0.99),
                optimizers.Nadam(lr=0.01, schedule_decay=0.01)]:
        config = opt.get_config()
        assert all(isinstance(v, (float, bool)) for v in config.values()), config
        clone = type(opt).from_config(config)
        assert clone.get_config() == config
        restored = optimizers.deserialize(optimizers.serialize(opt))
        assert type(restored) is type(opt) and restored.get_config() == config
    assert optimizers.SGD(clipnorm=1.).get_config()['clipnorm'] == 1.
    assert 'clipnorm' not in optimizers.SGD().get_config()


def test_get():
    assert isinstance(optimizers.get('adam'), optimizers.Adam)
    assert isinstance(optimizers.get('SGD'), optimizers.SGD)
    assert isinstance(optimizers.get('RMSprop'), optimizers.RMSprop)
    opt = optimizers.get({'class_name': 'Adam', 'config': {'lr': 0.5}})
    assert isinstance(opt, optimizers.Adam) and opt.get_config()['lr'] == 0.5
    inst = optimizers.Nadam()
    assert optimizers.get(inst) is inst
    with pytest.raises(ValueError, match='not_an_optimizer'):
        optimizers.get('not_an_optimizer')
    with pytest.raises(ValueError, match='Foo'):
        optimizers.get({'class_name': 'Foo', 'config': {}})
    with pytest.raises(ValueError):
        optimizers.get(42)


def test_from_reference_config():
    # tf.keras configs as stored in HDF5 training_config
    opt = optimizers.deserialize({'class_name': 'Adam', 'config': {
        'name': 'Adam', 'learning_rate': 0.01, 'decay': 0.0, 'beta_1': 0.9,
        'beta_2': 0.999, 'epsilon': 1e-07, 'amsgrad': False}})
    assert opt.get_config()['lr'] == pytest.approx(0.01)
    opt = optimizers.deserialize({'class_name': 'RMSprop', 'config': {
        'name': 'RMSprop', 'learning_rate': 0.01, 'decay': 0.0, 'rho': 0.9,
        'momentum': 0.0, 'epsilon': 1e-07, 'centered': False}})
    assert isinstance(opt, optimizers.RMSprop)
    with pytest.raises(ValueError, match='centered'):
        optimizers.RMSprop.from_config({'lr': 0.1, 'centered': True})


def test_learning_rate_alias():
    opt = optimizers.Adam(learning_rate=0.05)
    assert K.get_value(opt.lr) == pytest.approx(0.05)
    assert optimizers.SGD(learning_rate=0.3).get_config()['lr'] == pytest.approx(0.3)
    with pytest.raises(TypeError, match='learning_rate'):
        optimizers.SGD(lr=0.1, learning_rate=0.2)


def test_unknown_kwargs():
    with pytest.raises(TypeError, match='foo'):
        optimizers.SGD(foo=1)
    with pytest.raises(TypeError, match='bar'):
        optimizers.Adam(lr=0.1, bar=2)


def test_set_weights():
    opt = optimizers.Adam(lr=0.1)
    params = _params()
    with pytest.raises(ValueError, match=r'optimizer \(0\)'):
        opt.set_weights([np.zeros(1)])
    opt.build(params)
    weights = opt.get_weights()
    assert len(weights) == 1 + 3 * len(params)
    assert [w.shape for w in weights] == [(), (4, 3), (3,), (4, 3), (3,), (1,), (1,)]
    assert weights[0].dtype == np.int64
    with pytest.raises(ValueError, match=r'\(3\).*\(7\)|7.*3'):
        opt.set_weights(weights[:3])
    bad = list(weights)
    bad[1] = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r'\(4, 3\).*\(3, 4\)'):
        opt.set_weights(bad)
    new = [np.asarray(7)] + [np.full(w.shape, 0.5, 'float32') for w in weights[1:]]
    opt.set_weights(new)
    for a, b in zip(opt.get_weights(), new):
        np.testing.assert_array_equal(a, b)
    # building again for the same parameters keeps the state
    opt.build(params)
    assert int(opt.get_weights()[0]) == 7


def test_weight_layouts():
    params = _params()
    n = len(params)
    for opt, count in [(optimizers.SGD(), 1 + n), (optimizers.SGD(momentum=0.9), 1 + n),
                       (optimizers.RMSprop(), n), (optimizers.Adagrad(), n),
                       (optimizers.Adadelta(), 2 * n), (optimizers.Adam(), 1 + 3 * n),
                       (optimizers.Adam(amsgrad=True), 1 + 3 * n),
                       (optimizers.Adamax(), 1 + 2 * n), (optimizers.Nadam(), 1 + 2 * n)]:
        opt.build(params)
        assert len(opt.weights) == count, type(opt)
        ids = {id(v) for v in opt.variables()}
        assert all(id(w) in ids for w in opt.weights)
        assert id(opt.iterations) in ids and id(opt.lr) in ids
    nadam = optimizers.Nadam()
    assert id(nadam.m_schedule) in {id(v) for v in nadam.variables()}


def test_adadelta_follows_keras_2_formulas_over_many_steps():
    """Adadelta's delta accumulator is written as g**2 (d + eps) / (a + eps) rather than
    the square of the update (a rounding apart, see optimizers.Adadelta): over 50 steps of
    gradients spanning eight orders of magnitude it stays within float32 rounding of
    Keras 2's formulas evaluated in float64."""
    rng = np.random.RandomState(0)
    rho, eps, lr = 0.95, 1e-7, 1.0
    w0 = rng.randn(4, 5).astype('float32')
    param = K.variable(w0)
    opt = optimizers.Adadelta(lr=lr, rho=rho, epsilon=eps)
    p, a, d = w0.astype('float64'), np.zeros((4, 5)), np.zeros((4, 5))
    for _ in range(50):
        g = (rng.randn(4, 5) * 10. ** rng.uniform(-4, 4, (4, 5))).astype('float32')
        opt.apply_gradients([g], [param])
        a = rho * a + (1 - rho) * g.astype('float64') ** 2
        u = g * np.sqrt(d + eps) / np.sqrt(a + eps)
        p = p - lr * u
        d = rho * d + (1 - rho) * u ** 2
    np.testing.assert_allclose(K.get_value(param), p, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(K.get_value(opt.accumulators[0]), a, rtol=1e-5)
    np.testing.assert_allclose(K.get_value(opt.delta_accumulators[0]), d, rtol=1e-5)


def test_adadelta_gradient_whose_square_overflows_leaves_the_weight():
    """As in Keras 2: g**2 overflows to inf in the accumulator, the update is
    g * sqrt(d + eps) / inf = 0, and the delta accumulator takes 0 (not inf * 0 = NaN)."""
    param = K.variable(np.ones((2,), 'float32'))
    opt = optimizers.Adadelta()
    opt.apply_gradients([np.array([3e19, 1.], 'float32')], [param])
    value = K.get_value(param)
    assert value[0] == 1. and value[1] < 1.
    assert np.isinf(K.get_value(opt.accumulators[0])[0])
    delta = K.get_value(opt.delta_accumulators[0])
    assert delta[0] == 0. and np.all(np.isfinite(delta))


def test_set_value_lr_between_steps():
    opt = optimizers.SGD(lr=0.1)
    p = K.variable(np.zeros(2))
    opt.apply_gradients([np.ones(2)], [p])
    np.testing.assert_allclose(K.get_value(p), [-0.1, -0.1], rtol=1e-6)
    K.set_value(opt.lr, 1.0)
    assert K.get_value(opt.lr) == pytest.approx(1.0)
    opt.apply_gradients([np.ones(2)], [p])
    np.testing.assert_allclose(K.get_value(p), [-1.1, -1.1], rtol=1e-6)
    assert int(K.get_value(opt.iterations)) == 2


def test_set_value_lr_in_compiled_step():
    opt = optimizers.Adam(lr=0.1)
    p = K.variable(np.zeros(2))
    opt.build([p])
    variables = [p] + opt.variables()

    @X.jit
    def step(values, g):
        with StatelessScope(values=dict(zip(variables, values))) as scope:
            opt.apply_gradients([g], [p])
        return [scope.updates.get(v, val) for v, val in zip(variables, values)]

    values = step([v.value for v in variables], np.ones(2, 'float32'))
    np.testing.assert_allclose(values[0], [-0.1, -0.1], rtol=1e-5)
    K.set_value(opt.lr, 0.01)
    values = step([v.value for v in variables], np.ones(2, 'float32'))  # lr read as an argument
    np.testing.assert_allclose(values[0], [-0.01, -0.01], rtol=1e-5)


def test_get_updates_points_to_apply_gradients():
    with pytest.raises(NotImplementedError, match='apply_gradients'):
        optimizers.SGD().get_updates(None, [])
    # a computed loss (here the mean of a variable's value) has no graph to differentiate
    param = K.variable(0.)
    with pytest.raises(NotImplementedError, match='symbolic tensor') as info:
        optimizers.Adam().get_updates(K.mean(param), [param])
    assert 'JAX' not in str(info.value) and 'TensorFlow' not in str(info.value)


def _linear_problem():
    from keras.layers import Input, Dense
    from keras.models import Model
    inp = Input((3,))
    model = Model(inp, Dense(2, use_bias=False)(inp))
    kernel = np.array([[0.5, -1.], [0.25, 0.], [-0.5, 1.]], 'float32')
    model.set_weights([kernel])
    target = K.placeholder(shape=(None, 2))
    loss = K.mean(K.square(model.output - target))
    x = np.array([[1., 2., 3.], [0., -1., 2.]], 'float32')
    y = np.array([[1., 0.], [0., 1.]], 'float32')
    grad = 2. * x.T @ (x @ kernel - y) / y.size       # d mean((xW - y)^2) / dW
    return model, target, loss, kernel, x, y, grad


def test_get_updates_of_a_symbolic_loss_train_through_k_function():
    # Keras 2.2's custom training loop: the optimizer's updates of a symbolic loss,
    # run by K.function (GAN and actor-critic code trains this way)
    model, target, loss, kernel, x, y, grad = _linear_problem()
    opt = optimizers.SGD(lr=0.1, momentum=0.9)
    updates = opt.get_updates(loss=loss, params=model.trainable_weights)
    updated = [v for v, _ in updates]
    assert all(any(v is u for u in updated) for v in model.trainable_weights + opt.weights)
    train = K.function([model.input, target], [loss], updates=updates)
    out = train([x, y])[0]
    assert out == pytest.approx(np.mean((x @ kernel - y) ** 2), rel=1e-6)
    velocity = -0.1 * grad
    np.testing.assert_allclose(model.get_weights()[0], kernel + velocity, rtol=1e-5)
    assert K.get_value(opt.iterations) == 1
    kernel1 = kernel + velocity
    train([x, y])
    grad1 = 2. * x.T @ (x @ kernel1 - y) / y.size
    np.testing.assert_allclose(model.get_weights()[0], kernel1 + 0.9 * velocity - 0.1 * grad1,
                               rtol=1e-5)
    K.set_value(opt.lr, 0.)    # hyper-parameters are read at every call
    before = model.get_weights()[0]
    train([x, y])
    np.testing.assert_allclose(model.get_weights()[0],
                               before + 0.9 * (kernel1 + 0.9 * velocity - 0.1 * grad1 - kernel1),
                               rtol=1e-5)


def test_get_updates_legacy_argument_order_and_adam_step():
    model, target, loss, kernel, x, y, grad = _linear_problem()
    params = model.trainable_weights
    opt = optimizers.Adam(lr=0.01)
    updates = opt.get_updates(params, {}, loss)       # Keras 2.0's (params, constraints, loss)
    K.function([model.input, target], [], updates=updates)([x, y])
    m, v = 0.1 * grad, 0.001 * grad ** 2
    lr_t = 0.01 * np.sqrt(1. - 0.999) / (1. - 0.9)
    np.testing.assert_allclose(model.get_weights()[0],
                               kernel - lr_t * m / (np.sqrt(v) + K.epsilon()), rtol=1e-4)


def test_apply_gradients_length_mismatch():
    with pytest.raises(ValueError, match='2 gradients for 1 parameters'):
        optimizers.SGD().apply_gradients([np.ones(1), np.ones(1)], [K.variable(np.zeros(1))])


def test_tf_optimizer_wrapper():
    class Native(object):
        def __init__(self):
            self.calls = 0

        def apply_gradients(self, grads_and_vars):
            self.calls += 1
            for g, v in grads_and_vars:
                v.assign(v.value - 0.5 * g)

    native = Native()
    opt = optimizers.get(native)
    assert isinstance(opt, optimizers.TFOptimizer) and opt.optimizer is native
    p = K.variable(np.ones(2))
    opt.apply_gradients([np.ones(2)], [p])
    np.testing.assert_allclose(K.get_value(p), [0.5, 0.5])
    assert native.calls == 1 and int(K.get_value(opt.iterations)) == 1
    with pytest.raises(NotImplementedError):
        opt.get_config()
    with pytest.raises(TypeError):
        optimizers.TFOptimizer(object())


def test_scope_requires_all_variables():
    opt = optimizers.Adam()
    p = K.variable(np.zeros(2))
    with StatelessScope(values={p: np.zeros(2, 'float32')}):
        with pytest.raises(ValueError, match='build'):
            opt.apply_gradients([np.ones(2, 'float32')], [p])
    opt.build([p])
    with StatelessScope(values={p: np.zeros(2, 'float32')}):
        with pytest.raises(ValueError, match='iterations'):
            opt.apply_gradients([np.ones(2, 'float32')], [p])
    assert int(K.get_value(opt.iterations)) == 0


def test_stateless_apply_is_pure_and_matches_apply_gradients():
    from keras.constraints import MaxNorm
    w0 = np.array([[3., 0.], [0., 4.]], dtype='float32')
    grads = [np.array([[1., -2.], [0.5, 1.]], dtype='float32')]
    ref_param = K.variable(w0, constraint=MaxNorm(1.))
    ref = optimizers.Adam(lr=0.1)
    ref.apply_gradients(grads, [ref_param])

    param = K.variable(w0, constraint=MaxNorm(1.))
    opt = optimizers.Adam(lr=0.1)
    opt.build([param])
    before = [np.array(v.value) for v in opt.variables()]
    step = X.jit(lambda ov, pv, g: opt.stateless_apply(ov, pv, g, [param]))
    new_params, new_opt = step([v.value for v in opt.variables()], [param.value], grads)
    # nothing assigned: the variables keep their values
    np.testing.assert_array_equal(K.get_value(param), w0)
    for v, b in zip(opt.variables(), before):
        np.testing.assert_array_equal(np.array(v.value), b)
    # the same update (constraint included) as the stateful call
    np.testing.assert_allclose(new_params[0], K.get_value(ref_param), rtol=1e-6)
    for v, ref_v in zip(new_opt, ref.variables()):
        np.testing.assert_allclose(np.asarray(v), K.get_value(ref_v), rtol=1e-6)
    with pytest.raises(ValueError, match='optimizer values'):
        opt.stateless_apply([], [param.value], grads, [param])


@pytest.mark.parametrize('name', ['SGD', 'RMSprop', 'Adagrad', 'Adadelta', 'Adam', 'Adamax',
                                  'Nadam'])
def test_serialize_deserialize_round_trip_as_keras_224(name):
    optimizer = getattr(optimizers, name)(clipnorm=1.)
    config = optimizers.serialize(optimizer)
    again = optimizers.serialize(optimizers.deserialize(config))
    # Keras 2.2.4 lowercases the built-in name in the dict it is given
    assert config['class_name'] == name.lower()
    again['class_name'] = again['class_name'].lower()
    assert config == again


def _gan(optimizer_d, optimizer_c):
    """A GAN's two models (Keras 2.2.4 idiom): the discriminator compiled with
    `optimizer_d`, then frozen inside the combined model compiled with `optimizer_c`."""
    from keras.layers import Dense, Input
    from keras.models import Model
    np.random.seed(0)
    x = Input((4,))
    d = Model(x, Dense(1, activation='sigmoid')(Dense(8, activation='tanh')(x)))
    d.compile(loss='binary_crossentropy', optimizer=optimizer_d)
    z = Input((3,))
    g = Model(z, Dense(4)(z))
    d.trainable = False
    c = Model(z, d(g(z)))
    c.compile(loss='binary_crossentropy', optimizer=optimizer_c)
    return d, g, c


def _train_gan(d, c, steps=3):
    rng = np.random.RandomState(1)
    for _ in range(steps):
        d.train_on_batch(rng.rand(8, 4), rng.randint(2, size=(8, 1)))
        c.train_on_batch(rng.rand(8, 3), np.ones((8, 1)))


def test_one_optimizer_serves_two_models_with_slots_of_their_own():
    # Keras 2.2.4: each model's get_updates made its own moments (iterations and the
    # hyper-parameters stay shared); with momentum SGD, which does not read iterations,
    # one shared instance must train both models as two instances do
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')   # the frozen discriminator's discrepancy warning
        d1, g1, c1 = _gan(*[optimizers.SGD(0.1, momentum=0.9)] * 2)
        d2, g2, c2 = _gan(optimizers.SGD(0.1, momentum=0.9), optimizers.SGD(0.1, momentum=0.9))
        for model in (d2, g2):
            model.set_weights([w for w in (d1 if model is d2 else g1).get_weights()])
        _train_gan(d1, c1)
        _train_gan(d2, c2)
    for a, b in zip(d1.get_weights() + g1.get_weights(), d2.get_weights() + g2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    shared = c1.optimizer
    assert d1.optimizer is shared
    assert K.get_value(shared.iterations) == 6      # both models count their steps
    # each model saves its own slots, whichever trained last
    d_moments = [K.get_value(w) for w in d2.optimizer.weights[1:]]
    shared.build(d1._trainable_vars)
    for a, b in zip(shared.get_weights()[1:], d_moments):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_a_shared_adam_trains_a_gan_and_saves_each_models_state(tmp_path):
    import warnings
    from keras.models import load_model
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        d, g, c = _gan(*[optimizers.Adam(0.01, 0.5)] * 2)
        _train_gan(d, c)
        path = str(tmp_path / 'd.h5')
        d.save(path)    # after the combined model trained last
        loaded = load_model(path)
    assert len(loaded.optimizer.get_weights()) == 1 + 3 * len(d._trainable_vars)   # + vhats
    shared = d.optimizer
    shared.build(d._trainable_vars)
    for a, b in zip(loaded.optimizer.get_weights(), shared.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


class _Wrapping(optimizers.Optimizer):
    """keras-rl's AdditionalUpdatesOptimizer: a Keras 2.2 `get_updates` that delegates to
    a built-in optimizer and adds updates of its own."""

    def __init__(self, inner, extra=()):
        super(_Wrapping, self).__init__()
        self.inner = inner
        self.extra = list(extra)

    def get_updates(self, loss, params):
        self.updates = self.inner.get_updates(loss=loss, params=params) + self.extra
        return self.updates


def _dense_model(optimizer):
    from keras.layers import Dense
    from keras.models import Sequential
    np.random.seed(3)
    model = Sequential([Dense(2, input_shape=(3,))])
    model.compile(optimizer, 'mse')
    return model


def test_an_optimizer_wrapping_a_built_in_one_trains_as_the_built_in_one():
    x = np.random.RandomState(0).rand(8, 3)
    y = np.random.RandomState(1).rand(8, 2)
    wrapped, plain = _dense_model(_Wrapping(optimizers.Adam(0.01))), \
        _dense_model(optimizers.Adam(0.01))
    plain.set_weights(wrapped.get_weights())
    for _ in range(4):
        wrapped.train_on_batch(x, y)
        plain.train_on_batch(x, y)
    for a, b in zip(wrapped.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    # the wrapped optimizer's own state is the step's (bias corrections at t = 4)
    assert K.get_value(wrapped.optimizer.inner.iterations) == 4


def test_updates_a_keras_2_get_updates_returns_are_run_by_the_step():
    counter = K.variable(0.)

    class Counting(optimizers.Optimizer):
        def get_updates(self, loss, params):
            grads = self.get_gradients(loss, params)
            self.updates = [K.update(p, p - 0.1 * g) for p, g in zip(params, grads)]
            self.updates.append((counter, counter + 1.))
            return self.updates
    model = _dense_model(Counting())
    for _ in range(3):
        model.train_on_batch(np.ones((2, 3)), np.ones((2, 2)))
    assert K.get_value(counter) == 3.


def test_soft_target_updates_of_variables_follow_the_variables_at_every_step():
    # keras-rl's soft target updates: (w_target, tau * w + (1 - tau) * w_target) computed
    # once, outside the step, from variables: TensorFlow 1 recomputed it at every step
    source, target = K.variable(np.ones((3, 2))), K.variable(np.zeros((3, 2)))
    model = _dense_model(_Wrapping(optimizers.Adam(),
                                   [(target, 0.5 * source + (1. - 0.5) * target)]))
    for _ in range(3):
        model.train_on_batch(np.ones((2, 3)), np.ones((2, 2)))
    np.testing.assert_allclose(K.get_value(target), np.full((3, 2), 1 - 0.5 ** 3), rtol=1e-6)
    K.set_value(source, np.full((3, 2), 3.))   # the source changes between steps
    model.train_on_batch(np.ones((2, 3)), np.ones((2, 2)))
    np.testing.assert_allclose(K.get_value(target),
                               np.full((3, 2), 0.5 * 3. + 0.5 * (1 - 0.5 ** 3)), rtol=1e-6)


def test_a_returned_update_of_a_fixed_array_computed_before_training_is_refused():
    target = K.variable(np.zeros((3, 2)))
    fixed = 0.5 * K.get_value(target) + 0.5
    model = _dense_model(_Wrapping(optimizers.Adam(), [(target, K.constant(fixed))]))
    with pytest.raises(ValueError, match='fixed array computed once, before training.*'
                                         'set_weights'):
        model.train_on_batch(np.ones((2, 3)), np.ones((2, 2)))
