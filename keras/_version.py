"""The version of the Keras API this package implements."""
__version__ = '2.2.4'
