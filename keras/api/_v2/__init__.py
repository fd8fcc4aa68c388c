"""TensorFlow 2's route to Keras (see `keras.api`)."""
