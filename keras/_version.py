"""The version of this package as Keras 2 code reads it: the Keras API it implements,
`'2.2.4'`, as Keras 2.2.4's `keras.__version__` was (code parses it with
`tuple(map(int, keras.__version__.split('.')))`, keras-retinanet's version check). The
distribution's version, which pip records, is `2.2.4+jax`: the PEP 440 local label says
that this is the rebuild on JAX."""
__version__ = '2.2.4'
