import numpy as np
import pytest

import sklearn  # noqa: F401,E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402

from keras import layers  # noqa: E402
from keras.models import Sequential  # noqa: E402
from keras.wrappers.scikit_learn import KerasClassifier, KerasRegressor  # noqa: E402


def _blobs(n=60, seed=0):
    rng = np.random.RandomState(seed)
    centers = np.array([[2., 0.], [-2., 0.], [0., 2.5]], 'float32')
    labels = np.arange(n) % 3
    x = centers[labels] + 0.3 * rng.randn(n, 2).astype('float32')
    # String-free but non-contiguous labels to exercise the classes_ encoding.
    y = np.array([10, 20, 30])[labels]
    return x.astype('float32'), y


def build_classifier(hidden_dims=8, loss='categorical_crossentropy', n_out=3):
    model = Sequential()
    model.add(layers.Dense(hidden_dims, input_shape=(2,), activation='relu'))
    model.add(layers.Dense(n_out, activation='softmax' if n_out > 1 else 'sigmoid'))
    model.compile(optimizer='adam', loss=loss, metrics=['accuracy'])
    return model


def build_regressor(hidden_dims=8):
    model = Sequential()
    model.add(layers.Dense(hidden_dims, input_shape=(3,), activation='relu'))
    model.add(layers.Dense(1))
    model.compile(optimizer='adam', loss='mse')
    return model


class ClassBuilder(object):
    def __call__(self, hidden_dims=8, loss='sparse_categorical_crossentropy'):
        return build_classifier(hidden_dims, loss=loss)


def test_classifier_fit_predict_score():
    # initial weights from NumPy's global generator (as in Keras 2): seeded, so that the
    # accuracy below does not depend on which tests ran before in this process
    np.random.seed(1)
    x, y = _blobs()
    clf = KerasClassifier(build_classifier, hidden_dims=16, epochs=60, batch_size=20, verbose=0)
    history = clf.fit(x, y)
    assert len(history.history['loss']) == 60
    assert list(clf.classes_) == [10, 20, 30] and clf.n_classes_ == 3
    # categorical_crossentropy: integer labels were one-hot encoded for fit.
    assert clf.model.output_shape == (None, 3)
    pred = clf.predict(x)
    assert pred.shape == (60,) and set(pred) <= {10, 20, 30}
    proba = clf.predict_proba(x)
    assert proba.shape == (60, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1., rtol=1e-5)
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    score = clf.score(x, y)
    assert score == pytest.approx(np.mean(pred == y), abs=1e-6)
    assert score > 0.9


def test_classifier_sparse_binary_and_callable_object():
    x, y = _blobs()
    # A callable object as build_fn; sparse labels are fed as class indices (no one-hot).
    clf = KerasClassifier(ClassBuilder(), hidden_dims=4, epochs=5, batch_size=60, verbose=0)
    clf.fit(x, y)
    assert clf.model.layers[0].units == 4
    assert clf.predict_proba(x).shape == (60, 3)
    assert set(clf.predict(x)) <= {10, 20, 30}

    yb = (y == 10).astype('int32')
    clf = KerasClassifier(build_classifier, loss='binary_crossentropy', n_out=1,
                          epochs=5, batch_size=60, verbose=0)
    clf.fit(x, yb)
    proba = clf.predict_proba(x)
    assert proba.shape == (60, 2)
    np.testing.assert_allclose(proba[:, 0], 1 - proba[:, 1], rtol=1e-6)
    pred = clf.predict(x)
    np.testing.assert_array_equal(pred.ravel(), (proba[:, 1] > 0.5).astype('int32'))



def test_classifier_without_accuracy_metric():
    x, y = _blobs()

    def build():
        model = Sequential([layers.Dense(3, input_shape=(2,), activation='softmax')])
        model.compile('sgd', 'categorical_crossentropy')
        return model
    clf = KerasClassifier(build, epochs=1, batch_size=60, verbose=0)
    clf.fit(x, y)
    with pytest.raises(ValueError, match='accuracy'):
        clf.score(x, y)


def test_params_check_get_set():
    with pytest.raises(ValueError, match='not_a_param is not a legal parameter'):
        KerasClassifier(build_classifier, not_a_param=3)
    clf = KerasClassifier(build_classifier, hidden_dims=5, epochs=2, batch_size=7)
    params = clf.get_params()
    assert params == {'build_fn': build_classifier, 'hidden_dims': 5, 'epochs': 2,
                      'batch_size': 7}
    assert clf.set_params(hidden_dims=9) is clf
    assert clf.get_params()['hidden_dims'] == 9
    with pytest.raises(ValueError, match='bogus is not a legal parameter'):
        clf.set_params(bogus=1)
    assert clf.filter_sk_params(build_classifier) == {'hidden_dims': 9}
    assert clf.filter_sk_params(Sequential.fit, {'epochs': 4}) == {'epochs': 4, 'batch_size': 7}


def test_regressor_fit_predict_score():
    np.random.seed(0)  # initial weights come from NumPy's global generator
    rng = np.random.RandomState(1)
    x = rng.randn(64, 3).astype('float32')
    y = (x @ np.array([1., -2., 0.5], 'float32') + 0.3).astype('float32')
    reg = KerasRegressor(build_regressor, hidden_dims=16, epochs=80, batch_size=16, verbose=0)
    reg.fit(x, y)
    pred = reg.predict(x)
    assert pred.shape == (64,)
    score = reg.score(x, y)
    # score is the negative mean-squared-error loss computed by evaluate.
    assert score == pytest.approx(-np.mean((pred - y) ** 2), rel=1e-4, abs=1e-6)
    # the fitted model explains most of the target variance
    assert score > -0.25 * np.var(y)


def test_sklearn_model_selection():
    x, y = _blobs(n=48)
    clf = KerasClassifier(build_classifier, epochs=3, batch_size=16, verbose=0)
    scores = cross_val_score(clf, x, y, cv=3)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))

    rng = np.random.RandomState(2)
    xr = rng.randn(30, 3).astype('float32')
    yr = xr.sum(axis=1)
    reg = KerasRegressor(build_regressor, epochs=2, verbose=0)
    grid = GridSearchCV(reg, {'hidden_dims': [2, 4]}, cv=2)
    grid.fit(xr, yr)
    assert grid.best_params_['hidden_dims'] in (2, 4)
    assert grid.best_estimator_.model.layers[0].units == grid.best_params_['hidden_dims']
    assert len(grid.cv_results_['mean_test_score']) == 2
    assert np.all(grid.cv_results_['mean_test_score'] <= 0)


def test_a_regressor_in_a_pipeline_is_fitted_once_fit():
    # the "regression with Keras and scikit-learn" recipe: StandardScaler then KerasRegressor
    # in a Pipeline. scikit-learn asks a pipeline's last step whether it is fitted (a fitted
    # KerasRegressor has no attribute ending in '_' to tell it); the wrapper answers
    from sklearn.exceptions import NotFittedError
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.utils.validation import check_is_fitted
    rng = np.random.RandomState(3)
    x = rng.randn(32, 3).astype('float32') * 10.
    y = x.sum(axis=1) / 10.
    regressor = KerasRegressor(build_regressor, epochs=2, batch_size=16, verbose=0)
    with pytest.raises(NotFittedError):
        check_is_fitted(regressor)
    pipeline = make_pipeline(StandardScaler(), regressor)
    pipeline.fit(x, y)
    check_is_fitted(regressor)
    scaled = pipeline[0].transform(x)
    np.testing.assert_allclose(pipeline.predict(x), regressor.predict(scaled), rtol=1e-6)
    assert pipeline.score(x, y) == pytest.approx(regressor.score(scaled, y), rel=1e-5)
    scores = cross_val_score(make_pipeline(StandardScaler(), KerasRegressor(
        build_regressor, epochs=1, verbose=0)), x, y, cv=2)
    assert np.isfinite(scores).all()
