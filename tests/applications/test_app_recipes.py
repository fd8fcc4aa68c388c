"""The feature-extraction and fine-tuning recipes of the Keras 2 documentation, written
as users write them, on small inputs."""
import numpy as np

import keras
from keras import backend as K
from keras.applications.inception_v3 import InceptionV3
from keras.applications.vgg16 import VGG16, preprocess_input
from keras.layers import Dense, GlobalAveragePooling2D, Input
from keras.models import Model
from keras.optimizers import SGD
from keras.utils import Sequence


def test_vgg16_feature_extraction_from_an_intermediate_layer():
    K.clear_session()
    base_model = VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    model = Model(inputs=base_model.input, outputs=base_model.get_layer('block4_pool').output)
    assert model.output_shape == (None, 2, 2, 512)
    images = np.random.RandomState(0).randint(0, 256, (2, 32, 32, 3)).astype('float32')
    x = preprocess_input(images.copy())
    features = model.predict(x)
    assert features.shape == (2, 2, 2, 512)
    # the same features through the full base model's layers, one by one
    h = x
    for layer in base_model.layers[1:base_model.layers.index(
            base_model.get_layer('block4_pool')) + 1]:
        h = np.asarray(layer(K.constant(h)))
    np.testing.assert_allclose(features, h, rtol=1e-4, atol=1e-4)


class _RandomImages(Sequence):
    def __init__(self, n_batches, batch_size, shape, classes, seed):
        rng = np.random.RandomState(seed)
        self.x = rng.rand(n_batches * batch_size, *shape).astype('float32') * 2 - 1
        self.y = keras.utils.to_categorical(rng.randint(0, classes, len(self.x)), classes)
        self.batch_size = batch_size

    def __len__(self):
        return len(self.x) // self.batch_size

    def __getitem__(self, i):
        s = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return self.x[s], self.y[s]


def test_inception_v3_fine_tuning_recipe():
    """keras.io 'Fine-tune InceptionV3 on a new set of classes', on 75x75 inputs."""
    K.clear_session()
    base_model = InceptionV3(weights=None, include_top=False, input_shape=(75, 75, 3))
    x = base_model.output
    x = GlobalAveragePooling2D()(x)
    x = Dense(16, activation='relu')(x)
    predictions = Dense(3, activation='softmax')(x)
    model = Model(inputs=base_model.input, outputs=predictions)

    # 1) train only the new top layers
    for layer in base_model.layers:
        layer.trainable = False
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy')
    frozen_before = [w.copy() for w in base_model.get_weights()]
    data = _RandomImages(2, 4, (75, 75, 3), 3, seed=1)
    top_before = model.layers[-1].get_weights()[0].copy()
    model.fit_generator(data, steps_per_epoch=2, epochs=1, verbose=0)
    for before, after in zip(frozen_before, base_model.get_weights()):
        np.testing.assert_array_equal(before, after)   # incl. BN moving statistics
    assert not np.allclose(top_before, model.layers[-1].get_weights()[0])

    # 2) unfreeze the top two inception blocks (layers from 249 on), recompile, train
    assert model.layers[249].name == 'conv2d_81' and model.layers[248].name == 'mixed8'
    for layer in model.layers[:249]:
        layer.trainable = False
    for layer in model.layers[249:]:
        layer.trainable = True
    model.compile(optimizer=SGD(lr=0.0001, momentum=0.9), loss='categorical_crossentropy')
    n_trainable = sum(int(np.prod(K.int_shape(w))) for w in model.trainable_weights)
    assert n_trainable == sum(l.count_params() for l in model.layers[249:]
                              if l.trainable_weights) - sum(
        int(np.prod(K.int_shape(w))) for l in model.layers[249:]
        for w in l.non_trainable_weights)
    lower = [w.copy() for l in model.layers[:249] for w in l.get_weights()]
    upper = model.get_layer('conv2d_81').get_weights()[0].copy()
    history = model.fit_generator(data, steps_per_epoch=2, epochs=1, verbose=0)
    assert np.isfinite(history.history['loss'][0])
    for before, after in zip(lower, [w for l in model.layers[:249] for w in l.get_weights()]):
        np.testing.assert_array_equal(before, after)
    assert not np.allclose(upper, model.get_layer('conv2d_81').get_weights()[0])


def test_inception_v3_on_a_given_input_tensor():
    K.clear_session()
    input_tensor = Input(shape=(224, 224, 3))
    model = InceptionV3(input_tensor=input_tensor, weights=None, include_top=True)
    assert model.inputs == [input_tensor]
    assert model.output_shape == (None, 1000)
