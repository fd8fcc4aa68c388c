"""Trains a simple deep MLP on the MNIST digits bundled with the package.

The classic Keras example (Dense 512 relu, Dropout 0.2, Dense 512 relu, Dropout 0.2,
Dense 10 softmax, RMSprop), run on the 10,000 real MNIST test digits that ship inside
`keras/data/mnist` (8,000 for training, 2,000 for testing), so it works offline.
Writes `model.png` (when pydot and graphviz are installed) and `history.png`
(when matplotlib is installed) next to the current directory.
"""
from __future__ import print_function

import argparse

import keras
from keras.datasets import mnist
from keras.models import Sequential
from keras.layers import Dense, Dropout
from keras.optimizers import RMSprop


def main(epochs=20, batch_size=128, plots=True):
    num_classes = 10
    # the digits bundled with Keras (mnist.load_data() gives the full 60,000 + 10,000 when
    # mnist.npz is in the Keras cache or can be downloaded)
    (x_train, y_train), (x_test, y_test) = mnist.load_sample()
    x_train = x_train.reshape(len(x_train), 784).astype('float32') / 255
    x_test = x_test.reshape(len(x_test), 784).astype('float32') / 255
    print(x_train.shape[0], 'train samples')
    print(x_test.shape[0], 'test samples')
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)

    model = Sequential()
    model.add(Dense(512, activation='relu', input_shape=(784,)))
    model.add(Dropout(0.2))
    model.add(Dense(512, activation='relu'))
    model.add(Dropout(0.2))
    model.add(Dense(num_classes, activation='softmax'))
    model.summary()
    model.compile(loss='categorical_crossentropy', optimizer=RMSprop(), metrics=['accuracy'])
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=1,
                        validation_data=(x_test, y_test))
    score = model.evaluate(x_test, y_test, verbose=0)
    print('Test loss:', score[0])
    print('Test accuracy:', score[1])
    if plots:
        _plots(model, history)
    return score


def _plots(model, history):
    try:
        from keras.utils import plot_model
        plot_model(model, to_file='model.png', show_shapes=True)
        print('Wrote model.png')
    except (ImportError, OSError, AttributeError) as e:
        print('Skipping model.png:', e)
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        print('Skipping history.png: matplotlib is not installed (pip install matplotlib)')
        return
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, key in zip(axes, ('acc', 'loss')):
        ax.plot(history.epoch, history.history[key], label='train')
        ax.plot(history.epoch, history.history['val_' + key], label='validation')
        ax.set_xlabel('epoch')
        ax.set_title('accuracy' if key == 'acc' else 'loss')
        ax.legend()
    fig.tight_layout()
    fig.savefig('history.png')
    print('Wrote history.png')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--epochs', type=int, default=20)
    parser.add_argument('--batch-size', type=int, default=128)
    parser.add_argument('--no-plots', action='store_true')
    args = parser.parse_args()
    main(args.epochs, args.batch_size, plots=not args.no_plots)
