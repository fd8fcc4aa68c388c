"""Python utilities: custom objects, (de)serialization of Keras objects, helpers."""
import inspect
import marshal
import sys
import types
import codecs

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
        self.backup = _GLOBAL_CUSTOM_OBJECTS.copy()
        for objects in self.custom_objects:
            _GLOBAL_CUSTOM_OBJECTS.update(objects)
        return self

    def __exit__(self, *args, **kwargs):
        _GLOBAL_CUSTOM_OBJECTS.clear()
        _GLOBAL_CUSTOM_OBJECTS.update(self.backup)


def custom_object_scope(*args):
    return CustomObjectScope(*args)


def get_custom_objects():
    """The global dict of custom objects (mutable, as in Keras 2)."""
    return _GLOBAL_CUSTOM_OBJECTS


def serialize_keras_object(instance):
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
    """Turn a name or a {'class_name', 'config'} dict into the object it names."""
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


def has_arg(fn, name, accept_all=False):
    """Whether callable `fn` accepts keyword argument `name` (or **kwargs when accept_all)."""
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
    if isinstance(x, list):
        return x
    if allow_tuple and isinstance(x, tuple):
        return list(x)
    return [x]


def unpack_singleton(x):
    if isinstance(x, (list, tuple)) and len(x) == 1:
        return x[0]
    return x


def object_list_uid(object_list):
    object_list = to_list(object_list)
    return ', '.join(str(abs(id(x))) for x in object_list)


def is_all_none(iterable_or_element):
    return all(x is None for x in to_list(iterable_or_element, allow_tuple=True))


def slice_arrays(arrays, start=None, stop=None):
    if arrays is None:
        return [None]
    if isinstance(arrays, list):
        if hasattr(start, '__len__'):
            return [None if x is None else x[start] for x in arrays]
        return [None if x is None else x[start:stop] for x in arrays]
    if hasattr(start, '__len__'):
        return arrays[start]
    return arrays[start:stop]


def func_dump(func):
    """Serialize a Python function: (code as base64 marshal, defaults, closure values)."""
    raw = marshal.dumps(func.__code__)
    code = codecs.encode(raw, 'base64').decode('ascii')
    defaults = func.__defaults__
    closure = tuple(c.cell_contents for c in func.__closure__) if func.__closure__ else None
    return code, defaults, closure


def func_load(code, defaults=None, closure=None, globs=None):
    """Inverse of func_dump.  Code marshalled by another Python version fails with a clear error."""
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
        raw = codecs.decode(code.encode('ascii'), 'base64')
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
