"""Keras 2.2.4 `keras.legacy.layers`: the deprecated layers Keras 2 kept for old code.

They live in `keras.layers.legacy` (MaxoutDense, Highway, Recurrent, ConvRecurrent2D) and
`keras.layers.convolutional` (AtrousConvolution1D/2D); this module re-exports them under the
Keras 2.2.4 path.  The Keras 1 `Merge` layer and `merge` function of that module are not
provided (use the functional merge layers of `keras.layers`).
"""
from ..layers.legacy import MaxoutDense, Highway, Recurrent, ConvRecurrent2D
from ..layers.convolutional import AtrousConvolution1D, AtrousConvolution2D

__all__ = ['MaxoutDense', 'Highway', 'Recurrent', 'ConvRecurrent2D',
           'AtrousConvolution1D', 'AtrousConvolution2D']
