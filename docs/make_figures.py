"""Draws the pictures of the documentation into docs/img/ (committed; rerun after changes
that alter them):

* `functional_model.png`: `plot_model` of the two-input, two-output model of the
  functional API guide (needs pydot and Graphviz's `dot`);
* `history.png`: the learning curves of a small MLP trained on the MNIST digits bundled
  with the package (needs matplotlib).

    python docs/make_figures.py
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
IMG = os.path.join(HERE, 'img')


def functional_model():
    from keras.layers import Dense, Embedding, Input, LSTM, concatenate
    from keras.models import Model
    main_input = Input(shape=(100,), dtype='int32', name='main_input')
    x = Embedding(output_dim=512, input_dim=10000, input_length=100)(main_input)
    lstm_out = LSTM(32)(x)
    auxiliary_output = Dense(1, activation='sigmoid', name='aux_output')(lstm_out)
    auxiliary_input = Input(shape=(5,), name='aux_input')
    x = concatenate([lstm_out, auxiliary_input])
    for _ in range(3):
        x = Dense(64, activation='relu')(x)
    main_output = Dense(1, activation='sigmoid', name='main_output')(x)
    return Model(inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output])


def learning_curves(path, epochs=12):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import keras
    from keras.datasets import mnist
    from keras.layers import Dense, Dropout
    from keras.models import Sequential

    np.random.seed(1)
    (x, y), _ = mnist.load_sample()
    x = x.reshape(len(x), -1).astype('float32') / 255
    y = keras.utils.to_categorical(y, 10)
    model = Sequential([Dense(256, activation='relu', input_shape=(784,)), Dropout(0.3),
                        Dense(10, activation='softmax')])
    model.compile('adam', 'categorical_crossentropy', metrics=['acc'])
    history = model.fit(x, y, batch_size=64, epochs=epochs, validation_split=0.25, verbose=0)
    logs = history.history
    epochs_axis = np.arange(1, epochs + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    left.plot(epochs_axis, logs['loss'], 'o-', label='training')
    left.plot(epochs_axis, logs['val_loss'], 's--', label='validation')
    left.set(xlabel='epoch', ylabel='categorical cross-entropy', title='history.history[\'loss\']')
    right.plot(epochs_axis, logs['acc'], 'o-', label='training')
    right.plot(epochs_axis, logs['val_acc'], 's--', label='validation')
    right.set(xlabel='epoch', ylabel='accuracy', title='history.history[\'acc\']')
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main():
    from keras.utils import plot_model
    os.makedirs(IMG, exist_ok=True)
    plot_model(functional_model(), to_file=os.path.join(IMG, 'functional_model.png'),
               show_shapes=True)
    learning_curves(os.path.join(IMG, 'history.png'))
    print('wrote docs/img/functional_model.png and docs/img/history.png')


if __name__ == '__main__':
    main()
