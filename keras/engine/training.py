"""Model: a Network with compile / fit / evaluate / predict.

Training runs as compiled pure functions of the variable values: one
`step(state, consts, batch, key)` per kind (train: forward, losses, gradients,
optimizer update; test; predict) is compiled to run one batch per dispatch or scanned
over several (`dispatch.py` decides which, per model); the variables remain the source
of truth between dispatches, so callbacks, `set_weights` and `K.set_value` on
hyperparameters always act on the next batch without recompiling.
"""
import contextlib
import functools
import numbers
import random
import types
import warnings

import numpy as np

from .. import backend as K
from ..legacy import interfaces
from ..backend import execution as X
from .. import losses as losses_module
from .. import metrics as metrics_module
from .. import optimizers
from .. import callbacks as cbks
from ..utils.generic_utils import check_int, to_list, traced_attributes_restored
from .network import Network, GraphFunctionNetwork
from .base_layer import Layer, _CallEffect
from ..backend import foreign_ops, shape_inference
from ..backend.scopes import (record_unscoped_reads, take_unscoped_reads, VariableExpression,
                              expand_updates, is_update_pair, _values_of)
from ..backend.keras_tensor import KerasTensor
from . import training_arrays
from .training_utils import (  # noqa: F401  (Keras 2.2.4 also had these here)
    standardize_input_data, check_array_lengths, standardize_class_weights,
    standardize_sample_weights, standardize_weights, unpack_validation_data,
    collect_metrics, weighted_masked_objective, check_array_length_consistency)
from ..utils.generic_utils import slice_arrays, unpack_singleton  # noqa: F401
from .training_utils import (_as_dtype, _weighted_masked_mean, UnitWeights,
                             check_loss_and_target_compatibility, _is_generator,
                             _check_batch_size, batch_shuffle, make_batches, dense_rows,
                             _is_scipy_sparse)
from . import dispatch


# Data moved to the device for `fit`, `evaluate` and `predict` gets its rows padded up to
# the next multiple of 2 ** (floor(log2(rows)) - BUCKET_BITS) (at most 1 / 2 ** BUCKET_BITS
# more rows, 12.5%): the compiled steps gather their batches from the whole array, so its
# row count is part of every compiled program, and calls on data of nearby lengths (1,000
# then 1,001 samples) reuse them instead of compiling again. The loops index real rows only.
# Arrays over PAD_MAX_BYTES are moved as they are: padding copies them on the host first,
# and for data that large the copy's memory matters more than a compilation.
BUCKET_BITS = 3
PAD_MAX_BYTES = 1 << 30


def bucket_rows(n):
    """The padded row count of an array of `n` rows (see `BUCKET_BITS`)."""
    if n <= 2 ** BUCKET_BITS:
        return n
    step = 2 ** (int(n).bit_length() - 1 - BUCKET_BITS)
    return -(-n // step) * step


def _padded_to_bucket(a):
    """A host array `a` with zero rows appended up to `bucket_rows(len(a))` (numeric data
    up to `PAD_MAX_BYTES` only; anything else is returned as it is)."""
    if not isinstance(a, np.ndarray) or a.ndim == 0 or a.dtype.kind not in 'biufc' or \
            a.nbytes > PAD_MAX_BYTES:
        return a
    rows = bucket_rows(a.shape[0])
    if rows == a.shape[0]:
        return a
    out = _aligned_empty((rows,) + a.shape[1:], a.dtype)
    out[:a.shape[0]] = a
    out[a.shape[0]:] = 0
    return out


def _all_ones(a):
    """Whether `a` is a host array of weights that are all one (a single batch given as a
    device array is kept as it is)."""
    return isinstance(a, np.ndarray) and a.size > 0 and bool(np.all(a == 1))


def _aligned_empty(shape, dtype, alignment=64):
    """An uninitialised array whose data start on an `alignment`-byte boundary: JAX's CPU
    client then uses the buffer in place instead of copying it (the padded copy replaces
    the transfer rather than adding to it)."""
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    raw = np.empty(nbytes + alignment, np.uint8)
    start = (-raw.ctypes.data) % alignment
    return raw[start:start + nbytes].view(dtype).reshape(shape)


def _holds_variables(*data):
    """Whether the data (arrays, lists or dicts of them) include variables: Keras 2.2.4 took
    them for data tensors, which `fit`/`evaluate`/`predict` run by steps, whole at each step."""
    for d in data:
        items = d.values() if isinstance(d, dict) else d if isinstance(d, (list, tuple)) else [d]
        if any(isinstance(a, K.Variable) for a in items):
            return True
    return False


def _producer(tensor):
    history = getattr(tensor, '_keras_history', None)
    return history[0] if history else None


def _new_values(scope, variables, values):
    """The values of `variables` after the assignments recorded in `scope`."""
    return [scope.updates.get(v, val) for v, val in zip(variables, values)]


def _padded_keys(keys, rows):
    """The (n, ...) raw keys `keys` followed by zero keys up to `rows` (the batches of a
    counted loop dispatch past its count never run, so their keys are never used)."""
    padded = np.zeros((rows,) + keys.shape[1:], keys.dtype)
    padded[:len(keys)] = keys
    return padded


def _batch_sharded_step(step, sharding):
    """Wrap a step so its batch stays split along axis 0 over the mesh."""
    def sharded_step(state, consts, batch, key):
        return step(state, consts, sharding.constrain_batch(batch), key)
    return sharded_step



def _step_phase(default):
    """The learning phase a step runs in: the one fixed with `K.set_learning_phase` (or
    an enclosing `learning_phase_scope`) if any, as in Keras 2.2.4, else `default`
    (1 for training steps, 0 for test and predict steps)."""
    return default if K.state.learning_phase_is_default() else K.learning_phase()


# Keras 2.2.4's optimizer error when the loss has no gradient (raised by backends that can
# tell, i.e. TensorFlow, when no trainable weight gets one)
_NO_GRADIENT = ('An operation has `None` for gradient. Please make sure that all of your ops '
                'have a gradient defined (i.e. are differentiable). Common ops without '
                'gradient: K.argmax, K.round, K.eval.')


def _training_attribute(name, index=None, doc=None, of=None):
    """A Keras 2.2.4 training attribute of a compiled model, made when first read
    (`Model._training_tensors`, entry `index`), or, with `of`, that list's entries that are
    not None; as 2.2.4's plain attributes, code may set it (keras-adversarial)."""
    def get(self):
        overrides = getattr(self, '_training_overrides', None) or {}
        if name in overrides:
            return overrides[name]
        if of is not None:
            return [t for t in getattr(self, of) if t is not None]
        return self._training_tensors()[index]

    def set(self, value):
        if getattr(self, '_training_overrides', None) is None:
            self._training_overrides = {}
        self._training_overrides[name] = value
    return property(get, set, doc=doc)


class Model(Network):
    """A graph of layers with training and inference routines (Keras 2.2 `Model`).

    # Arguments
        inputs: the input tensor or list of input tensors (from `Input()`).
        outputs: the output tensor or list of output tensors, computed from `inputs` by layers.
        name: optional name of the model.

    # Example
    ```python
    import numpy as np
    from keras.layers import Input, Dense, concatenate
    from keras.models import Model

    a = Input(shape=(8,), name='a')
    b = Input(shape=(4,), name='b')
    x = concatenate([Dense(16, activation='relu')(a), b])
    out = Dense(1, activation='sigmoid', name='out')(x)
    model = Model(inputs=[a, b], outputs=out)
    model.compile('adam', 'binary_crossentropy', metrics=['acc'])
    model.fit({'a': np.random.random((32, 8)), 'b': np.random.random((32, 4))},
              np.random.randint(2, size=(32, 1)), epochs=1, verbose=0)
    ```
    """

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer, loss=None, metrics=None, loss_weights=None,
                sample_weight_mode=None, weighted_metrics=None, target_tensors=None, **kwargs):
        """Configure the model for training.

        # Arguments
            optimizer: name of an optimizer (e.g. `'adam'`) or an `Optimizer` instance.
            loss: name of a loss function, a function `f(y_true, y_pred)`, or a list or dict
                (output name -> loss) with one loss per output. None compiles a model trained
                only on the losses it added with `add_loss`.
            metrics: list of metrics for every output (`'acc'`/`'accuracy'` pick the accuracy
                that fits the loss), or a dict output name -> metrics.
            loss_weights: list or dict of scalars weighting the losses of the outputs
                (numbers, or scalar variables that every step reads: an annealed weight).
            sample_weight_mode: None (one weight per sample) or `'temporal'` (one per time
                step, for 3D outputs), or a list/dict of those per output.
            weighted_metrics: metrics computed with `sample_weight`/`class_weight`.
            target_tensors: a tensor, a list or a dict (output name -> tensor) of the
                targets of the outputs: a variable (`K.variable`) is the target itself
                (pass None as that output's data), a placeholder is fed the data passed.

        # Raises
            ValueError: for unknown losses, metrics or output names, or mismatched lists.
        """
        for k in kwargs:
            raise TypeError('compile: keyword argument not understood: %r' % (k,))
        if not self._is_graph_network and not self.outputs:
            # a subclassed model (Keras 2.2.4): its inputs and outputs are known once data
            # first reaches it, and the compilation is finished then
            self.optimizer = optimizers.get(optimizer)
            self.loss, self.metrics, self.loss_weights = loss, metrics or [], loss_weights
            self.sample_weight_mode, self.weighted_metrics = sample_weight_mode, weighted_metrics
            self._pending_compile = dict(
                loss=loss, metrics=metrics, loss_weights=loss_weights,
                sample_weight_mode=sample_weight_mode, weighted_metrics=weighted_metrics,
                target_tensors=target_tensors)
            return
        fixed_targets = self._parse_target_tensors(target_tensors)
        self.optimizer = optimizers.get(optimizer)
        # (Keras 2.2.4 passed compile's other keyword arguments to K.function; code that
        # builds its own training function reads them)
        self._function_kwargs = {}
        self.loss = loss
        self.loss_weights = loss_weights
        self.sample_weight_mode = sample_weight_mode
        self.metrics = metrics or []
        self.weighted_metrics = weighted_metrics
        names = self.output_names
        n = len(names)

        # losses per output
        if isinstance(loss, dict):
            for name in loss:
                if name not in names:
                    raise ValueError('Unknown entry in loss dictionary: "' + name + '". Only '
                                     'expected the following keys: ' + str(names))
            loss_functions = []
            for name in names:
                if name not in loss:
                    warnings.warn('Output "' + name + '" missing from loss dictionary. We assume '
                                  'this was done on purpose, and we will not be expecting any data '
                                  'to be passed to "' + name + '" during training.', stacklevel=2)
                loss_functions.append(losses_module.get(loss[name]) if loss.get(name) is not None else None)
        elif isinstance(loss, (list, tuple)):
            if len(loss) != n:
                raise ValueError('When passing a list as loss, it should have one entry per model '
                                 'outputs. The model has ' + str(n) + ' outputs, but you passed '
                                 'loss=' + str(loss))
            loss_functions = [losses_module.get(l) for l in loss]
        elif loss is None:
            # Keras 2.2: every output without a loss (e.g. a model trained on add_loss terms)
            for name in names:
                warnings.warn('Output "' + name + '" missing from loss dictionary. We assume '
                              'this was done on purpose, and we will not be expecting any data '
                              'to be passed to "' + name + '" during training.', stacklevel=2)
            loss_functions = [None] * n
        else:
            fn = losses_module.get(loss)
            loss_functions = [fn for _ in range(n)]
        if all(fn is None for fn in loss_functions) and not self._has_added_losses():
            raise ValueError('The model cannot be compiled because it has no loss to optimize '
                             '(compile got loss=%r and the model has no add_loss terms).'
                             % (loss,))
        self.loss_functions = loss_functions

        # loss weights
        if loss_weights is None:
            weights = [1.] * n
        elif isinstance(loss_weights, dict):
            for name in loss_weights:
                if name not in names:
                    raise ValueError('Unknown entry in loss_weights dictionary: "' + name + '". '
                                     'Only expected the following keys: ' + str(names))
            weights = [loss_weights.get(name, 1.) for name in names]
        elif isinstance(loss_weights, list):  # (Keras 2.2.4 refuses a tuple)
            if len(loss_weights) != n:
                raise ValueError('When passing a list as loss_weights, it should have one entry per '
                                 'model output. The model has ' + str(n) + ' outputs, but you '
                                 'passed loss_weights=' + str(loss_weights))
            weights = list(loss_weights)
        else:
            raise TypeError('loss_weights: expected a list or a dict, got %r' % (loss_weights,))
        self._loss_weights_list = [_loss_weight(w) for w in weights]

        # sample weight modes
        if isinstance(sample_weight_mode, dict):
            for name in sample_weight_mode:
                if name not in names:
                    raise ValueError('Unknown entry in sample_weight_mode dictionary: "' + name +
                                     '". Only expected the following keys: ' + str(names))
            for name in names:
                if name not in sample_weight_mode:  # (Keras 2.2.4: every output is named)
                    raise ValueError('Output "' + name + '" missing from sample_weight_modes '
                                     'dictionary')
            modes = [sample_weight_mode[name] for name in names]
        elif isinstance(sample_weight_mode, (list, tuple)):
            if len(sample_weight_mode) != n:
                raise ValueError('sample_weight_mode: expected %d entries (one per output), got %d'
                                 % (n, len(sample_weight_mode)))
            modes = list(sample_weight_mode)
        else:
            modes = [sample_weight_mode] * n
        for m in modes:
            if m not in (None, 'temporal'):
                raise ValueError('sample_weight_mode: expected None or "temporal", got %r' % (m,))
        self.sample_weight_modes = modes

        self._is_compiled = True
        self._finish_compile()
        self._compiled_trainable = None
        self._reset_compiled_functions()
        if self.built:
            self._collect_variables()

    def _has_added_losses(self):
        layers = [self] + self._flat_layers() if self.outputs else [self]
        return any(getattr(layer, '_losses', None) or getattr(layer, '_regularized', None)
                   or getattr(layer, 'activity_regularizer', None) is not None
                   or any(r['n_losses'] for r in getattr(layer, '_call_records', []))
                   for layer in layers)

    def _finish_compile(self):
        """Per-output metric specs and log names (needs the outputs: deferred until built)."""
        if not self.outputs:
            return
        names = self.output_names
        n = len(names)
        self._metric_specs = self._prepare_metrics(self.metrics, self.weighted_metrics)
        self.metrics_names = ['loss']
        if n > 1:
            self.metrics_names += [names[i] + '_loss' for i in range(n)
                                   if self.loss_functions[i] is not None]
        # a metric's name already taken (outputs of one shared layer, a metric given twice)
        # gets `_1`, `_2`, ... as Keras 2.2.4 deduplicated it; loss names are kept
        deduplicated = []
        for specs in self._metric_specs:
            renamed = []
            for name, fn, weights in specs:
                base, j = name, 1
                while name in self.metrics_names:
                    name = '%s_%d' % (base, j)
                    j += 1
                self.metrics_names.append(name)
                renamed.append((name, fn, weights))
            deduplicated.append(renamed)
        self._metric_specs = deduplicated
        # Keras 2.2.4 code adds metrics by appending a tensor of the model's graph to
        # `metrics_tensors` and its name to `metrics_names` (`_added_metric_tensors`); the
        # tensors of the compiled losses and metrics come first, made when first read
        self._metrics_tensors = None
        self._compiled_metrics_count = len(self.metrics_names)
        # Keras 2.2.4's stateful metrics: layers with `stateful = True` whose variables
        # accumulate over the batches of an epoch (or of an evaluation); their logs are
        # the last batch's values, not averages
        self.stateful_metric_functions = []
        self.stateful_metric_names = []
        # updates the train and test steps run besides the layers' (Keras 2.2.4 kept its
        # stateful metrics' there; code appends its own: an average of the weights)
        self.metrics_updates = []
        offset = len(self.metrics_names) - sum(len(specs) for specs in self._metric_specs)
        for name, fn, _ in [spec for specs in self._metric_specs for spec in specs]:
            if isinstance(fn, Layer) and getattr(fn, 'stateful', False):
                self.stateful_metric_functions.append(fn)
                self.stateful_metric_names.append(name)
        self._stateful_metric_indices = [
            offset + k for k, (_, fn, _) in
            enumerate(spec for specs in self._metric_specs for spec in specs)
            if any(fn is m for m in self.stateful_metric_functions)]
        self._feed_output_names = [names[i] for i in range(n) if self.loss_functions[i] is not None]
        # per fed output: the variable given as its target in `target_tensors`, or None
        self._fixed_targets = [self._target_variables[i] for i in range(n)
                               if self.loss_functions[i] is not None]
        self._feed_output_shapes = [self.outputs[i]._keras_shape for i in range(n)
                                    if self.loss_functions[i] is not None]
        # made by `_make_*_function`, as in Keras 2.2.4; `total_loss`, `targets` and
        # `sample_weights` are made when first read (`_training_tensors`)
        self.train_function = self.test_function = self.predict_function = None
        self._symbolic_training = None
        self._training_overrides = None

    # ------------------------------------------------------------------ Keras 2.2.4's
    # symbolic training tensors, for code that builds its own functions from them:
    # `K.function(model._feed_inputs + model._feed_targets + model._feed_sample_weights,
    # model.optimizer.get_gradients(model.total_loss, model.trainable_weights))`
    def _training_tensors(self):
        if not self._is_compiled or not self.outputs:
            raise AttributeError('%r has no total_loss, targets or sample_weights until it '
                                 'is compiled (and, for a subclassed model, built)' % (self.name,))
        if getattr(self, '_symbolic_training', None) is None:
            targets, sample_weights = [], []
            for i, (output, loss_fn) in enumerate(zip(self.outputs, self.loss_functions)):
                if loss_fn is None:
                    targets.append(None)
                    sample_weights.append(None)
                    continue
                name = self.output_names[i]
                # the output's shape; for a sparse categorical loss, a class index per row
                shape = tuple(output._keras_shape)
                if loss_fn is losses_module.sparse_categorical_crossentropy:
                    shape = shape[:-1] + (1,)
                targets.append(K.placeholder(shape=(None,) + shape[1:], dtype=output.dtype,
                                             name=name + '_target'))
                temporal = self.sample_weight_modes[i] == 'temporal'
                sample_weights.append(K.placeholder(ndim=2 if temporal else 1,
                                                    name=name + '_sample_weights'))
            fed = [t for t in targets if t is not None]
            weights = [w for w in sample_weights if w is not None]
            extra = self._symbolic_losses()
            inputs = list(self.outputs) + fed + weights + extra
            layer = _TotalLoss(self, len(fed), len(extra))
            total = layer(inputs)
            self._symbolic_training = (total, targets, sample_weights, inputs,
                                       (len(fed), len(extra)))
        return self._symbolic_training

    @property
    def metrics_tensors(self):
        """The tensors of `metrics_names[1:]` (Keras 2.2.4): the outputs' losses (for several
        outputs) and the metrics, as tensors of the graph on `targets` and `sample_weights`;
        code may append a tensor (and its name to `metrics_names`) to log it as a metric."""
        if getattr(self, '_metrics_tensors', None) is None:
            n_compiled = getattr(self, '_compiled_metrics_count', 1) - 1
            tensors = []
            if n_compiled:
                _, _, _, inputs, sizes = self._training_tensors()
                layer = _TotalLoss(self, *sizes, logs=True)
                tensors = to_list(layer(inputs), allow_tuple=True)
            self._metrics_tensors = tensors
        return self._metrics_tensors

    @metrics_tensors.setter
    def metrics_tensors(self, value):
        self._metrics_tensors = value

    total_loss = _training_attribute(
        'total_loss', 0, 'The loss `fit` minimizes, as a tensor of the graph (Keras 2.2.4): the '
        'weighted losses of the outputs on `targets` and `sample_weights`, plus the '
        'regularization and added losses.')
    targets = _training_attribute(
        'targets', 1, 'The target placeholders, one per output (None for one without a loss).')
    sample_weights = _training_attribute(
        'sample_weights', 2, 'The sample weight placeholders, one per output (None for one '
        'without a loss).')
    _feed_targets = _training_attribute('_feed_targets', of='targets')
    _feed_sample_weights = _training_attribute('_feed_sample_weights', of='sample_weights')

    def _parse_target_tensors(self, target_tensors):
        """Keras 2.2.4's `target_tensors` checks; records per output the variable that is
        its target (None: the target comes with the data, e.g. for a placeholder)."""
        names = self.output_names
        if target_tensors is None:
            targets = [None] * len(names)
        elif isinstance(target_tensors, list):
            if len(target_tensors) != len(names):
                raise ValueError('When passing a list as `target_tensors`, it should have one '
                                 'entry per model output. The model has %d outputs, but you '
                                 'passed target_tensors=%s' % (len(names), target_tensors))
            targets = list(target_tensors)
        elif isinstance(target_tensors, dict):
            for name in target_tensors:
                if name not in names:
                    raise ValueError('Unknown entry in `target_tensors` dictionary: "%s". Only '
                                     'expected the following keys: %s' % (name, names))
            targets = [target_tensors.get(name) for name in names]
        elif isinstance(target_tensors, (K.Variable, KerasTensor)):
            if len(names) != 1:
                raise ValueError('The model has %d outputs, but you passed a single tensor as '
                                 '`target_tensors`. Expected a list or a dict of tensors.'
                                 % len(names))
            targets = [target_tensors]
        else:
            raise TypeError('Expected `target_tensors` to be a tensor, a list of tensors, or '
                            'dict of tensors, but got: %r' % (target_tensors,))
        for name, t in zip(names, targets):
            if t is not None and not isinstance(t, (K.Variable, KerasTensor)):
                raise TypeError('target_tensors: the target of output %r must be a variable '
                                '(K.variable) or a placeholder, got %s' % (name, type(t).__name__))
        self._target_variables = [t if isinstance(t, K.Variable) else None for t in targets]
        return self._target_variables

    def _prepare_metrics(self, metrics, weighted_metrics):
        names = self.output_names
        n = len(names)

        def per_output(m):
            if m is None or m == []:
                return [[] for _ in range(n)]
            if isinstance(m, dict):
                for name in m:
                    if name not in names:
                        raise ValueError('Unknown entry in metrics dictionary: "' + name + '". Only '
                                         'expected the following keys: ' + str(names))
                return [to_list(m.get(name, [])) for name in names]
            if isinstance(m, (list, tuple)):
                return [list(m) for _ in range(n)]
            raise TypeError('metrics: expected a list or a dict of metrics, got %r' % (m,))

        plain = per_output(metrics)
        weighted = per_output(weighted_metrics)
        specs = []
        for i in range(n):
            out = []
            loss_fn = self.loss_functions[i]
            if loss_fn is None:
                specs.append(out)
                continue
            for metric_list, is_weighted in ((plain[i], False), (weighted[i], True)):
                for metric in metric_list:
                    fn, suffix = self._resolve_metric(metric, i)
                    name = ('weighted_' if is_weighted else '') + suffix
                    if n > 1:
                        name = names[i] + '_' + name
                    out.append((name, fn, is_weighted))
            specs.append(out)
        return specs

    def _resolve_metric(self, metric, i):
        loss_fn = self.loss_functions[i]
        shape = self.outputs[i].shape
        if metric in ('accuracy', 'acc', 'crossentropy', 'ce'):
            is_acc = metric in ('accuracy', 'acc')
            if shape[-1] == 1 or loss_fn is losses_module.binary_crossentropy:
                fn = metrics_module.binary_accuracy if is_acc else metrics_module.binary_crossentropy
            elif loss_fn is losses_module.sparse_categorical_crossentropy:
                fn = metrics_module.sparse_categorical_accuracy if is_acc \
                    else metrics_module.sparse_categorical_crossentropy
            else:
                fn = metrics_module.categorical_accuracy if is_acc \
                    else metrics_module.categorical_crossentropy
            return fn, 'acc' if is_acc else 'ce'
        fn = metrics_module.get(metric)
        name = getattr(fn, 'name', None) or getattr(fn, '__name__', None) or fn.__class__.__name__
        return fn, name

    def _reset_compiled_functions(self):
        self._compiled_cache = {}
        self._graph_losses = {}
        self._loss_host_rng = {}
        self._loss_variables = {}

    def _uses_dynamic_learning_phase(self):
        """Whether the learning phase is an input of the model's functions (Keras 2.2.4:
        a model using it, with no phase fixed by `K.set_learning_phase`); code copying
        2.2.4's `_make_train_function` asks."""
        return bool(self.uses_learning_phase) and K.state.learning_phase_is_default()

    # ------------------------------------------------------------------ variables
    def _collect_variables(self):
        """Choose which variables are differentiated (Keras 2.2: decided at compile time)."""
        trainable = list(self.trainable_weights)
        # the layers' other variables, the metrics' state, the targets of symbolic updates:
        # each variable once
        seen = set(id(v) for v in trainable)
        others = []
        for v in (self._all_layer_variables() + self._metric_state_variables() +
                  [v for v, _ in self._symbolic_updates()] + self._outside_variables()):
            if id(v) not in seen:
                seen.add(id(v))
                others.append(v)
        self._trainable_vars = trainable
        self._collected_trainable_weights = trainable   # (Keras 2.2.4's name for them)
        self._other_vars = others
        # (which of them a train step keeps: decided when the train step is first made,
        # `_frozen_flags`)
        self._other_frozen = None
        # what a test step writes back (Keras 2.2.4's test function runs the state updates
        # of stateful layers and the metrics' updates, not e.g. moving averages)
        carried = self._stateful_variable_ids()
        carried.update(id(v) for v in self._metric_state_variables())
        self._test_carried = [id(v) in carried for v in others]
        # (the optimizer's state is built when the model first trains, as Keras 2.2.4 ran
        # `get_updates` then, not at compile: what the code sets on `model.optimizer` in
        # between is what trains (`model.optimizer.lr = 0.001`, another optimizer), and a
        # state made from the weights' values (keras-lookahead's slow weights) takes the
        # values loaded after compile)
        self._opt_vars = None
        self._compiled_trainable = True

    def _optimizer_variables(self):
        """The optimizer's variables for this model's parameters (built when first asked,
        from the optimizer the model has then, which its train steps keep using)."""
        if self._opt_vars is None:
            self._step_optimizer = self.optimizer
            self.optimizer.build(self._trainable_vars)
            self._opt_vars = list(self.optimizer.variables())
            # (its attributes holding variables then: the steps read those, see
            # `_attributes_as`)
            self._step_hypers = {name: value for name, value in vars(self.optimizer).items()
                                 if isinstance(value, K.Variable)}
        return self._opt_vars

    def _outside_variables(self):
        """Variables the steps read that no layer, metric or update of the model holds (a
        loss weight in a `K.variable` that a callback changes, the variables of an
        expression computed outside the steps): found when a step is traced
        (`_take_outside_variables`), then inputs of the steps."""
        return list(getattr(self, '_outside_vars', ()))

    def _optimizer_reads(self):
        """The optimizer's variables that a loss, a metric or a layer reads (found when a
        step is traced: `optimizer.lr` shown as a metric, a warm-up term counting
        `optimizer.iterations`): the train step reads them among its optimizer state, the
        test and predict steps take them as inputs."""
        return list(getattr(self, '_opt_reads', ()))

    def _take_outside_variables(self):
        """Make the variables that traced steps read from outside their state
        (`record_unscoped_reads`) inputs of every step, which are traced again: the step
        just run kept their current values as constants, right for that run only (Keras
        2.2 read them in its graph at every run).

        # Returns
            Whether there were such variables not yet among the steps' inputs.
        """
        new = take_unscoped_reads(self._unscoped_reads, self._outside_variables(),
                                  self._optimizer_reads(),
                                  *[getattr(self, attr, None) for attr in (
                                      '_trainable_vars', '_other_vars', '_predict_vars')])
        if not new:
            return False
        # (the optimizer's variables stay its state in the train step, which writes them)
        owned = set(id(v) for v in (getattr(self, '_opt_vars', None) or []) +
                    list(_variables_of(getattr(self, 'optimizer', None))))
        self._opt_reads = self._optimizer_reads() + [v for v in new if id(v) in owned]
        new = [v for v in new if id(v) not in owned]
        self._outside_vars = self._outside_variables() + new
        if hasattr(self, '_other_vars'):
            self._other_vars = self._other_vars + new
            if self._other_frozen is not None:
                self._other_frozen = self._other_frozen + [False] * len(new)
            # (a test step writes them back: a loss assigning one, evaluated, assigns it
            # there too, as Keras 2.2.4's test function ran the loss's graph)
            self._test_carried = self._test_carried + [True] * len(new)
        self._predict_vars = None
        self._compiled_cache = {}
        return True

    def _stateful_variable_ids(self):
        """The ids of the variables that test and predict steps carry on: the hidden states
        of layers (stateful RNNs), and the variables the updates of layers with `stateful`
        set assign (Keras 2.2.4's `state_updates`, which its test and predict functions ran:
        keras-transformer-xl's Memory)."""
        ids = set(id(v) for layer in self._flat_layers()
                  for v in getattr(layer, '_state_variables', []))
        ids.update(id(u[0]) for u in expand_updates(self.state_updates) if is_update_pair(u))
        return ids

    def _metric_state_variables(self):
        """The variables of the stateful metrics (their weights and the variables they
        hold as attributes, as Keras 2.2 metrics create them with `K.variable`)."""
        out = []
        for fn in getattr(self, 'stateful_metric_functions', []):
            out.extend(fn.weights)
            out.extend(v for v in vars(fn).values() if isinstance(v, K.Variable))
        return list({id(v): v for v in out}.values())

    def _reset_stateful_metrics(self):
        for fn in getattr(self, 'stateful_metric_functions', []):
            fn.reset_states()

    def _frozen_state_ids(self):
        """Variables whose updates Keras 2.2.4 does not run in training: those of layers in a
        non-trainable (and not stateful) model or layer, whose `updates` are empty."""
        frozen = set()

        def visit(layer, frozen_above):
            is_frozen = frozen_above or (not layer.trainable and
                                         not getattr(layer, 'stateful', False))
            if is_frozen:
                frozen.update(id(v) for v in layer.weights)
                frozen.update(id(v) for v in getattr(layer, '_state_variables', []) or [])
            for sub in layer._sublayers_list():
                visit(sub, is_frozen)
        visit(self, False)
        return frozen

    def _frozen_flags(self):
        """For each of `_other_vars`, whether steps keep its old value (`_frozen_state_ids`),
        decided when first asked after `compile`: Keras 2.2.4 collected the updates when it
        made the train function, at the first `fit` (a layer frozen between `compile` and
        that `fit` ran none of its updates, though its weights still trained)."""
        if self._other_frozen is None:
            frozen = self._frozen_state_ids()
            self._other_frozen = [id(v) in frozen for v in self._other_vars]
        return self._other_frozen

    def _check_trainable_weights_consistency(self):
        """Keras 2.2.4: warn when `trainable` changed since `compile` (training goes on
        with the weights collected then)."""
        if self._is_compiled and self._compiled_trainable and \
                len(self.trainable_weights) != len(self._trainable_vars):
            warnings.warn(UserWarning(
                'Discrepancy between trainable weights and collected trainable weights, did '
                'you set `model.trainable` without calling `model.compile` after ?'))

    def _ensure_ready(self, training=False):
        if training:
            self._check_trainable_weights_consistency()
        if not self._is_compiled and getattr(self, '_pending_compile', None) is not None:
            raise RuntimeError('This subclassed model has not seen data yet, so its compilation '
                               'is not finished: call fit, train_on_batch, evaluate or predict '
                               'on arrays first (as in Keras 2.2.4, the generator methods '
                               'cannot be the first)')
        if not self._is_compiled:
            raise RuntimeError('You must compile your model before training/testing. Use '
                               '`model.compile(optimizer, loss)`.')
        if not self._compiled_trainable:
            self._collect_variables()

    def _read_state(self, with_optimizer=True):
        tv = [v.value for v in self._trainable_vars]
        ov = [v.value for v in self._other_vars]
        if not with_optimizer:
            return tv, ov
        optv = [v.value for v in self._optimizer_variables()]
        return tv, ov, optv

    def _write_state(self, tv, ov, optv=None):
        for v, val in zip(self._trainable_vars, tv):
            v.assign(val)
        for v, val in zip(self._other_vars, ov):
            v.assign(val)
        if optv is not None:
            for v, val in zip(self._optimizer_variables(), optv):
                v.assign(val)

    def _next_key(self, n=None):
        """A fresh raw PRNG key (with `n`: n keys, one per batch of a scanned dispatch)."""
        if getattr(self, '_key_stream', None) is None:
            self._key_stream = X.KeyStream(self._graph_seed())
        return self._key_stream.next(n)

    # ------------------------------------------------------------------ pure steps
    def _forward_pure(self, xs, training, with_losses=True):
        """(outputs, masks, added metric values) of the model. With `with_losses`, the
        symbolic losses given to `add_loss` (tensors of the graph, e.g. a VAE's KL term),
        the symbolic updates and the tensors added to `metrics_tensors` are computed in
        the same pass: the losses join the enclosing step's losses, the updates its
        assignments, and the metrics' batch means are returned (else an empty list)."""
        xs = self._as_input_dtypes(xs)
        symbolic = self._symbolic_losses() if with_losses else []
        updates = self._symbolic_updates() if with_losses else []
        added = self._added_metric_tensors() if with_losses else []
        if not symbolic and not updates and not added:
            outputs, masks = self._run_graph(xs, None, None)
            return outputs, masks, []
        graph_updates = [u for u in updates if isinstance(u[1], KerasTensor)]
        outputs, masks = self._loss_network(
            symbolic + [value for _, value in graph_updates] + added)._run_graph(xs, None, None)
        n = len(self.outputs)
        extra = outputs[n:]
        for value in extra[:len(symbolic)]:
            K.state.add_loss_to_scope(value if K.ndim(value) == 0 else K.mean(value))
        # every new value from the values the step began with (the scope's reads), then
        # the assignments, recorded by the step's scope
        graph_values = iter(extra[len(symbolic):])
        new_values = [next(graph_values) if isinstance(value, KerasTensor) else
                      _values_of(value) for _, value in updates]
        for (variable, _), value in zip(updates, new_values):
            # (read first: a variable outside the step's state becomes part of it, so that
            # the assignment is kept: `_take_outside_variables`)
            _ = variable.value
            variable.assign(value)
        added_values = [K.mean(v) for v in extra[len(symbolic) + len(graph_updates):]]
        return outputs[:n], masks[:n], added_values

    def _added_metric_tensors(self):
        """The tensors appended to `metrics_tensors` after `compile` (with their names
        appended to `metrics_names`, as Keras 2.2.4 code does): the steps compute their
        means as metrics, logged after the compiled ones."""
        n_compiled = getattr(self, '_compiled_metrics_count', len(self.metrics_names))
        tensors = list(getattr(self, '_metrics_tensors', None) or [])[n_compiled - 1:]
        names = self.metrics_names[n_compiled:]
        if len(tensors) != len(names):
            raise ValueError('model.metrics_tensors holds %d tensor(s) added after compile, '
                             'but model.metrics_names has %d name(s) after the compiled ones '
                             '(%s): append one name per tensor'
                             % (len(tensors), len(names), names))
        for t in tensors:
            if not isinstance(t, KerasTensor):
                raise ValueError('model.metrics_tensors: expected tensors of the model\'s graph '
                                 '(computed from its inputs with layers or K ops), got %r' % (t,))
        return tensors

    def _free_inputs(self):
        """The indices of the inputs that take data: those not built on a tensor
        (`Input(tensor=K.variable(...))`)."""
        return [i for i, v in enumerate(getattr(self, '_fixed_inputs', None) or []) if v is None]

    def _with_fixed_inputs(self, xs):
        """The values of every model input in a step: the batch's arrays `xs` for the
        inputs that take data, and for each input built on a tensor (`Input(tensor=
        K.variable(...))`: spektral's fixed Laplacian beside the node features) the
        tensor's whole value, read in the step, as Keras 2.2.4's graph read it at every
        batch.

        # Arguments
            xs: the batch's input arrays (all inputs' when none is built on a tensor, or
                when all are).

        # Returns
            A list of values, one per model input.
        """
        fixed = getattr(self, '_fixed_inputs', None) or []
        xs = to_list(xs, allow_tuple=True)
        if len(xs) == len(fixed) or all(v is None for v in fixed):
            return xs
        given = iter(xs)
        return [next(given) if v is None else
                v.value if isinstance(v, (K.Variable, VariableExpression)) else v
                for v in fixed]

    def _as_input_dtypes(self, xs):
        """The batch's input arrays in the dtypes of the model's `Input`s: Keras 2.2.4 fed
        data through placeholders of those dtypes, so integer images reach a float model
        as floats (on TensorFlow a float layer would otherwise meet an int32 tensor)."""
        xs = to_list(xs, allow_tuple=True)
        if len(xs) != len(self.inputs):
            return xs
        return [_as_dtype(x, t.dtype) for x, t in zip(xs, self.inputs)]

    def _symbolic_losses(self):
        found = []
        for layer in [self] + self._flat_layers():
            for loss in getattr(layer, '_losses', []):
                if isinstance(loss, KerasTensor) and not any(loss is f for f in found):
                    found.append(loss)
        return found

    def _symbolic_updates(self):
        """The `(variable, new value)` updates added to the model or its layers outside
        their calls (`model.add_update(K.update(v, K.mean(model.output)))`, an update of
        variables made outside a step: `DeferredUpdate`) and those in `metrics_updates`,
        which Keras 2.2.4's training function ran; the updates of the layers' own calls are
        made by the calls. A new value is a tensor of the graph or computed from variables."""
        found = []
        added = [getattr(layer, '_updates', []) for layer in [self] + self._flat_layers()]
        for update in expand_updates([u for updates in added + [
                getattr(self, 'metrics_updates', None) or []] for u in updates]):
            if (isinstance(update, tuple) and len(update) == 2 and
                    isinstance(update[0], K.Variable) and
                    (isinstance(update[1], KerasTensor) and
                     not isinstance(_producer(update[1]), _CallEffect) or
                     isinstance(update[1], (K.Variable, VariableExpression))) and
                    all(update is not f for f in found)):
                found.append(update)
        return found

    def _loss_network(self, symbolic):
        key = tuple(id(t) for t in symbolic)
        cached = getattr(self, '_loss_network_cache', None)
        if cached is None or cached[0] != key:
            net = Network(self.inputs, list(self.outputs) + list(symbolic),
                          name=self.name + '_with_losses')
            self._loss_network_cache = cached = (key, net)
        return cached[1]

    def _losses_and_metrics(self, outputs, masks, ys, sws, xs=None, with_metrics=True):
        """Total loss (without regularization), per-output losses and metric values
        (`xs`, the step's inputs, serve losses that need the graph: `_step_loss`)."""
        # Keras 2.2.4 called each loss and metric once, on the graph's tensors, and its
        # train and test functions shared what that call left on the function's object
        # (ssd_keras' `SSDLoss.compute_loss` begins with `self.neg_pos_ratio =
        # tf.constant(self.neg_pos_ratio)`; other losses cache a tensor made on their first
        # call). Every compiled step here calls them again, and a value of one trace is
        # invalid in the next: what they set to values of this trace is set back once the
        # losses are computed (the metrics computed after a loss still see it).
        fns = [fn for fn in self.loss_functions if fn is not None]
        if with_metrics:
            fns += [fn for specs in self._metric_specs for _, fn, _ in specs]
        with traced_attributes_restored(_attribute_owners(fns)):
            return self._losses_and_metrics_of(outputs, masks, ys, sws, xs, with_metrics)

    def _losses_and_metrics_of(self, outputs, masks, ys, sws, xs, with_metrics):
        total = 0.
        out_losses = []
        metric_values = []
        j = 0
        for i, loss_fn in enumerate(self.loss_functions):
            if loss_fn is None:
                continue
            y_true, sw = ys[j], sws[j]
            j += 1
            if sw is None:
                # weights of one left out of the data (`_to_device`)
                sw = UnitWeights(2 if self.sample_weight_modes[i] == 'temporal' else 1)
            y_pred, mask = outputs[i], masks[i]
            # Keras 2.2.4's target placeholders had the dtype of their output
            y_true = _as_dtype(y_true, K.dtype(y_pred))
            out_loss = _weighted_masked_mean(self._step_loss(i, 'loss', loss_fn, xs), y_true,
                                             y_pred, sw, mask)
            out_losses.append(out_loss)
            total = total + self._loss_weights_list[i] * out_loss
            for k, (_, fn, weighted) in enumerate(self._metric_specs[i] if with_metrics
                                                  else ()):
                metric_values.append(_weighted_masked_mean(self._step_loss(i, k, fn, xs),
                                                           y_true, y_pred,
                                                           sw if weighted else None, mask))
        return total, out_losses, metric_values

    def _step_loss(self, i, which, loss_fn, xs):
        """The loss (`which` is 'loss') or metric number `which` of output `i` as the step
        computes it: `loss_fn` on the batch's values, or, for a function that needs the
        graph (Keras 2.2 called losses and metrics once, on the model's symbolic outputs: a
        WGAN-GP's `K.gradients(y_pred, averaged_samples)`, keras-contrib's CRF loss and
        accuracies reading `y_pred._keras_history`), its graph built once on the output's
        tensor and run on the step's values (`_GraphLoss`). The graph is built when
        `loss_fn` fails on values or gives a symbolic tensor (it read a tensor of the graph
        by closure: Keras 2.0's VAE example adds the KL term of the encoder's `z_mean` and
        `z_log_var` in its loss); if it cannot be built either, the first error is
        raised."""
        graph = self._graph_losses.get((i, which))
        if graph is not None or xs is None:
            return loss_fn if graph is None else (lambda y_true, y_pred: graph(xs, y_true, y_pred))

        def first(y_true, y_pred):
            error = None
            try:
                with _host_draws_replayed(self._loss_host_rng, (i, which)):
                    value = _with_variables_replayed(self._loss_variables, (i, which),
                                                     loss_fn, y_true, y_pred)
                if not isinstance(value, KerasTensor):
                    return value
            except Exception as e:
                error = e
            try:
                graph = _GraphLoss(self, i, loss_fn, y_true)
            except Exception as graph_error:
                if error is None:
                    raise
                # both ways are reported: which one the loss was written for is unknown
                note = ('(applied to the output\'s tensor instead, as Keras 2.2 applied '
                        'losses, the loss failed too: %s: %s)'
                        % (type(graph_error).__name__, graph_error))
                if hasattr(error, 'add_note'):
                    error.add_note(note)
                raise foreign_ops.note_on_error(error)
            self._graph_losses[(i, which)] = graph
            return graph(xs, y_true, y_pred)
        return first

    def _regularization(self, scope):
        reg = 0.
        for l in self._eager_losses():
            reg = reg + l
        for l in scope.losses:
            reg = reg + l
        return reg

    def _scoped_loss(self, tv, ov, xs, ys, sws, rng, training, read=()):
        """Forward pass and losses for the variable values `tv` (trainable) and `ov`
        (others), run in a StatelessScope that also holds the `(variable, value)` pairs
        `read` (the optimizer's variables): (total loss with regularization, per-output
        losses, metric values, new values of the other variables)."""
        values = dict(zip(self._trainable_vars, tv))
        values.update(zip(self._other_vars, ov))
        values.update(read)
        with K.StatelessScope(values, rng=rng) as scope, \
                K.learning_phase_scope(_step_phase(1 if training else 0)):
            xs = self._with_fixed_inputs(xs)
            outputs, masks, added = self._forward_pure(xs, training)
            total, out_losses, mvals = self._losses_and_metrics(
                outputs, masks, ys, sws, self._as_input_dtypes(xs))
            mvals = mvals + added
            total = total + self._regularization(scope)
        return total, out_losses, mvals, _new_values(scope, self._other_vars, ov)

    def _logs_vector(self, total, out_losses, metric_values):
        logs = [total]
        if len(self.outputs) > 1:
            logs += out_losses
        logs += metric_values
        return X.stack_logs(logs)

    # Every step has the signature `step(state, consts, batch, key) -> (state, outputs)`:
    # `state` holds the variable values the step changes, `consts` those it only reads.
    def _make_train_step(self):
        tvars = self._trainable_vars
        model = self

        def step(state, consts, batch, key):
            tv, ov, optv = state
            xs, ys, sws = batch

            def loss_fn(tv_):
                total, out_losses, mvals, new_ov = model._scoped_loss(
                    tv_, ov, xs, ys, sws, key, True, read=zip(model._opt_vars, optv))
                return total, (new_ov, out_losses, mvals)

            (total, (new_ov, out_losses, mvals)), grads = X.value_and_grad(
                loss_fn, has_aux=True, no_gradient_error=_NO_GRADIENT)(tv)
            # (the updates of frozen layers' variables do not run, as in Keras 2.2.4)
            new_ov = [old if frozen else new
                      for old, new, frozen in zip(ov, new_ov, model._frozen_flags())]
            # the optimizer applies the variables' constraints after its update (the update
            # may read the other variables: an expression of them it returns); its random
            # ops (a gradient noise) draw from a key of the step's own
            with K.StatelessScope(dict(zip(model._other_vars, ov)), rng=X.side_key(key)), \
                    _attributes_as(model._step_optimizer, model._step_hypers):
                new_tv, new_optv = model._step_optimizer.stateless_apply(optv, tv, grads,
                                                                         tvars, loss=total)
            return (new_tv, new_ov, new_optv), model._logs_vector(total, out_losses, mvals)
        return step

    def _make_test_step(self):
        model = self

        def step(state, consts, batch, key):
            (ov,), (tv, read) = state, consts
            xs, ys, sws = batch
            # inference-time updates (stateful RNN states) carry on, as in Keras 2.2.4
            total, out_losses, mvals, new_ov = model._scoped_loss(
                tv, ov, xs, ys, sws, key, False, read=zip(model._optimizer_reads(), read))
            new_ov = [new if carried else old
                      for new, old, carried in zip(new_ov, ov, model._test_carried)]
            return (new_ov,), model._logs_vector(total, out_losses, mvals)
        return step

    def _make_predict_step(self):
        model = self
        variables, carried = self._predict_vars, self._predict_carried

        def step(state, consts, batch, key):
            (carried_values,), (values,) = state, consts
            values = list(values)
            for i, value in zip(carried, carried_values):
                values[i] = value
            with K.StatelessScope(dict(zip(variables, values)), rng=key) as scope, \
                    K.learning_phase_scope(_step_phase(0)):
                outputs, _, _ = model._forward_pure(model._with_fixed_inputs(batch), False,
                                                    with_losses=False)
            new_values = _new_values(scope, variables, values)
            return ([new_values[i] for i in carried],), outputs
        return step

    def _make_step(self, kind):
        step = {'train': self._make_train_step, 'test': self._make_test_step,
                'predict': self._make_predict_step}[kind]()
        sharding = getattr(self, '_input_sharding', None)
        if sharding is not None:
            step = _batch_sharded_step(step, sharding)
        if getattr(self, '_unscoped_reads', None) is None:
            self._unscoped_reads = []
        found = self._unscoped_reads

        def recording(*args):
            # (runs when the step is traced)
            with record_unscoped_reads(found):
                return step(*args)
        return recording

    def _compiled(self, kind, mode):
        """The compiled `kind` step for one dispatch mode: 'host' takes one batch of host
        arrays, `fn(state, consts, batch, key)`; 'gather' takes the device data and one
        index batch, `fn(state, consts, data, idx, key)`, and returns the outputs with a
        leading axis of 1; 'scan' takes a (k, batch) index array and k keys and returns
        the outputs of the k batches stacked; 'loop' (JAX) takes an (r, batch) index array,
        a count n <= r and r keys, runs the first n batches and returns r rows of outputs
        (`X.loop_steps`)."""
        # (a learning phase the user fixed is compiled into the step: see `_step_phase`)
        cache_key = (kind, mode, None if K.state.learning_phase_is_default()
                     else K.learning_phase(),
                     tuple(id(t) for t in getattr(self, '_metrics_tensors', None) or ()))
        fn = self._compiled_cache.get(cache_key)
        if fn is None:
            step = self._make_step(kind)
            if mode == 'gather':
                fn = X.jit(X.gather_step(step, leading_axis=True))
            elif mode == 'scan':
                fn = X.jit(X.scan_steps(step))
            elif mode == 'loop':
                fn = X.jit(X.loop_steps(step))
            else:
                fn = X.jit(step)
            self._compiled_cache[cache_key] = fn
        return fn

    def _step_state(self, kind):
        """(state, consts) of the `kind` step: the current values of its variables (for
        predict steps, of the variables the model has now: `_prepare_predict_vars`)."""
        if kind == 'predict':
            self._prepare_predict_vars()
        if kind == 'train':
            return self._read_state(), ()
        if kind == 'test':
            tv, ov = self._read_state(with_optimizer=False)
            return (ov,), (tv, [v.value for v in self._optimizer_reads()])
        values = [v.value for v in self._predict_vars]
        return ([values[i] for i in self._predict_carried],), (values,)

    def _set_step_state(self, kind, state):
        if kind == 'train':
            self._write_state(*state)
        elif kind == 'test':
            for v, val in zip(self._other_vars, state[0]):
                v.assign(val)
        else:
            for i, val in zip(self._predict_carried, state[0]):
                self._predict_vars[i].assign(val)

    def _dispatch(self, kind, mode, *args):
        """One compiled call of the `kind` step in `mode` (see `_compiled`) on `args`
        (a host batch, or the device data and an index array): reads the variables,
        writes their new values back and returns the outputs without waiting for them."""
        replaced = self._replaced_function(kind)
        if replaced is not None:
            return self._run_replaced(replaced, kind, mode, args)
        return self._dispatch_compiled(kind, mode, *args)

    def _dispatch_compiled(self, kind, mode, *args, **kwargs):
        """`_dispatch` through the model's own compiled step (`retraced`: how many times
        this dispatch ran again for variables its trace read from outside its state)."""
        retraced = kwargs.pop('retraced', 0)
        state, consts = self._step_state(kind)
        given = args
        if mode == 'loop':
            data, idx, n = args
            args = data, idx, np.int32(n)
            key = _padded_keys(self._next_key(n), len(idx))
        else:
            key = self._next_key(len(args[-1]) if mode == 'scan' else None)
        new_state, outs = self._compiled(kind, mode)(state, consts, *args, key)
        if self._unscoped_reads and retraced >= _MAX_RETRACES:
            # every trace read variables it made itself (a layer made inside a layer's
            # call or a Lambda's function: Keras-TextClassification's TextDCNN): they are
            # constants of the step, not state (Keras 2.2.4 made them once and did not
            # train them); taking them would trace again forever
            names = sorted(set(v.name for v in self._unscoped_reads))
            del self._unscoped_reads[:]
            warnings.warn('The %s step of model %s reads variables made anew by each of '
                          'its traces (%s): a layer or variable created inside a loss '
                          'function, a layer\'s call or a Lambda\'s function. They are '
                          'constants of the compiled step, neither trained nor saved (Keras '
                          '2.2.4 made them once and did not train them either); create such '
                          'layers outside, in `build` or `__init__`.'
                          % (kind, self.name, ', '.join(names[:6])), stacklevel=3)
        elif self._unscoped_reads and self._take_outside_variables():
            # the step just traced reads variables outside its state (a loss's
            # `K.update_add(counter, 1)`): what it assigned them is lost, so the dispatch
            # runs again with them in its state (Keras 2.2.4's graph updated them at the
            # first batch too); its results are dropped
            return self._dispatch_compiled(kind, mode, *given, retraced=retraced + 1)
        self._set_step_state(kind, new_state)
        return outs

    def _loop_runs_fast(self, kind, data, idx, max_output_bytes):
        """Whether the counted loop program of the `kind` step (mode 'loop') on the index
        rows `idx` of `data` may run: not when its outputs (a row for each row of `idx`)
        take more than `max_output_bytes`, nor on the CPU when it holds an operation that
        XLA's CPU backend runs far slower inside loops (`X.jaxpr_slow_on_cpu`). The program
        is traced here with the arguments its dispatches pass, and its first dispatch
        reuses that trace."""
        state, consts = self._step_state(kind)
        traced = self._compiled(kind, 'loop').trace(
            state, consts, data, idx, np.int32(1), _padded_keys(X.new_key(0)[None], len(idx)))
        if X.loop_output_bytes(traced) > max_output_bytes:
            return False
        return not (X.default_platform() == 'cpu' and X.jaxpr_slow_on_cpu(traced.jaxpr))

    def _step_slow_in_loop(self, kind, data, idx):
        """Whether the `kind` step on one index batch of `data` has an operation that the
        CPU runs far slower inside a compiled loop (`X.loop_slow_on_cpu`)."""
        state, consts = self._step_state(kind)
        return X.loop_slow_on_cpu(X.gather_step(self._make_step(kind)),
                                  (state, consts, data, idx, X.new_key(0)))

    # ------------------------------------------------------------------ data preparation
    def _standardize_user_data(self, x, y=None, sample_weight=None, class_weight=None,
                               check_array_lengths_=True, batch_size=None, whole_data=False,
                               keep_sparse=False):
        # (`whole_data`: `y` holds all the targets, so a class of `class_weight` that
        # none of them has is worth a warning; a batch may lack a class. `keep_sparse`:
        # SciPy sparse inputs stay CSR matrices, for loops that densify each batch)
        self._maybe_build_from_data(x)
        if not self._is_compiled and y is not None:
            raise RuntimeError('You must compile a model before training/testing. Use '
                               '`model.compile(optimizer, loss)`.')
        fixed_x = getattr(self, '_fixed_inputs', None) or []
        if any(v is not None for v in fixed_x):
            # inputs built on a tensor take no data: the steps read the tensor's whole value
            # at every batch (`_with_fixed_inputs`); a model fed by such inputs alone runs on
            # their values as its data (one batch of them a step)
            free = self._free_inputs()
            x = standardize_input_data(
                x, [self._feed_input_names[i] for i in free],
                [self._feed_input_shapes[i] for i in free],
                check_batch_axis=False, exception_prefix='input', keep_sparse=keep_sparse)
            if not free:
                x = [np.asarray(K.get_value(v)) for v in fixed_x]
        else:
            x = standardize_input_data(x, self._feed_input_names, self._feed_input_shapes,
                                       check_batch_axis=False, exception_prefix='input',
                                       keep_sparse=keep_sparse)
        self._check_inputs_data(x)
        fixed = getattr(self, '_fixed_targets', None) or []
        if y is None and not (fixed and all(t is not None for t in fixed)):
            return x, [], []     # (as Keras 2.2.4: code concatenates them with `x`)
        feed_loss_fns = [fn for fn in self.loss_functions if fn is not None]
        # (Keras 2.2.4 checked the targets of `keras.losses`' losses against the outputs'
        # shapes, sparse categorical crossentropy's with one class index per position)
        target_shapes = [_target_shape(shape, fn)
                         for shape, fn in zip(self._feed_output_shapes, feed_loss_fns)]
        if any(t is not None for t in fixed):
            # outputs whose target is a variable (`compile(target_tensors=...)`) take no data
            fed = [(name, shape) for name, shape, t in
                   zip(self._feed_output_names, target_shapes, fixed) if t is None]
            y = iter(standardize_input_data(y, [name for name, _ in fed],
                                            [shape for _, shape in fed],
                                            check_batch_axis=False, exception_prefix='target'))
            y = [np.asarray(K.get_value(t)) if t is not None else next(y) for t in fixed]
        else:
            y = standardize_input_data(y, self._feed_output_names, target_shapes,
                                       check_batch_axis=False, exception_prefix='target')
        feed_modes = [m for m, fn in zip(self.sample_weight_modes, self.loss_functions) if fn is not None]
        sample_weights = standardize_sample_weights(sample_weight, self._feed_output_names)
        class_weights = standardize_class_weights(class_weight, self._feed_output_names)
        sample_weights = [standardize_weights(ref, sw, cw, mode, warn_absent=whole_data)
                          for ref, sw, cw, mode in
                          zip(y, sample_weights, class_weights, feed_modes)]
        if check_array_lengths_:
            check_array_lengths(x, y, sample_weights)
        check_loss_and_target_compatibility(y, feed_loss_fns, self._feed_output_shapes)
        # (integer and boolean targets keep their dtype here, as callbacks see them in
        # `validation_data` as Keras 2.2.4 showed them: dragonn's metrics check for bool
        # labels; `_to_device` gives the steps floats)
        return x, y, sample_weights

    def _check_inputs_data(self, x):
        """Let each layer that reads a model input straight check the data fed to it
        (`Layer._check_fed_data`: an `Embedding` checks its indices, which a compiled
        lookup cannot)."""
        key = tuple(id(t) for t in self.inputs)
        readers = getattr(self, '_data_readers', {}).get(key)
        if readers is None:
            # (position in the data -> the input's name and the layers checking it)
            readers = {}
            free = self._free_inputs() if getattr(self, '_fixed_inputs', None) else \
                list(range(len(self.inputs)))
            for position, index in enumerate(free):
                layers = [node.outbound_layer for node in
                          getattr(self.inputs[index]._keras_history[0], '_outbound_nodes', [])
                          if type(node.outbound_layer)._check_fed_data is not
                          Layer._check_fed_data]
                if layers:
                    readers[position] = (self._feed_input_names[index], layers)
            self._data_readers = {key: readers}
        for position, (name, layers) in readers.items():
            if position < len(x) and isinstance(x[position], np.ndarray):
                for layer in layers:
                    layer._check_fed_data(x[position], name)

    def _check_fixed_batch_size(self, n, batch_size, what):
        """Inputs declared with a batch size (`batch_shape`, as stateful RNNs need) take batches
        of exactly that size, as Keras 2.2.4's fixed-shape placeholders did."""
        # (the inputs the data feed: not those built on a tensor beside them, whose whole
        # value each batch reads)
        free = self._free_inputs()
        shapes = [self._feed_input_shapes[i] for i in free] if free else self._feed_input_shapes
        fixed = sorted(set(int(s[0]) for s in shapes if s and s[0] is not None))
        if not fixed or not n or batch_size is None:
            return
        sizes = sorted(set(min(batch_size, n - i) for i in range(0, n, batch_size)))
        if sizes != fixed[:1]:
            raise ValueError('%s: the model\'s inputs have a fixed batch size of %d (their '
                             '`batch_shape`, as a stateful RNN needs), but batch_size=%d over %d '
                             'samples makes batches of %s samples; pass batch_size=%d and a '
                             'number of samples divisible by it'
                             % (what, fixed[0], batch_size, n,
                                ' and '.join(str(s) for s in sizes), fixed[0]))

    def _maybe_build_from_data(self, x):
        if not self._is_graph_network and not self.outputs:
            self._build_subclassed_from_data(x)
            return
        if not self.built or not self.inputs:
            raise RuntimeError('This model has no inputs yet: build it (give the first layer an '
                               'input_shape, call it on data, or call build()) before using it.')

    def _build_subclassed_from_data(self, x):
        """A subclassed model meets its first data (Keras 2.2.4's `_set_inputs`): an `Input`
        per array, of the array's shape past the batch axis (floats as `K.floatx()`), its
        `call` applied to them, and the model becomes the graph of layers that call made;
        a compilation waiting for the outputs is finished."""
        from .input_layer import Input
        if isinstance(x, dict):
            raise ValueError('A subclassed model takes its first data as an array or a list of '
                             'arrays (its inputs have no names yet), got a dict with keys %s'
                             % sorted(x))
        arrays = list(x) if isinstance(x, (list, tuple)) else [x]
        inputs = []
        for a in arrays:
            a = np.asarray(a)
            if a.ndim == 0:
                raise ValueError('A subclassed model needs arrays with a batch axis, got a '
                                 'scalar')
            dtype = K.floatx() if a.dtype.kind == 'f' else a.dtype.name
            inputs.append(Input(batch_shape=(None,) + a.shape[1:], dtype=dtype))
        outputs = self.call(inputs if isinstance(x, (list, tuple)) else inputs[0])
        optimizer, pending = self.optimizer, getattr(self, '_pending_compile', None)
        self._init_graph_network(inputs, outputs, name=self.name)
        self._built_from_call = True
        if pending is not None:
            del self._pending_compile
            self.compile(optimizer, **pending)

    # ------------------------------------------------------------------ loops
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None,
            validation_split=0., validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            **kwargs):
        """Train the model for `epochs` passes over the data.

        # Arguments
            x: input data: a NumPy array, a list of arrays (several inputs) or a dict input
                name -> array; a `keras.utils.Sequence` or a generator (then as
                `fit_generator`).
            y: target data, like `x` (per output).
            batch_size: samples per gradient update (default 32).
            epochs: index of the last epoch to run (training starts at `initial_epoch`).
            verbose: 0 silent, 1 progress bar, 2 one line per epoch.
            callbacks: list of `keras.callbacks.Callback` instances.
            validation_split: fraction (in [0, 1)) of the data, taken from the end before
                shuffling, held out for validation.
            validation_data: `(x_val, y_val)` or `(x_val, y_val, val_sample_weights)`;
                overrides `validation_split`.
            shuffle: shuffle the samples before each epoch (`'batch'`: shuffle whole batches).
            class_weight: dict class index -> weight (per output: a list or dict of dicts).
            sample_weight: array of per-sample weights (2D with `sample_weight_mode=
                'temporal'`), or a list/dict per output.
            initial_epoch: epoch at which to start (to resume a run).
            steps_per_epoch: batches per epoch when the data are symbolic tensors.
            validation_steps: with `steps_per_epoch`, validation batches per epoch.

        # Returns
            A `History` whose `history` dict holds the per-epoch losses and metrics (with
            `val_` prefixes for the validation data).

        # Raises
            ValueError: on data that does not match the model (shapes, sample counts, 0
                samples) or invalid arguments; RuntimeError if the model is not compiled.

        # Example
        ```python
        model.compile('rmsprop', 'categorical_crossentropy', metrics=['acc'])
        history = model.fit(x_train, y_train, batch_size=128, epochs=10,
                            validation_split=0.1)
        print(history.history['val_acc'])
        ```
        """
        if 'nb_epoch' in kwargs:
            warnings.warn('The `nb_epoch` argument in `fit` has been renamed `epochs`.', stacklevel=2)
            epochs = kwargs.pop('nb_epoch')
        if kwargs:
            raise TypeError('fit: unrecognized keyword arguments: ' + str(sorted(kwargs)))
        from ..utils.data_utils import Sequence
        if isinstance(x, Sequence) or _is_generator(x):
            return self.fit_generator(x, steps_per_epoch=steps_per_epoch, epochs=epochs,
                                      verbose=verbose, callbacks=callbacks,
                                      validation_data=validation_data,
                                      validation_steps=validation_steps, class_weight=class_weight,
                                      shuffle=shuffle, initial_epoch=initial_epoch)
        tensors = (x is None and y is None) or _holds_variables(x, y)
        if tensors and steps_per_epoch is None:
            raise ValueError('If fitting from data tensors, you should specify the '
                             '`steps_per_epoch` argument.')
        if tensors and validation_split and 0. < validation_split < 1.:
            raise ValueError('If your data is in the form of symbolic tensors, you cannot use '
                             '`validation_split`.')
        _check_batch_size(batch_size, steps_per_epoch)
        if batch_size is None and steps_per_epoch is None:
            batch_size = 32
        check_int('epochs', epochs, 0)
        x, y, sample_weights = self._standardize_user_data(x, y, sample_weight=sample_weight,
                                                           class_weight=class_weight,
                                                           whole_data=True, keep_sparse=True)
        do_validation = False
        val_x = val_y = val_sw = None
        if validation_split is not None and (isinstance(validation_split, bool) or
                                             not isinstance(validation_split, numbers.Real)):
            raise TypeError('validation_split: expected a float in [0, 1), got %r'
                            % (validation_split,))
        if validation_data:
            do_validation = True
            val_x, val_y, val_sample_weight = unpack_validation_data(
                validation_data,
                lambda: 'When passing validation_data, it must contain 2 (x_val, y_val) or 3 '
                        '(x_val, y_val, val_sample_weights) items, however it contains %d items'
                        % len(validation_data))
            val_x, val_y, val_sw = self._standardize_user_data(val_x, val_y,
                                                               sample_weight=val_sample_weight,
                                                               keep_sparse=True)
        elif validation_split and 0. < validation_split < 1.:
            if any(not isinstance(a, np.ndarray) and not _is_scipy_sparse(a) for a in x):
                raise ValueError('validation_split requires array inputs')
            do_validation = True
            split_at = int(int(x[0].shape[0]) * (1. - validation_split))
            val_x = [a[split_at:] for a in x]
            val_y = [a[split_at:] for a in y]
            val_sw = [a[split_at:] for a in sample_weights]
            x = [a[:split_at] for a in x]
            y = [a[:split_at] for a in y]
            sample_weights = [a[:split_at] for a in sample_weights]
        elif validation_split:
            raise ValueError('validation_split: expected a float in [0, 1), got %r' % (validation_split,))
        elif validation_steps:
            do_validation = True

        if self._spans_processes():
            from . import multi_host
            return multi_host.fit(self, _dense(x), y, sample_weights, batch_size, epochs,
                                  verbose, callbacks,
                                  (_dense(val_x), val_y, val_sw) if val_x else None,
                                  shuffle, initial_epoch)
        self._ensure_ready(training=True)
        if verbose and do_validation and x and val_x:
            print('Train on %d samples, validate on %d samples'
                  % (x[0].shape[0], val_x[0].shape[0]))
        out_labels = self.metrics_names
        val_labels = ['val_' + n for n in out_labels] if do_validation else []
        self.history = cbks.History()
        stateful = getattr(self, 'stateful_metric_names', [])
        callback_list = [cbks.BaseLogger(stateful_metrics=stateful)] + (callbacks or []) + \
            [self.history]
        if verbose:
            count_mode = 'steps' if steps_per_epoch is not None else 'samples'
            callback_list.insert(1, cbks.ProgbarLogger(
                count_mode, stateful_metrics=stateful))
        callback_list = cbks.CallbackList(callback_list)
        callback_model = getattr(self, 'callback_model', None) or self
        callback_list.set_model(callback_model)
        n = x[0].shape[0] if x else (y[0].shape[0] if y else 0)
        if n == 0 and steps_per_epoch is None:
            raise ValueError('fit: the training data has 0 samples (x shapes %s); there is '
                             'nothing to train on' % ([tuple(a.shape) for a in x],))
        self._check_fixed_batch_size(n, batch_size, 'fit')
        if do_validation and val_x:
            self._check_fixed_batch_size(val_x[0].shape[0], batch_size, 'fit (validation data)')
        callback_list.set_params({
            'batch_size': batch_size, 'epochs': epochs, 'steps': steps_per_epoch,
            'samples': n, 'verbose': verbose, 'do_validation': do_validation,
            'metrics': out_labels + val_labels,
        })
        # (with 2.2.4's trailing learning phase `0.` for a model using the phase: callbacks
        # read the targets as `validation_data[-3]` and the inputs as `[:-3]`)
        validation_data = (val_x or []) + (val_y or []) + (val_sw or []) + \
            ([0.] if self._uses_dynamic_learning_phase() else []) if do_validation else []
        for cb in callback_list:
            cb.validation_data = validation_data
        callback_model.stop_training = False
        per_batch = callback_list.needs_every_batch()

        data = self._to_device((x, y, sample_weights), rows_indexed=True)
        val_device = self._to_device((val_x, val_y, val_sw), rows_indexed=True) \
            if do_validation and val_x else None

        callback_list.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            self._reset_stateful_metrics()
            callback_list.on_epoch_begin(epoch)
            epoch_logs = {}
            if steps_per_epoch is not None:
                batches = [np.arange(n)] * steps_per_epoch
            else:
                index_array = np.arange(n)
                if shuffle == 'batch':
                    index_array = batch_shuffle(index_array, batch_size)
                elif shuffle:
                    np.random.shuffle(index_array)
                batches = [index_array[s:e] for s, e in make_batches(n, batch_size)]
            training_arrays.train_loop(self, 'train', data, batches, callback_list, out_labels,
                                       per_batch, callback_model,
                                       upcoming=len(batches) * (epochs - epoch))
            if do_validation and not callback_model.stop_training:
                if val_device is not None:
                    val_outs = training_arrays.test_loop(self, val_device, val_x[0].shape[0],
                                                         batch_size or 32)
                    for label, o in zip(out_labels, val_outs):
                        epoch_logs['val_' + label] = o
            callback_list.on_epoch_end(epoch, epoch_logs)
            if callback_model.stop_training:
                break
        callback_list.on_train_end()
        return self.history

    def _to_device(self, struct, single_batch=False, rows_indexed=False):
        """The data on the device. Sample weights that are all one become None where no
        padding row can be read (a single batch, which is not padded, or data whose loops
        index real rows only: `rows_indexed`; a step run over the whole padded data relies
        on the padding's zero weights): the steps then weigh by one without reading them
        (`UnitWeights`), which spares a gather and the weights' mean in every compiled step
        (3 of the getting-started MLP's 38 kernels). The weights come out the same; a logged
        loss may differ in its last bit, as XLA then merges or folds the means differently.
        Not across processes: every process must compile the same step."""
        if not single_batch and _holds_sparse(struct):
            # (SciPy sparse inputs: densified a batch at a time, on the host)
            return dispatch.HostData(struct, lambda rows: self._to_device(rows, True))
        xs, ys, sws = struct
        drop = (single_batch or rows_indexed) and not self._spans_processes()
        return ([self._place_input(a, single_batch) for a in xs],
                [self._place_input(_float_targets(a), single_batch) for a in (ys or [])],
                [None if drop and _all_ones(a) else self._place_input(a, single_batch)
                 for a in (sws or [])])

    def _spans_processes(self):
        """Whether the model's batch sharding spans several processes (multi-host)."""
        sharding = getattr(self, '_input_sharding', None)
        return sharding is not None and sharding.process_count > 1

    def _place_input(self, a, single_batch=False):
        """Move one data array to the device(s); a model carrying `_input_sharding`
        (a `backend.distribution.BatchSharding`, see `multi_gpu_model`) splits it by batch.
        A single batch for one compiled call stays a host array: the call transfers it
        without a dispatch of its own."""
        sharding = getattr(self, '_input_sharding', None)
        if sharding is not None:
            return sharding.place_batch(a)
        if single_batch:
            return np.asarray(dense_rows(a))
        return X.to_device(_padded_to_bucket(a))

    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None, steps=None,
                 **kwargs):
        """Loss and metric values of the model on the data, in test mode.

        # Arguments
            x: input data (as in `fit`), or a `Sequence`/generator.
            y: target data.
            batch_size: samples per evaluation batch (default 32).
            verbose: 0 or 1.
            sample_weight: per-sample weights.
            steps: number of batches when the data are symbolic tensors.

        # Returns
            The loss (a scalar) when the model has no metrics and one output, otherwise a
            list of scalars in the order of `model.metrics_names`. Averages over all samples,
            weighted by batch size.
        """
        if kwargs:
            raise TypeError('evaluate: unrecognized keyword arguments: ' + str(sorted(kwargs)))
        from ..utils.data_utils import Sequence
        if isinstance(x, Sequence) or _is_generator(x):
            return self.evaluate_generator(x, steps=steps, verbose=verbose)
        if ((x is None and y is None) or _holds_variables(x, y)) and steps is None:
            raise ValueError('If evaluating from data tensors, you should specify the '
                             '`steps` argument.')
        _check_batch_size(batch_size, steps)
        if batch_size is None and steps is None:
            batch_size = 32
        x, y, sample_weights = self._standardize_user_data(x, y, sample_weight=sample_weight,
                                                           keep_sparse=True)
        self._ensure_ready()
        n = x[0].shape[0]
        if steps is not None:
            batch_size = n
        if n == 0:
            raise ValueError('evaluate: the data has 0 samples (x shapes %s); there is nothing '
                             'to evaluate' % ([tuple(a.shape) for a in x],))
        self._check_fixed_batch_size(n, batch_size, 'evaluate')
        if self._spans_processes():
            from . import multi_host
            return multi_host.evaluate(self, _dense(x), y, sample_weights, batch_size, verbose)
        data = self._to_device((x, y, sample_weights), rows_indexed=True)
        outs = training_arrays.test_loop(self, data, n, batch_size, _progbar(n, verbose))
        return outs[0] if len(outs) == 1 else outs

    def predict(self, x, batch_size=None, verbose=0, steps=None):
        """Outputs of the model for the input samples, computed batch by batch.

        # Arguments
            x: input data: an array, a list of arrays or a dict (as in `fit`), or a
                `Sequence`/generator.
            batch_size: samples per batch (default 32).
            verbose: 0 or 1.
            steps: number of batches when the data are symbolic tensors.

        # Returns
            A NumPy array (a list of arrays for several outputs), writable and owned by the
            caller.
        """
        from ..utils.data_utils import Sequence
        if isinstance(x, Sequence) or _is_generator(x):
            return self.predict_generator(x, steps=steps, verbose=verbose)
        if (x is None or _holds_variables(x)) and steps is None:
            raise ValueError('If predicting from data tensors, you should specify the '
                             '`steps` argument.')
        _check_batch_size(batch_size, steps)
        if batch_size is None and steps is None:
            batch_size = 32
        x, _, _ = self._standardize_user_data(x, keep_sparse=True)
        n = x[0].shape[0]
        if steps is None and any(a.shape[0] != n for a in x):
            x = _rows_of_first_input(x)
        if steps is not None:
            batch_size = n
        self._check_fixed_batch_size(n, batch_size, 'predict')
        if self._spans_processes():
            from . import multi_host
            return multi_host.predict(self, _dense(x), batch_size, verbose)
        progbar = _progbar(n, verbose)
        if steps is not None and n > 0:
            # Keras 2.2.4 ran the whole data (e.g. an input tensor) once per step and
            # concatenated the outputs of the steps
            runs = [self._predict_single(x) for _ in range(steps)]
            outs = [np.concatenate(parts) for parts in zip(*runs)]
        elif 0 < n <= batch_size:
            # one batch: a single compiled call on the host arrays (a value or row computed
            # over the batch is given to each sample, as by `predict_loop`)
            outs = [training_arrays.sample_rows(np.asarray(o)[None], n)
                    for o in self._predict_single(x)]
        else:
            data = [self._place_input(a) for a in x] if not _holds_sparse(x) else \
                dispatch.HostData(x, lambda rows: [self._place_input(a, True) for a in rows])
            outs = training_arrays.predict_loop(self, data, n, batch_size, progbar)
        if progbar is not None and progbar._seen_so_far < n:
            progbar.update(n)
        return outs[0] if len(outs) == 1 else outs

    def _prepare_predict_vars(self):
        variables = (self._all_layer_variables() + self._outside_variables() +
                     self._optimizer_reads())
        # (variables compare by identity)
        if getattr(self, '_predict_vars', None) != variables:
            # stateful layers' state variables (e.g. RNN states) carry over from batch to
            # batch and are written back after each call, as Keras 2.2 predict does
            state_ids = self._stateful_variable_ids()
            # (set before the variables, which other threads test: a server's first
            # requests predict at once)
            self._predict_carried = [i for i, v in enumerate(variables) if id(v) in state_ids]
            self._predict_vars = variables
            for k in [k for k in self._compiled_cache if k[0] == 'predict']:
                del self._compiled_cache[k]

    # ------------------------------------------------------------------ single batches
    def train_on_batch(self, x, y, sample_weight=None, class_weight=None):
        """One gradient update on a single batch of data.

        # Arguments
            x: input data of the batch (array, list or dict).
            y: target data of the batch.
            sample_weight: per-sample weights.
            class_weight: dict class index -> weight.

        # Returns
            The training loss (a scalar), or a list of scalars (see `model.metrics_names`).
        """
        x, y, sample_weights = self._standardize_user_data(x, y, sample_weight=sample_weight,
                                                           class_weight=class_weight)
        self._ensure_ready(training=True)
        batch = self._to_device((x, y, sample_weights), single_batch=True)
        logs = [np.asarray(v)[()] for v in X.to_numpy(self._dispatch('train', 'host', batch))]
        return logs[0] if len(logs) == 1 else logs

    def test_on_batch(self, x, y, sample_weight=None):
        """Loss and metrics of the model on a single batch, in test mode.

        # Arguments
            x: input data of the batch.
            y: target data of the batch.
            sample_weight: per-sample weights.

        # Returns
            A scalar or a list of scalars (see `model.metrics_names`).
        """
        x, y, sample_weights = self._standardize_user_data(x, y, sample_weight=sample_weight)
        self._ensure_ready()
        batch = self._to_device((x, y, sample_weights), single_batch=True)
        logs = [np.asarray(v)[()] for v in X.to_numpy(self._dispatch('test', 'host', batch))]
        return logs[0] if len(logs) == 1 else logs

    def predict_on_batch(self, x):
        """Outputs of the model for a single batch of samples.

        # Arguments
            x: input data of the batch.

        # Returns
            A NumPy array, or a list of arrays for several outputs.
        """
        x, _, _ = self._standardize_user_data(x)
        outs = self._predict_single(x)
        return outs[0] if len(outs) == 1 else outs

    def _predict_single(self, x):
        return [X.to_numpy(o) for o in self._predict_dispatch(x)]

    def _predict_dispatch(self, x):
        """One compiled predict call on the host arrays `x`; returns the outputs without
        waiting for them."""
        return self._dispatch('predict', 'host', [self._place_input(a, True) for a in x])

    # ------------------------------------------------------------------ Keras 2.2.4 functions
    # `model.train_function(inputs + targets + sample_weights)` and friends, made by
    # `_make_*_function`: code written for Keras 2.2 builds its own loops on them.
    # As in Keras 2.2.4, a function already made (or assigned by the user's code: a
    # wrapper of the step, keras-lookahead's) is kept, and `fit`, `evaluate`, `predict`, the
    # `*_on_batch` methods and the generator methods run a function the user assigned
    # (`_replaced_function`).
    def _make_train_function(self):
        self._ensure_ready(training=True)
        # (the optimizer's state, as Keras 2.2.4's `get_updates` made it here: code then
        # sets `model.optimizer`'s weights, as its `load_model` did)
        self._optimizer_variables()
        if self.train_function is None:
            self.train_function = _BatchFunction(self, 'train')

    def _make_test_function(self):
        self._ensure_ready()
        if self.test_function is None:
            self.test_function = _BatchFunction(self, 'test')

    def _make_predict_function(self):
        if getattr(self, 'predict_function', None) is None:
            self.predict_function = _BatchFunction(self, 'predict')

    def _replaced_function(self, kind):
        """The `kind` ('train', 'test', 'predict') function the user's code assigned to
        `model.<kind>_function`, or None when it is unset or the model's own."""
        fn = getattr(self, kind + '_function', None)
        return None if fn is None or isinstance(fn, _BatchFunction) else fn

    def _run_replaced(self, fn, kind, mode, args):
        """`_dispatch` through the user's function `fn`: called on each batch's host arrays
        as Keras 2.2.4's loops called it (`inputs + targets + sample_weights`, then the
        learning phase where it is an input of the model's functions); its outputs laid out
        as the compiled step's in `mode` ('host': one batch; 'gather': the data and one index
        batch, outputs with a leading axis of 1)."""
        if mode == 'host':
            batch = args[0]
        elif mode == 'gather':
            data, idx = args
            idx = np.asarray(idx)
            batch = dispatch.host_rows(data, idx)
        else:
            raise ValueError('_run_replaced: mode %r' % (mode,))
        if kind == 'predict':
            flat = [np.asarray(a) for a in batch]
        else:
            xs, ys, sws = batch
            ys = [np.asarray(y) for y in ys]
            # (weights left out of the data, all ones: given as ones, as Keras 2.2.4 fed them)
            modes = [m for m, loss in zip(self.sample_weight_modes, self.loss_functions)
                     if loss is not None]
            sws = [np.ones(y.shape[:2 if mode == 'temporal' else 1], K.floatx()) if w is None
                   else np.asarray(w) for w, y, mode in zip(sws, ys, modes)]
            flat = [np.asarray(a) for a in xs] + ys + sws
        if self._uses_dynamic_learning_phase():
            flat.append(1. if kind == 'train' else 0.)
        outs = to_list(fn(flat))
        if kind == 'predict':
            outs = [np.asarray(o) for o in outs]
        else:
            outs = np.asarray([np.asarray(o, 'float32').reshape(()) for o in outs], 'float32')
        if mode == 'gather':
            outs = [o[None] for o in outs] if kind == 'predict' else outs[None]
        return outs

    def _set_inputs(self, inputs, outputs=None, training=None):
        """Keras 2.2.4's way of giving a model its inputs again after `model.inputs = None`."""
        if self.inputs:
            raise ValueError('Model inputs are already set.')
        self.inputs = to_list(inputs)

    # ------------------------------------------------------------------ generators
    @interfaces.legacy_generator_methods_support
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, class_weight=None,
                      max_queue_size=10, workers=1, use_multiprocessing=False, shuffle=True,
                      initial_epoch=0):
        """Train the model on batches produced by a generator or a `keras.utils.Sequence`.

        # Arguments
            generator: a generator or `Sequence` yielding `(inputs, targets)` or
                `(inputs, targets, sample_weights)` batches.
            steps_per_epoch: batches per epoch (default `len(generator)` for a `Sequence`).
            epochs: index of the last epoch.
            verbose: 0, 1 or 2.
            callbacks: list of callbacks.
            validation_data: a generator/`Sequence` or an `(x_val, y_val[, weights])` tuple.
            validation_steps: batches drawn from a validation generator per epoch.
            class_weight: dict class index -> weight.
            max_queue_size: batches prepared ahead by the workers.
            workers: number of threads (or processes) preparing batches; 0 runs the generator
                on the main thread.
            use_multiprocessing: prepare batches in worker processes (Ctrl-C stops them; a
                worker that dies raises `WorkerDiedError`).
            shuffle: shuffle the batch order of a `Sequence` each epoch.
            initial_epoch: epoch at which to start.

        # Returns
            A `History`.
        """
        from .training_generator import fit_generator
        return fit_generator(self, generator, steps_per_epoch=steps_per_epoch, epochs=epochs,
                             verbose=verbose, callbacks=callbacks, validation_data=validation_data,
                             validation_steps=validation_steps, class_weight=class_weight,
                             max_queue_size=max_queue_size, workers=workers,
                             use_multiprocessing=use_multiprocessing, shuffle=shuffle,
                             initial_epoch=initial_epoch)

    @interfaces.legacy_generator_methods_support
    def evaluate_generator(self, generator, steps=None, max_queue_size=10, workers=1,
                           use_multiprocessing=False, verbose=0):
        """Loss and metrics on batches from a generator or `Sequence`.

        # Arguments
            generator: a generator or `Sequence` of `(inputs, targets[, weights])`.
            steps: batches to draw (default `len(generator)` for a `Sequence`).
            max_queue_size: batches prepared ahead.
            workers: threads or processes preparing batches.
            use_multiprocessing: use processes instead of threads.
            verbose: 0 or 1.

        # Returns
            A scalar or a list of scalars (see `model.metrics_names`).
        """
        from .training_generator import evaluate_generator
        return evaluate_generator(self, generator, steps=steps, max_queue_size=max_queue_size,
                                  workers=workers, use_multiprocessing=use_multiprocessing,
                                  verbose=verbose)

    @interfaces.legacy_generator_methods_support
    def predict_generator(self, generator, steps=None, max_queue_size=10, workers=1,
                          use_multiprocessing=False, verbose=0):
        """Outputs of the model for the batches of a generator or `Sequence`.

        # Arguments
            generator: a generator or `Sequence` yielding inputs (or `(inputs, targets)`).
            steps: batches to draw (default `len(generator)` for a `Sequence`).
            max_queue_size: batches prepared ahead.
            workers: threads or processes preparing batches.
            use_multiprocessing: use processes instead of threads.
            verbose: 0 or 1.

        # Returns
            A NumPy array, or a list of arrays for several outputs.
        """
        from .training_generator import predict_generator
        return predict_generator(self, generator, steps=steps, max_queue_size=max_queue_size,
                                 workers=workers, use_multiprocessing=use_multiprocessing,
                                 verbose=verbose)


# times a dispatch runs again for variables its trace read from outside its state, after
# which those a trace reads are taken to be its own (`Model._dispatch_compiled`)
_MAX_RETRACES = 2


def _rows_of_first_input(x):
    """The input arrays of `predict` cut to the first one's number of samples: Keras 2.2.4's
    predict loop took that number and read as many rows of the others (a model given one
    source sentence and an initial state of m rows: the deeplearning.ai NMT assignment)."""
    n = x[0].shape[0]
    for i, a in enumerate(x):
        if a.shape[0] < n:
            raise ValueError('predict: input %d has %d samples, fewer than the %d of the first '
                             'input (the number of samples predicted)' % (i, a.shape[0], n))
    return [a[:n] for a in x]


def _with_variables_replayed(store, key, fn, *args):
    """`fn(*args)` (a loss), where the variables it makes (`K.variable` in its body: a
    warm-up counter it increments) are those it made the first time it ran for `key`, in
    order (kept in the dict `store`), as Keras 2.2.4 called a loss once, at compile: a step
    traced again, or for another kind of step, reads and updates the same ones."""
    made = store.setdefault(key, [])
    count = [0]
    outer = K.state.current_creation_hook()

    def replay(value, dtype, name, constraint):
        i = count[0]
        count[0] += 1
        if i < len(made) and isinstance(made[i], K.Variable) and \
                tuple(made[i].shape) == tuple(np.shape(value)):
            return made[i]
        if outer is not None:
            variable = outer(value, dtype, name, constraint)
        else:
            # (a value of its own, not of the step being traced)
            with shape_inference.concrete_context():
                variable = K.Variable(value, dtype=dtype, name=name, constraint=constraint)
        made[i:i + 1] = [variable]
        return variable
    with K.state.variable_creation_hook(replay):
        return fn(*args)


@contextlib.contextmanager
def _host_draws_replayed(states, key):
    """Within this context NumPy's global generator and Python's `random` module draw what
    they drew the first time the context ran for `key` (their states then are kept in the
    dict `states`), and are set back after: a loss traced for each kind of step (train,
    test) makes the same host draws in each (`K.constant(np.random.randn(...))` in a
    random-projection loss, the initial weights of a network the loss builds), as Keras
    2.2.4 called it once, at compile."""
    if key not in states:
        states[key] = (np.random.get_state(), random.getstate())
        yield
        return
    saved = (np.random.get_state(), random.getstate())
    np.random.set_state(states[key][0])
    random.setstate(states[key][1])
    try:
        yield
    finally:
        np.random.set_state(saved[0])
        random.setstate(saved[1])


def _variables_of(optimizer):
    """The variables an optimizer holds now (none for an object without `variables`)."""
    variables = getattr(optimizer, 'variables', None)
    try:
        return list(variables()) if callable(variables) else []
    except Exception:   # (an optimizer of the user's that cannot list them yet)
        return []


@contextlib.contextmanager
def _attributes_as(obj, attributes):
    """Within this context `obj`'s attributes named in the dict `attributes` hold its
    values (and are set back after): a train step traced again reads the optimizer's
    variables it was made with, as Keras 2.2.4's train function, made once, did
    (`model.optimizer.lr = 0.` after the first fit changed nothing)."""
    before = dict(vars(obj))
    saved = {name: vars(obj)[name] for name in attributes if name in vars(obj)}
    vars(obj).update(attributes)
    try:
        yield
    finally:
        for name in attributes:
            if name in saved:
                vars(obj)[name] = saved[name]
            else:
                vars(obj).pop(name, None)
        # what the trace set on it to values of the trace (a custom `get_updates`'s
        # `self.eta_t = ...`) is set back: a value of a finished trace cannot be read
        for name, value in list(vars(obj).items()):
            if name not in attributes and _holds_traced(value):
                if name in before:
                    vars(obj)[name] = before[name]
                else:
                    del vars(obj)[name]


def _holds_traced(value):
    """Whether `value` is a value of a trace, or a list or tuple holding one."""
    if isinstance(value, (list, tuple)):
        return any(X.is_traced(v) for v in value)
    return X.is_traced(value)


def _target_shape(output_shape, fn):
    """The shape Keras 2.2.4 checked the targets of an output of `output_shape` and loss
    `fn` against: the output's for a loss of `keras.losses`, with one class index per
    position for sparse categorical crossentropy; None (no check) for a loss of the user's
    (bert4keras' CRF loss takes (batch, steps) labels for (batch, steps, tags) scores)."""
    output_shape = tuple(output_shape)
    if fn is losses_module.sparse_categorical_crossentropy:
        if K.image_data_format() == 'channels_first' and len(output_shape) in (4, 5):
            return (output_shape[0], 1) + output_shape[2:]
        return output_shape[:-1] + (1,)
    return output_shape if _builtin_loss(fn) else None


def _builtin_loss(fn):
    """Whether `fn` is a loss of `keras.losses` (Keras 2.2.4 checked the shape of its
    targets; those of a loss of the user's, a function of another module or a callable
    object, it took as they were)."""
    name = getattr(fn, '__name__', None)
    return name is not None and getattr(losses_module, name, None) is fn


def _holds_sparse(data):
    """Whether the (nested) lists of data arrays `data` hold a SciPy sparse matrix."""
    if isinstance(data, (list, tuple)):
        return any(_holds_sparse(a) for a in data)
    return _is_scipy_sparse(data)


def _dense(arrays):
    """The list `arrays` with its SciPy sparse matrices densified."""
    return [dense_rows(a) for a in arrays]


class _BatchFunction(object):
    """One batch through a compiled step of `model`, called as Keras 2.2.4 called its
    `train_function` / `test_function` / `predict_function`: with the flat list of input
    arrays, then (train, test) the targets and the sample weights of the outputs that have
    a loss (omitted weights are ones); a trailing learning-phase value is accepted and
    ignored (the step knows its phase). Returns the list of logs or outputs."""

    def __init__(self, model, kind):
        self.model = model
        self.kind = kind

    def __call__(self, ins):
        model = self.model
        ins = list(ins)
        n_in = len(model._feed_input_names)
        xs = [np.asarray(a) for a in ins[:n_in]]
        if self.kind == 'predict':
            return [X.to_numpy(o) for o in model._dispatch_compiled(
                'predict', 'host', [model._place_input(a, True) for a in xs])]
        n_out = len(model._feed_output_names)
        ys = [np.asarray(a) for a in ins[n_in:n_in + n_out]]
        sws = [np.asarray(a) for a in ins[n_in + n_out:n_in + 2 * n_out]]
        if len(ys) != n_out:
            raise ValueError('%s_function: expected %d input arrays and %d targets, got %d '
                             'arrays' % (self.kind, n_in, n_out, len(ins)))
        if len(sws) < n_out:
            sws = [np.ones(len(y), K.floatx()) for y in ys]
        batch = model._to_device((xs, ys, sws), single_batch=True)
        return list(X.to_numpy(model._dispatch_compiled(self.kind, 'host', batch)))


class _TotalLoss(Layer):
    """Keras 2.2.4's `model.total_loss` as a layer of the graph (`Model._training_tensors`):
    called on the model's outputs, its target and sample weight placeholders and its
    symbolic added losses, it computes the loss as the train step does (with `logs`, the
    outputs' losses and the metrics instead: `metrics_tensors`)."""

    _graph_internal = True

    def __init__(self, model, n_fed, n_extra, logs=False):
        super(_TotalLoss, self).__init__(name=model.name + ('_metrics' if logs else
                                                            '_total_loss'))
        self._model = model
        self._logs = logs
        self._sizes = (len(model.outputs), n_fed, n_extra)
        self._sublayers = [model]   # its weights are read by the call (regularizers)
        self.supports_masking = True
        self.built = True

    def _eager_losses(self):
        return []

    def call(self, inputs, mask=None):
        model = self._model
        n_out, n_fed, n_extra = self._sizes
        outputs = inputs[:n_out]
        ys = inputs[n_out:n_out + n_fed]
        sws = inputs[n_out + n_fed:n_out + 2 * n_fed]
        masks = (list(mask) if isinstance(mask, list) else [None] * len(inputs))[:n_out]
        total, out_losses, metric_values = model._losses_and_metrics(
            outputs, masks, ys, sws, with_metrics=self._logs)
        if self._logs:
            return (out_losses if len(outputs) > 1 else []) + metric_values
        for loss in model._eager_losses() + list(inputs[len(inputs) - n_extra:]
                                                  if n_extra else []):
            total = total + loss
        return total

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        if self._logs:
            return [()] * (getattr(self._model, '_compiled_metrics_count', 1) - 1)
        return ()


def _float_targets(y):
    """Integer and boolean targets as floats (`K.floatx()`), as the steps take them."""
    return y.astype(K.floatx()) if y.dtype.kind in 'iub' else y


def _loss_weight(weight):
    """A loss weight as the steps use it: a number as a float; a variable, or an expression
    of variables (`0.5 * kl_weight`), as it is, read by every step, so that a callback's
    `K.set_value` anneals it (Keras 2.2.4's graph multiplied the loss by the variable)."""
    if isinstance(weight, (K.Variable, VariableExpression)):
        return weight
    if isinstance(weight, (numbers.Real, np.ndarray, np.generic)) and np.ndim(weight) == 0:
        return float(weight)
    if K.is_tensor(weight) and not isinstance(weight, KerasTensor) and \
            tuple(weight.shape) == ():
        # the backend's own scalar variables and tensors (uzh-rpg's Dronet anneals
        # `tf.Variable`s from a callback), read by every step as 2.2.4's graph read them
        return weight
    raise TypeError('loss_weights: expected numbers or scalar variables, got %r' % (weight,))


def _attribute_owners(fns):
    """The objects whose attributes the loss and metric functions `fns` may set: a bound
    method's object, a callable object itself (not functions, partials or modules)."""
    owners = []
    for fn in fns:
        if isinstance(fn, types.MethodType):
            owner = fn.__self__
        elif isinstance(fn, (types.FunctionType, types.BuiltinFunctionType,
                             functools.partial)):
            owner = None
        else:
            owner = fn
        if owner is not None and not isinstance(owner, (type, types.ModuleType)) and \
                hasattr(owner, '__dict__') and all(owner is not o for o in owners):
            owners.append(owner)
    return owners


class _GraphLoss(object):
    """A loss function applied once to output `index`'s tensor and a target placeholder, as
    Keras 2.2 applied losses, and run on a step's values: the graph's inputs get the step's
    input arrays and targets, the output's tensor the step's prediction. What the layers of
    that run add (losses, updates) stays out of the step: the forward pass made them; the
    loss's own updates (a warm-up counter it increments) are the step's, as the ops of Keras
    2.2's loss graph ran in the step."""

    def __init__(self, model, index, loss_fn, y_true):
        from .graph_functions import _source_inputs
        self._model = model
        output = model.outputs[index]
        self._output = output
        # (Keras 2.2's target placeholders had no static sizes; here a size the output's
        # tensor also has is kept, so that ops needing it keep working)
        shape = [d if k < len(output.shape) and d == output.shape[k] else None
                 for k, d in enumerate(K.int_shape(y_true))]
        self._target = K.placeholder(shape=tuple(shape), dtype=K.dtype(y_true),
                                     name=model.output_names[index] + '_target')
        with shape_inference.concrete_context():
            loss = loss_fn(self._target, output)
            if not isinstance(loss, KerasTensor):
                raise TypeError('the loss of %s gave no tensor of the graph' % output.name)
            self._net = GraphFunctionNetwork(_source_inputs([loss]), [loss])
        # what feeds each input of the loss's graph: the target (None) or a model input
        self._feeds = []
        for source in self._net.inputs:
            positions = [k for k, t in enumerate(model.inputs) if t is source]
            if source is not self._target and not positions:
                raise ValueError('A loss of %s reads %s, which is not an input of the model'
                                 % (output.name, source.name))
            self._feeds.append(None if source is self._target else positions[0])

    def __call__(self, xs, y_true, y_pred):
        values = [y_true if k is None else xs[k] for k in self._feeds]
        with K.StatelessScope() as scope:
            outputs, _ = self._net._run_graph(values, overrides={id(self._output): y_pred})
        step = K.current_scope()
        if step is not None and scope.updates:
            layers = set(id(v) for v in self._model._all_layer_variables())
            for variable, value in scope.updates.items():
                if id(variable) not in layers:
                    step.assign(variable, value)
        return outputs[0]


def _progbar(n, verbose):
    """The progress bar of `evaluate` / `predict` over `n` samples (None unless verbose is 1),
    started before the work so that its times are the work's."""
    if verbose != 1:
        return None
    from ..utils.generic_utils import Progbar
    return Progbar(target=n, verbose=1)
