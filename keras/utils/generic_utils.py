"""Python utilities: custom objects, (de)serialization of Keras objects, helpers."""
import inspect
import marshal
import numbers
import sys
import types
import binascii
import codecs
import contextlib
import time

import numpy as np

_GLOBAL_CUSTOM_OBJECTS = {}


class CustomObjectScope(object):
    """Within `with CustomObjectScope({'name': obj}):` deserialization finds `obj` by name."""

    def __init__(self, *args):
        for a in args:
            if not isinstance(a, dict):
                raise TypeError('CustomObjectScope: expected dicts of name -> object, got %r'
                                % (a,))
        self.custom_objects = args
        self.backup = None

    def __enter__(self):
        """Makes the scope's custom objects visible to deserialization."""
        self.backup = _GLOBAL_CUSTOM_OBJECTS.copy()
        for objects in self.custom_objects:
            _GLOBAL_CUSTOM_OBJECTS.update(objects)
        return self

    def __exit__(self, *args, **kwargs):
        """Restores the custom objects that were visible before the scope."""
        _GLOBAL_CUSTOM_OBJECTS.clear()
        _GLOBAL_CUSTOM_OBJECTS.update(self.backup)


def custom_object_scope(*args):
    """A scope in which deserialization (`load_model`, `model_from_json`, ...) finds the given
    custom objects by name.

    # Arguments
        *args: dictionaries mapping names to classes or functions.

    # Returns
        A `CustomObjectScope`.

    # Example
    ```python
    with custom_object_scope({'MyLayer': MyLayer}):
        model = load_model('model.h5')
    ```
    """
    return CustomObjectScope(*args)


def get_custom_objects():
    """The global dict of custom objects (mutable, as in Keras 2).

    # Returns
        The dictionary of globally registered custom objects (changes to it register objects).
    """
    return _GLOBAL_CUSTOM_OBJECTS


def serialize_keras_object(instance):
    """The config of a Keras object: `{'class_name': ..., 'config': ...}` for objects with
    `get_config`, the name for functions and classes.

    # Arguments
        instance: the object (`None` gives `None`).

    # Returns
        A dictionary, a string or `None`.

    # Raises
        ValueError: the object cannot be serialized.
    """
    if instance is None:
        return None
    if hasattr(instance, 'get_config'):
        return {'class_name': instance.__class__.__name__,
                'config': instance.get_config()}
    if hasattr(instance, '__name__'):
        return instance.__name__
    raise ValueError('serialize_keras_object: cannot serialize %r (it has neither '
                     'get_config() nor __name__)' % (instance,))


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None,
                             printable_module_name='object'):
    """Turn a name or a {'class_name', 'config'} dict into the object it names.

    # Arguments
        identifier: a name or a config dictionary `{"class_name": ..., "config": ...}`.
        module_objects: dictionary of the objects known to the caller's module (e.g. its
            `globals()`).
        custom_objects: dictionary of custom objects, looked up first.
        printable_module_name: the kind of object, for the error message (e.g. `"layer"`).

    # Returns
        The object: a function, a class or an instance created from the config.
    """
    module_objects = module_objects or {}
    custom_objects = custom_objects or {}

    def lookup(name):
        if name in custom_objects:
            return custom_objects[name]
        if name in _GLOBAL_CUSTOM_OBJECTS:
            return _GLOBAL_CUSTOM_OBJECTS[name]
        return module_objects.get(name)

    if isinstance(identifier, dict):
        if 'class_name' not in identifier or 'config' not in identifier:
            raise ValueError('Improper config format for %s: expected a dict with '
                             "'class_name' and 'config', got %r" % (printable_module_name, identifier))
        class_name = identifier['class_name']
        cls = lookup(class_name)
        if cls is None:
            raise ValueError('Unknown %s: %s' % (printable_module_name, class_name))
        config = identifier['config']
        if hasattr(cls, 'from_config'):
            if has_arg(cls.from_config, 'custom_objects'):
                merged = dict(_GLOBAL_CUSTOM_OBJECTS)
                merged.update(custom_objects)
                return cls.from_config(config, custom_objects=merged)
            with CustomObjectScope(custom_objects):
                return cls.from_config(config)
        with CustomObjectScope(custom_objects):
            return cls(**config)
    if isinstance(identifier, str):
        fn = lookup(identifier)
        if fn is None:
            raise ValueError('Unknown %s: %s' % (printable_module_name, identifier))
        return fn
    raise ValueError('Could not interpret serialized %s: %r' % (printable_module_name, identifier))


def get_keras_object(identifier, deserialize, printable_module_name, allow_none=False):
    """The `get` of initializers, regularizers and constraints: a config dict or a name
    (deserialized with `deserialize`), a callable (returned as is) or, when `allow_none`,
    None -> the object; anything else raises ValueError."""
    if identifier is None and allow_none:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({'class_name': str(identifier), 'config': {}})
    if callable(identifier):
        return identifier
    raise ValueError('Could not interpret %s identifier: %r' % (printable_module_name, identifier))


def has_arg(fn, name, accept_all=False):
    """Whether callable `fn` accepts keyword argument `name` (or **kwargs when accept_all).

    # Arguments
        fn: a callable.
        name: the name of an argument.
        accept_all: whether a `**kwargs` parameter counts as accepting `name`.

    # Returns
        A boolean.
    """
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return False
    params = sig.parameters
    if accept_all and any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return True
    p = params.get(name)
    return p is not None and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                        inspect.Parameter.KEYWORD_ONLY)


def to_list(x, allow_tuple=False):
    """Wraps a single object in a list; a list is returned as is.

    # Arguments
        x: an object or a list.
        allow_tuple: whether tuples count as lists (turned into lists).

    # Returns
        A list.
    """
    if isinstance(x, list):
        return x
    if allow_tuple and isinstance(x, tuple):
        return list(x)
    return [x]


def unpack_singleton(x):
    """The single element of a one-element list; anything else unchanged.

    # Arguments
        x: an object or a list.

    # Returns
        The element or `x`.
    """
    if isinstance(x, (list, tuple)) and len(x) == 1:
        return x[0]
    return x


def object_list_uid(object_list):
    """A string identifying a list of objects by their identities.

    # Arguments
        object_list: an object or list of objects.

    # Returns
        A string.
    """
    object_list = to_list(object_list)
    return ', '.join(str(abs(id(x))) for x in object_list)


def is_all_none(iterable_or_element):
    """Whether every element of a list (or a single element) is `None`.

    # Arguments
        iterable_or_element: a list, tuple or single object.

    # Returns
        A boolean.
    """
    return all(x is None for x in to_list(iterable_or_element, allow_tuple=True))


def slice_arrays(arrays, start=None, stop=None):
    """Slices an array or each array of a list, by `start:stop` or by an index array.

    # Arguments
        arrays: an array, a list of arrays (entries may be `None`) or `None`.
        start: the first row, or an array of indices.
        stop: the end row (with an integer `start`).

    # Returns
        A sliced array or a list of them (`[None]` for `None`).
    """
    if arrays is None:
        return [None]
    if isinstance(arrays, list):
        if hasattr(start, '__len__'):
            return [None if x is None else x[start] for x in arrays]
        return [None if x is None else x[start:stop] for x in arrays]
    if hasattr(start, '__len__'):
        return arrays[start]
    return arrays[start:stop]


_FROZEN_TYPES = (numbers.Number, str, bytes, type(None))


def _frozen_value(value):
    """Whether a value a function reads by name is kept as it is now by `with_values_now`:
    numbers, strings and tuples of them (what loops rebind: `for c in range(card)`)."""
    if isinstance(value, tuple):
        return all(_frozen_value(v) for v in value)
    return isinstance(value, _FROZEN_TYPES)


def with_values_now(func, _depth=0):
    """A copy of `func` that reads the values its free names have now.

    Keras 2.2.4 ran a `Lambda`'s function once, when the layer was called on the graph's
    tensors: a function made in a loop and reading the loop's variable (`for c in
    range(card): Lambda(lambda z: z[..., c * g:(c + 1) * g])`, ResNeXt's grouped
    convolutions) computed with the value the variable had then. Here it runs again at every
    step, so it keeps those values: the copy's closure cells hold their current contents
    (functions among them copied the same way, two levels deep), and the module globals it
    reads that are numbers, strings or tuples of them keep their current values (a loop at a
    script's top level). A function with neither, and other callables, come back unchanged.

    # Arguments
        func: a callable.

    # Returns
        A function, or `func` itself.
    """
    if not isinstance(func, types.FunctionType):
        return func
    cells = func.__closure__
    if cells:
        copied = []
        for cell in cells:
            try:
                value = cell.cell_contents
            except ValueError:          # (a name the enclosing code has not bound yet)
                copied.append(cell)
                continue
            if isinstance(value, types.FunctionType) and value is not func and _depth < 2:
                value = with_values_now(value, _depth + 1)
            copied.append(types.CellType(value))
        cells = tuple(copied)
    globs = func.__globals__
    names = set(func.__code__.co_names)
    for const in func.__code__.co_consts:
        if isinstance(const, types.CodeType):
            names.update(const.co_names)
    frozen = {name: globs[name] for name in names
              if name in globs and _frozen_value(globs[name])
              and not name.startswith('__')}
    if not cells and not frozen:
        return func
    if frozen:
        # (a view of the module's globals with those values kept: the module's later
        # definitions stay visible to the copy)
        globs = _GlobalsNow(globs, frozen)
    copy = types.FunctionType(func.__code__, globs, func.__name__, func.__defaults__, cells)
    copy.__kwdefaults__ = func.__kwdefaults__
    copy.__dict__.update(func.__dict__)
    copy.__qualname__ = func.__qualname__
    copy.__module__ = func.__module__
    copy.__doc__ = func.__doc__
    return copy


class _GlobalsNow(dict):
    """A module's globals with some names' values kept as they were (see
    `with_values_now`); the other names are looked up in the module when read."""

    def __init__(self, module_globals, kept):
        super(_GlobalsNow, self).__init__(kept)
        self._module_globals = module_globals

    def __missing__(self, name):
        return self._module_globals[name]


def func_dump(func):
    """Serialize a Python function: (code as base64 marshal, defaults, closure values).

    # Arguments
        func: the Python function to serialize.

    # Returns
        `(code, defaults, closure)`: the serialized function.
    """
    raw = marshal.dumps(func.__code__)
    code = codecs.encode(raw, 'base64').decode('ascii')
    defaults = func.__defaults__
    closure = tuple(c.cell_contents for c in func.__closure__) if func.__closure__ else None
    return code, defaults, closure


def func_load(code, defaults=None, closure=None, globs=None):
    """Inverse of func_dump.  Code marshalled by another Python version fails with a clear error.

    # Arguments
        code: the serialized code (from `func_dump`).
        defaults: the default values of the function's arguments.
        closure: the values of the function's closure.
        globs: the globals the function is evaluated in.

    # Returns
        The function.
    """
    if isinstance(code, (tuple, list)):
        code, defaults, closure = code
        if isinstance(defaults, list):
            defaults = tuple(defaults)

    def ensure_value_to_cell(value):
        def dummy_fn():
            value  # noqa: B018
        return dummy_fn.__closure__[0]

    if closure is not None:
        closure = tuple(ensure_value_to_cell(c) for c in closure)
    try:
        try:
            raw = codecs.decode(code.encode('ascii'), 'base64')
        except (UnicodeEncodeError, binascii.Error):
            # Keras before 2.1.2 stored the marshalled bytes as raw-unicode-escaped text
            raw = code.encode('raw_unicode_escape')
        code_obj = marshal.loads(raw)
    except (ValueError, EOFError, TypeError, UnicodeEncodeError) as e:
        raise ValueError('Cannot load the Python function of a Lambda layer: its bytecode was '
                         'written by another Python version or is corrupt (this is Python %d.%d; '
                         'error: %s). Re-create the Lambda layer in code and load the weights.'
                         % (sys.version_info[0], sys.version_info[1], e))
    if globs is None:
        globs = globals()
    return types.FunctionType(code_obj, globs, name=code_obj.co_name,
                              argdefs=defaults, closure=closure)


def transpose_shape(shape, target_format, spatial_axes):
    """Reorder a channels_last `shape` for `target_format`.

    For 'channels_first' the last entry (channels) moves in front of the spatial axes
    `spatial_axes` (indices into `shape`); for 'channels_last' `shape` is returned as is.
    A list comes back as a list, a tuple as a tuple.

    # Arguments
        shape: a shape tuple (or list).
        target_format: `"channels_first"` or `"channels_last"`.
        spatial_axes: the indices of the spatial axes in `shape`.

    # Returns
        The shape in `target_format`.
    """
    if target_format == 'channels_first':
        values = tuple(shape[:spatial_axes[0]]) + (shape[-1],)
        values += tuple(shape[axis] for axis in spatial_axes)
        return list(values) if isinstance(shape, list) else values
    if target_format == 'channels_last':
        return shape
    raise ValueError("transpose_shape: target_format must be 'channels_first' or "
                     "'channels_last', got %r" % (target_format,))


def _format_eta(seconds):
    if seconds > 3600:
        return '%d:%02d:%02d' % (seconds // 3600, (seconds % 3600) // 60, seconds % 60)
    if seconds > 60:
        return '%d:%02d' % (seconds // 60, seconds % 60)
    return '%ds' % seconds


def _format_value(avg):
    if abs(avg) > 1e-3:
        return ' %.4f' % avg
    return ' %.4e' % avg


class Progbar(object):
    """Text progress bar (Keras 2.2 layout).

    # Arguments
        target: total number of steps expected, None if unknown.
        width: width of the bar in characters.
        verbose: 0 (silent), 1 (progress bar, redrawn at most every `interval` seconds)
            or 2 (one line when `target` is reached).
        interval: minimum time in seconds between two redraws with verbose=1.
        stateful_metrics: names of the values that are displayed as given instead of
            averaged over the steps (e.g. metrics that are already running averages).

    On a terminal (or in a Jupyter kernel) the bar is redrawn in place with `\\r`;
    on any other stream (a log file, a pipe) each redraw starts a new line.
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
        out = sys.stdout
        self._dynamic_display = ((hasattr(out, 'isatty') and out.isatty())
                                 or 'ipykernel' in sys.modules)
        self._total_width = 0
        self._seen_so_far = 0
        # name -> [weighted sum, total weight] (averaged) or the last value (stateful)
        self._values = {}
        self._values_order = []
        self._start = time.time()
        self._last_update = 0

    def _accumulate(self, current, values):
        steps = current - self._seen_so_far
        stateful = self.stateful_metrics
        store = self._values
        for k, v in values:
            if k not in store:
                self._values_order.append(k)
            if k in stateful:
                store[k] = v
                continue
            try:
                v = float(v)
            except (TypeError, ValueError):
                v = np.asarray(v)
            entry = store.get(k)
            if isinstance(entry, list):
                entry[0] = entry[0] + v * steps
                entry[1] += steps
            else:
                store[k] = [v * steps, steps]

    def _value_str(self, k):
        entry = self._values[k]
        if isinstance(entry, list):
            avg = np.mean(entry[0] / max(1, entry[1]))
            return _format_value(avg)
        if isinstance(entry, (float, np.floating)) or (
                isinstance(entry, np.ndarray) and entry.ndim == 0
                and np.issubdtype(entry.dtype, np.floating)):
            return _format_value(float(entry))
        return ' %s' % (entry,)

    def update(self, current, values=None):
        """Move the bar to step `current`.

        # Arguments
            current: index of the current step.
            values: list of `(name, value)` tuples; unless `name` is in
                `stateful_metrics`, the displayed value is the average over the steps
                seen so far, each update weighted by its number of steps.
        """
        verbose = self.verbose
        if not verbose:
            self._seen_so_far = current
            return
        if values:
            self._accumulate(current, values)
        self._seen_so_far = current
        now = time.time()
        target = self.target
        finished = target is not None and current >= target
        if verbose == 1:
            if (not finished and target is not None
                    and now - self._last_update < self.interval):
                return
            self._draw(current, now, finished)
        elif verbose == 2:
            if target is None or finished:
                info = ' - %.0fs' % (now - self._start)
                for k in self._values_order:
                    info += ' - %s:%s' % (k, self._value_str(k))
                sys.stdout.write(info + '\n')
                sys.stdout.flush()
        self._last_update = now

    def _draw(self, current, now, finished):
        out = sys.stdout
        target = self.target
        prev_total_width = self._total_width
        if self._dynamic_display:
            out.write('\b' * prev_total_width)
            out.write('\r')
        else:
            out.write('\n')
        if target is not None:
            numdigits = len(str(int(target))) if target > 0 else 1
            bar = ('%' + str(numdigits) + 'd/%d [') % (current, target)
            prog = float(current) / target if target else 1.0
            prog_width = int(self.width * prog)
            if prog_width > 0:
                bar += '=' * (prog_width - 1)
                bar += '>' if current < target else '='
            bar += '.' * (self.width - prog_width)
            bar += ']'
        else:
            bar = '%7d/Unknown' % current
        self._total_width = len(bar)
        out.write(bar)

        time_per_unit = (now - self._start) / current if current else 0
        if target is not None and current < target:
            info = ' - ETA: %s' % _format_eta(time_per_unit * (target - current))
        else:
            info = ' - %.0fs' % (now - self._start)
            if time_per_unit >= 1:
                info += ' %.0fs/step' % time_per_unit
            elif time_per_unit >= 1e-3:
                info += ' %.0fms/step' % (time_per_unit * 1e3)
            else:
                info += ' %.0fus/step' % (time_per_unit * 1e6)
        for k in self._values_order:
            info += ' - %s:%s' % (k, self._value_str(k))
        self._total_width += len(info)
        if prev_total_width > self._total_width:
            info += ' ' * (prev_total_width - self._total_width)
        if finished:
            info += '\n'
        out.write(info)
        out.flush()

    def add(self, n, values=None):
        """Advance the bar by `n` steps (see `update`).

        # Arguments
            n: the number of steps to advance.
            values: list of `(name, value)` pairs, as for `update`.
        """
        self.update(self._seen_so_far + n, values)


def _owner_prefix(owner):
    return '%s: ' % owner if owner else ''


def check_int(name, value, minimum=0, owner=None):
    """`value` as an int of at least `minimum`, else a ValueError naming the argument `name`
    (of `owner`, e.g. a class or function name) and the value."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError('%s`%s` must be an integer >= %d, got %r'
                         % (_owner_prefix(owner), name, minimum, value))
    return int(value)


def check_number(name, value, minimum=None, owner=None, allow_none=False):
    """`value` if it is a real scalar (of at least `minimum`), else a TypeError (not a
    number) or ValueError (too small) naming the argument `name` and the value."""
    if value is None and allow_none:
        return value
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.ndarray, np.generic)):
        raise TypeError('%s`%s` must be a number, got %r' % (_owner_prefix(owner), name, value))
    if np.ndim(value) != 0:
        raise TypeError('%s`%s` must be a scalar, got an array of shape %s'
                        % (_owner_prefix(owner), name, np.shape(value)))
    if minimum is not None and float(value) < minimum:
        raise ValueError('%s`%s` must be >= %s, got %r'
                         % (_owner_prefix(owner), name, minimum, value))
    return value


def _holds_traced(value):
    """Whether `value`, or an element of the list, tuple or dict it is, is a value of the
    computation being traced (`K.execution.is_traced`)."""
    from ..backend import execution
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return any(execution.is_traced(v) for v in value)
    return execution.is_traced(value)


@contextlib.contextmanager
def traced_attributes_restored(objects):
    """Within this context, what is set on `objects` as attributes holding values of the
    computation being traced is set back, when the context ends, to what the attributes
    held before (or removed): a later trace cannot read those values (a loss caching a
    tensor on its object; a recurrent cell keeping the dropout masks of its call under a
    name of its own).

    # Arguments
        objects: the objects (with a `__dict__`) to watch.
    """
    before = [dict(vars(obj)) for obj in objects]
    try:
        yield
    finally:
        for obj, old in zip(objects, before):
            attributes = vars(obj)
            for name, value in list(attributes.items()):
                if (name not in old or old[name] is not value) and _holds_traced(value):
                    if name in old:
                        attributes[name] = old[name]
                    else:
                        del attributes[name]

