"""`tf.compat.v1.keras` (see `keras.api`)."""
from ... import route

route(__name__, 'v1')
