"""Wrappers for using Keras models as scikit-learn estimators (Keras 2.2 semantics).

`build_fn` is a function (or callable object) returning a compiled Keras model; the
remaining keyword arguments (`sk_params`) are routed by name to `build_fn`, `fit`,
`predict`, `predict_classes`, `predict_proba` and `evaluate`.
"""
import copy
import types

import numpy as np

from ..engine.training import Model
from ..engine.sequential import Sequential
from ..utils.generic_utils import has_arg, to_list  # noqa: F401  (to_list: 2.2.4's import)
from ..utils.np_utils import to_categorical


# Signatures of the Sequential prediction helpers, used to route sk_params by name when the
# model class does not define them itself.
def _predict_classes(x, batch_size=32, verbose=0):
    pass


def _predict_proba(x, batch_size=32, verbose=0):
    pass


def _legal_fn(name, fallback):
    return getattr(Sequential, name, None) or fallback


def _predict_classes_of(model, x, **kwargs):
    if hasattr(model, 'predict_classes'):
        return model.predict_classes(x, **kwargs)
    proba = model.predict(x, **kwargs)
    if proba.shape[-1] > 1:
        return proba.argmax(axis=-1)
    return (proba > 0.5).astype('int32')


def _predict_proba_of(model, x, **kwargs):
    if hasattr(model, 'predict_proba'):
        return model.predict_proba(x, **kwargs)
    return model.predict(x, **kwargs)


def _loss_name(model):
    loss = getattr(model, 'loss', None)
    return getattr(loss, '__name__', loss)


class BaseWrapper(object):
    """Base class for the Keras scikit-learn wrappers.

    # Arguments
        build_fn: callable function or class instance returning a compiled model; when None,
            the wrapper's own `__call__` (defined in a subclass) builds the model.
        **sk_params: model parameters and fitting parameters, routed to `build_fn`, `fit`,
            `predict`, `predict_proba` and `score` by argument name.
    """

    def __init__(self, build_fn=None, **sk_params):
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def _build_callable(self):
        """What builds the model, as a function whose arguments name the sk_params it
        takes: `build_fn`, the `__call__` of a callable object, or the wrapper's own
        `__call__` without `build_fn`."""
        if self.build_fn is None:
            return self.__call__
        if not isinstance(self.build_fn, (types.FunctionType, types.MethodType)):
            return self.build_fn.__call__
        return self.build_fn

    def _legal_params_fns(self):
        return [Sequential.fit, Sequential.predict,
                _legal_fn('predict_classes', _predict_classes), Model.evaluate,
                self._build_callable()]

    def check_params(self, params):
        """Raise ValueError for any parameter no routed function accepts.

        # Arguments
            params: dictionary of parameter names and values.
        """
        legal_params_fns = self._legal_params_fns()
        for params_name in params:
            for fn in legal_params_fns:
                if has_arg(fn, params_name):
                    break
            else:
                if params_name != 'nb_epoch':
                    raise ValueError('{} is not a legal parameter'.format(params_name))

    def get_params(self, **params):
        """Parameters of this estimator (`deep` is accepted and ignored)."""
        res = copy.deepcopy(self.sk_params)
        res.update({'build_fn': self.build_fn})
        return res

    def set_params(self, **params):
        """Set (and validate) parameters of this estimator; returns self."""
        self.check_params(params)
        self.sk_params.update(params)
        return self

    def __sklearn_is_fitted__(self):
        """Whether `fit` has built the model (scikit-learn's `check_is_fitted` asks this: a
        fitted `KerasRegressor` has no attribute ending in `_` to tell it so).

        # Returns
            A boolean.
        """
        return hasattr(self, 'model')

    def _build_model(self):
        build = self._build_callable()
        return build(**self.filter_sk_params(build))

    def fit(self, x, y, **kwargs):
        """Build a fresh model with `build_fn` and fit it; returns the `History`.

        # Arguments
            x: training inputs, array `(n_samples, n_features)`.
            y: training targets.
        """
        self.model = self._build_model()
        if _loss_name(self.model) == 'categorical_crossentropy' and len(np.shape(y)) != 2:
            y = to_categorical(y)
        fit_args = copy.deepcopy(self.filter_sk_params(Sequential.fit))
        fit_args.update(kwargs)
        return self.model.fit(x, y, **fit_args)

    def filter_sk_params(self, fn, override=None):
        """The sk_params accepted by `fn`, updated with `override`.

        # Arguments
            fn: the function whose arguments select the parameters.
            override: dictionary of values taking precedence.

        # Returns
            A dictionary.
        """
        override = override or {}
        res = {name: value for name, value in self.sk_params.items() if has_arg(fn, name)}
        res.update(override)
        return res


class KerasClassifier(BaseWrapper):
    """Implementation of the scikit-learn classifier API for Keras.

    # Arguments
        build_fn: callable returning a compiled model (a function, or an object with
            `__call__`); `None`: the wrapper's own `__call__` (subclassing).
    """

    _estimator_type = 'classifier'

    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags, Tags, TargetTags
        return Tags(estimator_type='classifier', target_tags=TargetTags(required=True),
                    classifier_tags=ClassifierTags())

    def fit(self, x, y, sample_weight=None, **kwargs):
        """Fit on `x` and labels `y` (class labels, or one-hot / multi-column targets).

        # Arguments
            x: training inputs.
            y: class labels: integers, or one-hot rows.
            sample_weight: optional sample weights.
        """
        y = np.array(y)
        if len(y.shape) == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif (len(y.shape) == 2 and y.shape[1] == 1) or len(y.shape) == 1:
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y)
        else:
            raise ValueError('Invalid shape for y: ' + str(y.shape))
        self.n_classes_ = len(self.classes_)
        if sample_weight is not None:
            kwargs['sample_weight'] = sample_weight
        return super(KerasClassifier, self).fit(x, y, **kwargs)

    def predict(self, x, **kwargs):
        """Class labels (from `classes_`) predicted for `x`.

        # Arguments
            x: inputs.
        """
        kwargs = self.filter_sk_params(_legal_fn('predict_classes', _predict_classes), kwargs)
        classes = _predict_classes_of(self.model, x, **kwargs)
        return self.classes_[classes]

    def predict_proba(self, x, **kwargs):
        """Class probabilities, shape (n_samples, n_classes); a single sigmoid unit gives
        two columns [1 - p, p].

        # Arguments
            x: inputs.
        """
        kwargs = self.filter_sk_params(_legal_fn('predict_proba', _predict_proba), kwargs)
        probs = _predict_proba_of(self.model, x, **kwargs)
        if probs.shape[1] == 1:
            probs = np.hstack([1 - probs, probs])
        return probs

    def score(self, x, y, **kwargs):
        """Mean accuracy on the given data (needs `metrics=['accuracy']` at compile time).

        # Arguments
            x: inputs.
            y: true labels.
        """
        y = np.searchsorted(self.classes_, y)
        kwargs = self.filter_sk_params(Sequential.evaluate, kwargs)
        if _loss_name(self.model) == 'categorical_crossentropy' and len(y.shape) != 2:
            y = to_categorical(y)
        outputs = self.model.evaluate(x, y, **kwargs)
        if not isinstance(outputs, list):
            outputs = [outputs]
        for name, output in zip(self.model.metrics_names, outputs):
            if name == 'acc':
                return output
        raise ValueError('The model is not configured to compute accuracy. '
                         'You should pass `metrics=["accuracy"]` to '
                         'the `model.compile()` method.')


class KerasRegressor(BaseWrapper):
    """Implementation of the scikit-learn regressor API for Keras.

    # Arguments
        build_fn: callable returning a compiled model (a function, or an object with
            `__call__`); `None`: the wrapper's own `__call__` (subclassing).
    """

    _estimator_type = 'regressor'

    def __sklearn_tags__(self):
        from sklearn.utils import RegressorTags, Tags, TargetTags
        return Tags(estimator_type='regressor', target_tags=TargetTags(required=True),
                    regressor_tags=RegressorTags())

    def predict(self, x, **kwargs):
        """Predictions for `x`, squeezed (a single output unit gives shape (n_samples,)).

        # Arguments
            x: inputs.
        """
        kwargs = self.filter_sk_params(Sequential.predict, kwargs)
        return np.squeeze(self.model.predict(x, **kwargs))

    def score(self, x, y, **kwargs):
        """Negative loss on the given data (scikit-learn maximizes scores).

        # Arguments
            x: inputs.
            y: true targets.
        """
        kwargs = self.filter_sk_params(Model.evaluate, kwargs)
        loss = self.model.evaluate(x, y, **kwargs)
        if isinstance(loss, list):
            return -loss[0]
        return -loss
