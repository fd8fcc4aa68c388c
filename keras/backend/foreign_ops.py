"""The note an error gets when a TensorFlow function was given a value of the JAX backend.

Keras 2 code often calls raw TensorFlow ops on Keras tensors, in layers and in losses
(`tf.image.crop_and_resize`, `tf.split` of a model's input). They run on the TensorFlow
backend; on JAX, TensorFlow fails deep inside its own code (converting a JAX value to a
NumPy array) with a message about JAX tracers that names neither TensorFlow nor the line
of the user's code that called it. The errors that reach the user from such a call (shape
inference of a layer, the trace of a step, a Keras tensor asked for its value) get a note
naming that line and the backend that runs it.
"""
import linecache
import os
import sys


def _is_tensorflow(frame):
    name = frame.f_globals.get('__name__') or ''
    return name == 'tensorflow' or name.startswith('tensorflow.')


def _caller_of_tensorflow(entries):
    """The `(frame, line number)` that called into TensorFlow among `entries` (outermost
    first), or None where no TensorFlow function is among them."""
    for i in range(1, len(entries)):
        if _is_tensorflow(entries[i][0]) and not _is_tensorflow(entries[i - 1][0]):
            return entries[i - 1]
    return None


def _note(caller):
    from .config import backend
    if backend() != 'jax':
        return None
    frame, line = caller
    filename = frame.f_code.co_filename
    code = linecache.getline(filename, line).strip()
    return ('A TensorFlow function, called at %s:%d%s, was given a value of the JAX '
            'backend (a Keras tensor or a traced array). Raw TensorFlow ops on Keras '
            'tensors, in layers and in losses, run on the TensorFlow backend: set '
            'KERAS_BACKEND=tensorflow, or write them with keras.backend functions.'
            % (os.path.basename(filename), line, ' (`%s`)' % code if code else ''))


def note_on_error(error):
    """Add the note (once) to `error` when its traceback went through a TensorFlow function
    called from other code, on the JAX backend. Returns `error`."""
    entries = []
    tb = error.__traceback__
    while tb is not None:
        entries.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    caller = _caller_of_tensorflow(entries)
    note = _note(caller) if caller is not None else None
    if note and hasattr(error, 'add_note') and note not in getattr(error, '__notes__', ()):
        error.add_note(note)
    return error


def note_for_current_call():
    """The note for an error about to be raised here, when the current call stack went
    through a TensorFlow function (e.g. `KerasTensor.__array__` called by TensorFlow's
    conversion of its arguments), else ''."""
    entries = []
    frame = sys._getframe(1)
    while frame is not None:
        entries.append((frame, frame.f_lineno))
        frame = frame.f_back
    caller = _caller_of_tensorflow(entries[::-1])
    note = _note(caller) if caller is not None else None
    return ' ' + note if note else ''
