"""Keras 2.2.4's TensorFlow-session helpers (`keras.backend.tensorflow_backend`) on
TensorFlow 2. TensorFlow 2 runs eagerly and has no default session: `get_session` returns a
`tf.compat.v1.Session` (for code that only passes it around or configures it), `set_session`
accepts one (its config's GPU options are applied where TensorFlow 2 allows), and `tf` is
TensorFlow itself, as scripts reach it through `K.tf`."""
import numbers

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
        return super(_KerasRun, self).run(fetches, feed_dict=feed_dict, options=options,
                                          run_metadata=run_metadata)

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


def set_session(session):
    """Install `session`, which `get_session` then returns.

    A plain `tf.compat.v1.Session` or `InteractiveSession` gets `_KerasRun`'s `run`, which
    reads variables and eager tensors and runs tensors of Keras graphs.

    GPU memory growth asked for in its config (`gpu_options.allow_growth`) is applied to
    TensorFlow 2's GPUs when they are not initialized yet.

    # Arguments
        session: a `tf.compat.v1.Session`.
    """
    if type(session) in _WITH_KERAS_RUN:
        # Keras 2 scripts install `tf.Session(config=...)` and then read variables with
        # `K.get_session().run(...)`: the session they made gets `_KerasRun`'s `run`
        session.__class__ = _WITH_KERAS_RUN[type(session)]
    config = getattr(session, '_config', None)
    if config is not None and config.gpu_options.allow_growth:
        for gpu in tf.config.list_physical_devices('GPU'):
            try:
                tf.config.experimental.set_memory_growth(gpu, True)
            except RuntimeError:
                pass
    _SESSION[0] = session
