"""Keras 2.2.4's TensorFlow-session helpers (`keras.backend.tensorflow_backend`) on
TensorFlow 2. TensorFlow 2 runs eagerly and has no default session: `get_session` returns a
`tf.compat.v1.Session` (for code that only passes it around or configures it), `set_session`
accepts one (its config's GPU options are applied where TensorFlow 2 allows), and `tf` is
TensorFlow itself, as scripts reach it through `K.tf`."""
import numbers
import warnings

import numpy as np
import tensorflow as tf

from ... import registry
from ..keras_tensor import KerasTensor
from .state import Variable, VariableExpression
from ..scopes import run_deferred

_SESSION = [None]


def _has_value(x):
    return isinstance(x, (Variable, VariableExpression, tf.Variable)) or \
        (isinstance(x, tf.Tensor) and hasattr(x, 'numpy'))


class _KerasRun(object):
    """`run` of the sessions `get_session` gives (`_Session`, `_InteractiveSession`): it
    also reads what TensorFlow 2 holds eagerly.

    Fetches made only of Keras variables, `tf.Variable`s, eager tensors and expressions of
    variables (raw `tf` ops on them: `tf.reduce_sum(w)`), in lists, tuples or dicts, come
    back as NumPy values, as Keras 2.2 code reads them with `K.get_session().run(...)`.
    Fetches among which are tensors of a Keras graph, with a `feed_dict` whose keys are its
    placeholders (`model.input`) and the learning phase, run as `K.function(keys,
    fetches)` (`sess.run(model.output, feed_dict={model.input: x})`; one function for each
    set of keys and fetches, kept for the next call). Nothing to run (`None`, or what
    `tf.compat.v1.global_variables_initializer()` gives when TensorFlow runs eagerly: the
    variables are initialized when made) gives None, as a no-op did. Other fetches go to
    TensorFlow's session.
    """

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """The values of `fetches` (see the class); the other arguments are TensorFlow's.

        # Arguments
            fetches: a variable or tensor, or a list, tuple or dict of them.
            feed_dict: TensorFlow's feed dictionary (graph fetches only).
            options: TensorFlow's `RunOptions` (graph fetches only).
            run_metadata: TensorFlow's `RunMetadata` (graph fetches only).

        # Returns
            The fetched values, in the structure of `fetches`.
        """
        # (an update made outside a step, `K.update(...)`, runs: scopes.DeferredUpdate)
        fetches = run_deferred(fetches)
        leaves = tf.nest.flatten(fetches)
        if all(x is None for x in leaves):
            return None if fetches is None else tf.nest.map_structure(lambda x: None, fetches)
        if all(_has_value(x) for x in leaves):
            return tf.nest.map_structure(lambda x: x.numpy(), fetches)
        feeds = dict(feed_dict or {})
        if any(isinstance(x, KerasTensor) for x in leaves) and all(
                isinstance(k, (KerasTensor, numbers.Integral)) for k in feeds):
            return self._run_keras_graph(fetches, leaves, feeds)
        if any(isinstance(x, str) for x in leaves) and not self._holds_own_graph():
            self.graph      # (names: of the graph as it is now)
        built = self.__dict__.get('_keras_graph_built')
        if built is not None and built.holds(leaves):
            # names and tensors of the graph `graph` gave (a frozen-graph recipe's run)
            built.sync()
            try:
                return built.session.run(fetches, feed_dict=feed_dict, options=options,
                                         run_metadata=run_metadata)
            finally:
                if any(isinstance(x, tf.Operation) or
                       (isinstance(x, str) and ':' not in x) for x in leaves):
                    built.forget_values()
        return super(_KerasRun, self).run(fetches, feed_dict=feed_dict, options=options,
                                          run_metadata=run_metadata)

    def _holds_own_graph(self):
        # a session installed on a graph that held ops (`tf.compat.v1.Session(graph=g)`,
        # then `K.set_session`): that graph is the user's
        return self.__dict__.get('_keras_users_graph', False)

    @property
    def graph(self):
        """The TensorFlow 1 graph of the Keras models made since the last
        `K.clear_session` (`_KerasGraph`), built when first asked for and again when models
        were made or changed; runs of its tensors and ops go to a session over it. (A
        session made on a graph holding ops gives that graph.)"""
        if self._holds_own_graph():
            return self._graph
        networks = registry.lookup('live_graph_networks')()
        built = self.__dict__.get('_keras_graph_built')
        if built is None or built.signature != _graph_signature(networks):
            built = self.__dict__['_keras_graph_built'] = _KerasGraph(networks)
        return built.graph

    @property
    def graph_def(self):
        """`graph.as_graph_def()`."""
        return self.graph.as_graph_def()

    def _run_keras_graph(self, fetches, leaves, feeds):
        """`fetches` with tensors of a Keras graph, fed `feeds` (see the class)."""
        keys = list(feeds)
        graph = [x for x in leaves if not _has_value(x)]
        functions = self.__dict__.setdefault('_keras_functions', {})
        signature = (tuple(id(k) for k in keys), tuple(id(x) for x in graph))
        if signature not in functions:
            # (the keys and fetches are kept with it: their ids name it)
            functions[signature] = (registry.lookup('function')(keys, graph), keys, graph)
        computed = iter(functions[signature][0]([feeds[k] for k in keys]))
        return tf.nest.pack_sequence_as(
            fetches, [x.numpy() if _has_value(x) else next(computed) for x in leaves])


class _KerasGraph(object):
    """The TensorFlow 1 graph a session's `graph` gives: the inference graph (learning
    phase 0) of each Keras model alive since the last `K.clear_session`, as Keras 2.2.4's
    session graph held them, and a session over it holding their weights.

    Each model's inputs are placeholders named as its input layers (`input_1`), its
    weights resource variables named as they are (`dense_1/kernel`), shared between the
    models sharing them, and each output is computed by an op named as the output's `op`
    names it (`model.outputs[0].op.name`: `dense_2/Softmax`), so the recipes that freeze a
    Keras 2 model into a GraphDef for serving (`convert_variables_to_constants(sess,
    sess.graph.as_graph_def(), [out.op.name for out in model.outputs])`) and the code that
    runs it (`sess.run('dense_2/Softmax:0', {'input_1:0': x})`) work. The model's ops are
    its inference function traced as a `tf.function` and inlined into the graph (primitive
    ops, under the name scope `<model name>/inference`). The variables are given the weights'
    current values before each run (`sync`).
    """

    def __init__(self, networks):
        self.signature = _graph_signature(networks)
        self.graph = tf.Graph()
        self._variables = {}      # id(Keras variable) -> (it, graph variable, its feed, assign)
        self._given = {}          # id(Keras variable) -> the value its graph variable got
        self._placeholders = {}
        with self.graph.as_default():
            for net in networks:
                try:
                    self._add(net)
                except Exception as error:  # noqa: BLE001  (one model must not hide the rest)
                    warnings.warn('K.get_session().graph: the inference graph of model %s '
                                  'could not be built in a TensorFlow 1 graph (%s: %s); the '
                                  'graph leaves it out' % (net.name, type(error).__name__,
                                                           error))
        self.session = tf.compat.v1.Session(graph=self.graph)

    def _variable(self, v):
        entry = self._variables.get(id(v))
        if entry is None:
            name = str(v.name).split(':')[0]
            shape = tuple(v.shape)
            variable = tf.compat.v1.Variable(tf.zeros(shape, v.dtype), name=name,
                                             trainable=bool(getattr(v, 'trainable', True)))
            with tf.name_scope(variable.op.name + '/'):
                feed = tf.compat.v1.placeholder(v.dtype, shape, name='value')
                assign = variable.assign(feed, read_value=False)
            entry = self._variables[id(v)] = (v, variable, feed, assign)
        return entry[1]

    def _placeholder(self, name, tensor):
        found = self._placeholders.get(name)
        if found is None or found.dtype != tf.as_dtype(tensor.dtype) or \
                found.shape.as_list() != list(tensor.shape):
            found = self._placeholders[name] = tf.compat.v1.placeholder(
                tensor.dtype, tensor.shape, name=name)
        return found

    def _add(self, net):
        variables, infer = net._inference_function()
        reads = [self._variable(v).read_value() for v in variables]
        xs = [self._placeholder(name, t) for name, t in zip(net.input_names, net.inputs)]
        key = tf.random.uniform([2], 0, 2 ** 32, dtype=tf.int64)

        def traced(values, inputs, raw_key):
            return infer(list(values), list(inputs), raw_key)
        fn = tf.function(traced, autograph=False).get_concrete_function(
            [tf.TensorSpec(r.shape, r.dtype) for r in reads],
            [tf.TensorSpec(x.shape, x.dtype) for x in xs], tf.TensorSpec([2], tf.int64))
        given = reads + xs + [key]
        captured = list(fn.captured_inputs)
        fed = given + [tf.constant(c.numpy()) for c in captured]
        inputs = fn.inputs
        if len(inputs) != len(fed):
            raise ValueError('the traced function takes %d inputs, %d given'
                             % (len(inputs), len(fed)))
        outputs = tf.graph_util.import_graph_def(
            fn.graph.as_graph_def(), input_map={t.name: f for t, f in zip(inputs, fed)},
            return_elements=[t.name for t in fn.outputs], name=net.name + '/inference')
        for kt, out in zip(net.outputs, outputs):
            try:
                name = kt.op.name
            except AttributeError:
                continue
            try:
                self.graph.get_operation_by_name(name)   # (an earlier model's output)
            except KeyError:
                tf.identity(out, name=name)

    def sync(self):
        """Give the graph's variables the weights' current values (those that changed)."""
        feeds, assigns = {}, []
        for key, (v, _, feed, assign) in self._variables.items():
            value = v.value
            if self._given.get(key) is not value:
                feeds[feed] = np.asarray(value)
                assigns.append(assign)
                self._given[key] = value
        if assigns:
            self.session.run(assigns, feed_dict=feeds)

    def forget_values(self):
        """After a run of ops (an initializer), the variables' values are unknown."""
        self._given.clear()

    def holds(self, leaves):
        """Whether the fetches `leaves` are all names or elements of this graph."""
        for x in leaves:
            if isinstance(x, str):
                try:
                    self.graph.as_graph_element(x)
                except (KeyError, ValueError, TypeError):
                    return False
            elif getattr(x, 'graph', None) is not self.graph:
                return False
        return bool(leaves)


def _graph_signature(networks):
    return tuple((id(n), tuple(id(t) for t in n.inputs), tuple(id(t) for t in n.outputs),
                  len(n.weights)) for n in networks)


class _Session(_KerasRun, tf.compat.v1.Session):
    """A `tf.compat.v1.Session` with `_KerasRun`'s `run`."""


class _InteractiveSession(_KerasRun, tf.compat.v1.InteractiveSession):
    """A `tf.compat.v1.InteractiveSession` with `_KerasRun`'s `run`."""


_WITH_KERAS_RUN = {tf.compat.v1.Session: _Session,
                   tf.compat.v1.InteractiveSession: _InteractiveSession}


def _get_available_gpus():
    """Names of the GPUs ('/gpu:0', ...) TensorFlow sees, as Keras 2.2 lists them."""
    return ['/gpu:%d' % i for i, _ in enumerate(tf.config.list_logical_devices('GPU'))]


def get_session():
    """The session installed with `set_session`, else a new `tf.compat.v1.Session`.

    Keras does not run through it: variables hold eager values (see K.get_value/K.set_value).
    Its `run` reads Keras variables and eager tensors (`K.get_session().run([v1, v2])`).

    # Returns
        A `tf.compat.v1.Session`.
    """
    if _SESSION[0] is None:
        _SESSION[0] = _Session()
    return _SESSION[0]


def _forget_keras_graph():
    """Drop the graph of the Keras models the session's `graph` built (`K.clear_session`):
    it holds the models' weights, and the models made next start a new one."""
    if _SESSION[0] is not None:
        _SESSION[0].__dict__.pop('_keras_graph_built', None)


def set_session(session):
    """Install `session`, which `get_session` then returns.

    A plain `tf.compat.v1.Session` or `InteractiveSession` gets `_KerasRun`'s `run`, which
    reads variables and eager tensors and runs tensors of Keras graphs. Its `graph` is the
    graph of the Keras models (see `_KerasGraph`), unless the session was made on a graph
    that already holds ops: then it is that graph.

    GPU memory growth asked for in its config (`gpu_options.allow_growth`) is applied to
    TensorFlow 2's GPUs when they are not initialized yet.

    # Arguments
        session: a `tf.compat.v1.Session`.
    """
    if type(session) in _WITH_KERAS_RUN:
        # Keras 2 scripts install `tf.Session(config=...)` and then read variables with
        # `K.get_session().run(...)`: the session they made gets `_KerasRun`'s `run`
        session.__class__ = _WITH_KERAS_RUN[type(session)]
    if isinstance(session, _KerasRun):
        session._keras_users_graph = session._graph.version > 0
    config = getattr(session, '_config', None)
    if config is not None and config.gpu_options.allow_growth:
        for gpu in tf.config.list_physical_devices('GPU'):
            try:
                tf.config.experimental.set_memory_growth(gpu, True)
            except RuntimeError:
                pass
    _SESSION[0] = session
