"""TensorFlow 1's route to Keras (see `keras.api`)."""
