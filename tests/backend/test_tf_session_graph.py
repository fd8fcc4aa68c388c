"""`K.get_session().graph` on the TensorFlow backend: the TensorFlow 1 graph of the Keras
models, as the Keras 2 recipes that freeze a model into a GraphDef (and the code serving it)
read it: placeholders named as the input layers, variables named as the weights, outputs
computed by ops named as `model.outputs[i].op.name`."""
import numpy as np
import pytest

from keras import backend as K

pytestmark = pytest.mark.backends('tensorflow', reason='TensorFlow 1 graphs and sessions')

if K.backend() == 'tensorflow':
    import tensorflow as tf


def _freeze_session(session, output_names):
    # the recipe as Keras 2 users wrote it (StackOverflow 45466020), on tf.compat.v1
    graph = session.graph
    with graph.as_default():
        names = [v.op.name for v in tf.compat.v1.global_variables()]
        graph_def = graph.as_graph_def()
        for node in graph_def.node:
            node.device = ''
        return tf.compat.v1.graph_util.convert_variables_to_constants(
            session, graph_def, list(output_names) + names, names)


def _run_frozen(graph_def, fetch, feeds):
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name='')
    with tf.compat.v1.Session(graph=graph) as sess:
        return sess.run(fetch, feeds)


def _conv_model():
    from keras import layers, models
    inp = layers.Input(shape=(8, 8, 1))
    h = layers.Conv2D(4, 3, activation='relu')(inp)
    h = layers.BatchNormalization()(h)
    h = layers.Dropout(0.3)(layers.Flatten()(h))
    model = models.Model(inp, layers.Dense(3, activation='softmax')(h))
    model.compile('adam', 'categorical_crossentropy')
    return model


def test_input_op_is_the_placeholder_named_as_the_input_layer():
    from keras import layers
    K.clear_session()
    x = layers.Input(shape=(3,))
    assert x.op.name == 'input_1' and x.op.type == 'Placeholder'
    assert x.op.inputs == []
    y = layers.Dense(2, activation='softmax')(x)
    assert y.op.name == 'dense_1/Softmax'


def test_freezing_a_trained_model_into_a_graph_def(tmp_path):
    K.clear_session()
    model = _conv_model()
    rng = np.random.RandomState(0)
    x = rng.rand(32, 8, 8, 1).astype('float32')
    y = np.eye(3, dtype='float32')[rng.randint(0, 3, 32)]
    model.fit(x, y, epochs=1, verbose=0)
    outputs = [out.op.name for out in model.outputs]
    assert outputs == ['dense_1/Softmax']
    frozen = _freeze_session(K.get_session(), outputs)
    kinds = set(node.op for node in frozen.node)
    # the variables are constants now, and the model's ops are TensorFlow's primitive ops
    # (what OpenCV's and TensorRT's importers read), not a call of a function
    assert not kinds & {'VarHandleOp', 'VariableV2', 'ReadVariableOp', 'PartitionedCall',
                        'StatefulPartitionedCall'}
    assert {'Conv2D', 'MatMul', 'Softmax', 'Placeholder'} <= kinds
    tf.io.write_graph(frozen, str(tmp_path), 'model.pb', as_text=False)
    loaded = tf.compat.v1.GraphDef()
    loaded.ParseFromString((tmp_path / 'model.pb').read_bytes())
    np.testing.assert_allclose(_run_frozen(loaded, 'dense_1/Softmax:0', {'input_1:0': x}),
                               model.predict(x), rtol=1e-5, atol=1e-6)
    # trained further, the session's variables hold the new weights at the next freeze
    model.fit(x, y, epochs=2, verbose=0)
    again = _freeze_session(K.get_session(), outputs)
    np.testing.assert_allclose(_run_frozen(again, 'dense_1/Softmax:0', {'input_1:0': x}),
                               model.predict(x), rtol=1e-5, atol=1e-6)


def test_session_runs_graph_names_with_the_current_weights():
    from keras import layers, models
    K.clear_session()
    inp = layers.Input(shape=(4,))
    model = models.Model(inp, layers.Dense(2, activation='tanh')(inp))
    sess = K.get_session()
    x = np.random.RandomState(1).rand(5, 4).astype('float32')
    kernel, bias = model.get_weights()
    got = sess.run('dense_1/Tanh:0', feed_dict={'input_1:0': x})
    np.testing.assert_allclose(got, np.tanh(x.dot(kernel) + bias), rtol=1e-5, atol=1e-6)
    model.set_weights([kernel * 2., bias + 1.])
    got = sess.run(sess.graph.get_tensor_by_name('dense_1/Tanh:0'), {'input_1:0': x})
    np.testing.assert_allclose(got, np.tanh(x.dot(kernel * 2.) + bias + 1.), rtol=1e-5,
                               atol=1e-6)
    # a variable's value read by its graph name
    np.testing.assert_allclose(sess.run('dense_1/kernel/Read/ReadVariableOp:0'), kernel * 2.)


def test_models_sharing_layers_share_the_graph_variables():
    from keras import layers, models
    K.clear_session()
    shared = layers.Dense(3, name='shared')
    a = layers.Input(shape=(4,), name='a')
    b = layers.Input(shape=(4,), name='b')
    first = models.Model(a, layers.Activation('relu')(shared(a)))
    second = models.Sequential([layers.Dense(4, input_shape=(2,)), first])
    graph = K.get_session().graph
    with graph.as_default():
        names = sorted(v.op.name for v in tf.compat.v1.global_variables())
    assert names == ['dense_1/bias', 'dense_1/kernel', 'shared/bias', 'shared/kernel']
    x = np.random.RandomState(2).rand(3, 2).astype('float32')
    out = second.outputs[0].op.name
    frozen = _freeze_session(K.get_session(), [out])
    np.testing.assert_allclose(
        _run_frozen(frozen, out + ':0', {second.inputs[0].op.name + ':0': x}),
        second.predict(x), rtol=1e-5, atol=1e-6)
    del b


def test_clear_session_drops_earlier_models_from_the_graph():
    from keras import layers, models
    K.clear_session()
    inp = layers.Input(shape=(4,))
    kept = models.Model(inp, layers.Dense(2)(inp))
    assert 'dense_1/kernel' in {op.name for op in K.get_session().graph.get_operations()}
    K.clear_session()
    inp = layers.Input(shape=(4,), name='fresh')
    models.Model(inp, layers.Dense(5, name='later')(inp))
    ops = {op.name for op in K.get_session().graph.get_operations()}
    assert 'later/kernel' in ops and 'fresh' in ops
    assert 'dense_1/kernel' not in ops
    del kept


def test_saver_writes_a_checkpoint_of_the_weights(tmp_path):
    from keras import layers, models
    K.clear_session()
    inp = layers.Input(shape=(4,))
    model = models.Model(inp, layers.Dense(2)(inp))
    sess = K.get_session()
    with sess.graph.as_default():
        # (TensorFlow 2 saves graph variables in the graph's context)
        saver = tf.compat.v1.train.Saver()
        path = saver.save(sess, str(tmp_path / 'model.ckpt'))
    reader = tf.train.load_checkpoint(path)
    np.testing.assert_array_equal(reader.get_tensor('dense_1/kernel'), model.get_weights()[0])
    np.testing.assert_array_equal(reader.get_tensor('dense_1/bias'), model.get_weights()[1])


def test_a_deleted_model_leaves_the_graph():
    import gc
    from keras import layers, models
    K.clear_session()
    inp = layers.Input(shape=(4,))
    model = models.Model(inp, layers.Dense(2, name='gone')(inp))
    assert 'gone/kernel' in {op.name for op in K.get_session().graph.get_operations()}
    del model, inp
    gc.collect()
    assert 'gone/kernel' not in {op.name for op in K.get_session().graph.get_operations()}


def test_tensors_are_named_as_tensorflow_named_them():
    from keras import layers
    K.clear_session()
    x = layers.Input(shape=(3,))
    shared = layers.Dense(2, activation='softmax')
    assert x.name == 'input_1:0'
    assert shared(x).name == 'dense_1/Softmax:0'
    # a layer's later call: TensorFlow's next name scope
    second = shared(x)
    assert (second.name, second.op.name) == ('dense_1_1/Softmax:0', 'dense_1_1/Softmax')
    # outputs of one call computed by ops of one type: the later ops numbered
    outs = layers.Lambda(lambda t: [tf.identity(t), tf.identity(t * 2.)])(x)
    assert [o.op.name for o in outs] == ['lambda_1/Identity', 'lambda_1/Identity_1']


def _serving_model():
    from keras import layers, models
    K.clear_session()
    inp = layers.Input(shape=(4,))
    hidden = layers.Dense(5, activation='relu')(inp)
    return models.Model(inp, layers.Dense(3, activation='softmax')(hidden))


def test_simple_save_of_the_session_serves_the_model(tmp_path):
    # the 2018 TensorFlow Serving recipe: `simple_save(K.get_session(), ...)` with the
    # model's input and output tensors as the signature's
    model = _serving_model()
    x = np.random.RandomState(3).rand(6, 4).astype('float32')
    path = str(tmp_path / 'export')
    sess = K.get_session()
    with sess.graph.as_default():
        tf.compat.v1.saved_model.simple_save(sess, path, inputs={'x': model.input},
                                             outputs={'y': model.output})
    served = tf.saved_model.load(path).signatures['serving_default']
    np.testing.assert_allclose(served(x=tf.constant(x))['y'].numpy(), model.predict(x),
                               rtol=1e-5, atol=1e-6)
    graph = tf.Graph()
    with tf.compat.v1.Session(graph=graph) as other:
        meta = tf.compat.v1.saved_model.loader.load(other, ['serve'], path)
        signature = meta.signature_def['serving_default']
        assert signature.inputs['x'].name == model.input.name
        got = other.run(signature.outputs['y'].name, {signature.inputs['x'].name: x})
    np.testing.assert_allclose(got, model.predict(x), rtol=1e-5, atol=1e-6)


def test_saved_model_builder_with_the_session_as_context(tmp_path):
    model = _serving_model()
    x = np.random.RandomState(4).rand(6, 4).astype('float32')
    path = str(tmp_path / '1')
    builder = tf.compat.v1.saved_model.builder.SavedModelBuilder(path)
    with K.get_session() as sess:
        signature = tf.compat.v1.saved_model.signature_def_utils.predict_signature_def(
            inputs={'images': model.input}, outputs={'scores': model.output})
        builder.add_meta_graph_and_variables(
            sess=sess, tags=[tf.compat.v1.saved_model.tag_constants.SERVING],
            signature_def_map={'predict': signature})
        builder.save()
    served = tf.saved_model.load(path).signatures['predict']
    np.testing.assert_allclose(served(images=tf.constant(x))['scores'].numpy(),
                               model.predict(x), rtol=1e-5, atol=1e-6)
    # the session closed by the `with` still reads the weights
    np.testing.assert_array_equal(K.get_session().run(model.weights[0]),
                                  model.get_weights()[0])


def test_a_session_made_on_a_graph_of_the_users_keeps_it():
    from keras import layers, models
    K.clear_session()
    inp = layers.Input(shape=(4,))
    models.Model(inp, layers.Dense(2)(inp))
    mine = tf.Graph()
    with mine.as_default():
        a = tf.compat.v1.placeholder(tf.float32, (), name='a')
        doubled = tf.multiply(a, 2., name='doubled')
    session = tf.compat.v1.Session(graph=mine)
    K.set_session(session)
    try:
        assert K.get_session().graph is mine
        assert K.get_session().run('doubled:0', {'a:0': 3.}) == 6.
        assert K.get_session().run(doubled, {a: 4.}) == 8.
    finally:
        K.set_session(tf.compat.v1.Session())


def test_a_config_session_installed_at_start_gives_the_keras_graph():
    # Keras 2 scripts begin with `K.set_session(tf.Session(config=...))`
    from keras import layers, models
    K.clear_session()
    K.set_session(tf.compat.v1.Session(config=tf.compat.v1.ConfigProto()))
    inp = layers.Input(shape=(4,))
    model = models.Model(inp, layers.Dense(2, activation='sigmoid')(inp))
    x = np.ones((2, 4), 'float32')
    got = K.get_session().run(model.output.name, {model.input.name: x})
    np.testing.assert_allclose(got, model.predict(x), rtol=1e-5, atol=1e-6)
