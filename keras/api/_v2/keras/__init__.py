"""`tf.keras` for TensorFlow 2 (see `keras.api`)."""
from ... import route

route(__name__, 'v2')
