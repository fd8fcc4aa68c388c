"""The version of this package: the Keras API it implements (2.2.4), with the PEP 440 local
label `+jax` saying that this is the rebuild on JAX. Code that compares versions
(`LooseVersion(keras.__version__) >= '2.2'`, `packaging.version.parse`) sees 2.2.4."""
__version__ = '2.2.4+jax'
