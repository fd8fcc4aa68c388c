"""Nested structures (lists, tuples and dicts of leaves): the one walker the package uses.

Dicts are walked in insertion order, by `flatten`, `map_structure` and `pack_sequence_as`
alike, so a flat list always lines up with the structure it came from.
"""


def _children(struct):
    if isinstance(struct, dict):
        return list(struct.values())
    if isinstance(struct, (list, tuple)):
        return list(struct)
    return None


def sequence_like(seq, items):
    """A list or tuple of the type of `seq` holding `items` (a named tuple, such as
    TensorFlow's `TopKV2` of `tf.nn.top_k`, takes them as its arguments).

    # Arguments
        seq: a list or tuple.
        items: the items, an iterable.

    # Returns
        The new list or tuple.
    """
    if isinstance(seq, tuple) and hasattr(type(seq), '_fields'):
        return type(seq)(*items)
    return type(seq)(items)


def _rebuild(struct, children):
    if isinstance(struct, dict):
        return dict(zip(struct.keys(), children))
    return sequence_like(struct, children)


def flatten(struct):
    """The leaves of `struct`, depth first."""
    children = _children(struct)
    if children is None:
        return [struct]
    out = []
    for child in children:
        out.extend(flatten(child))
    return out


def map_structure(fn, struct):
    """`struct` with every leaf `x` replaced by `fn(x)`."""
    children = _children(struct)
    if children is None:
        return fn(struct)
    return _rebuild(struct, [map_structure(fn, c) for c in children])


def pack_sequence_as(struct, flat):
    """The leaves `flat` (as `flatten` orders them) put back into the shape of `struct`."""
    flat = list(flat)
    n_leaves = len(flatten(struct))
    if n_leaves != len(flat):
        raise ValueError('pack_sequence_as: the structure has %d leaves, got %d values'
                         % (n_leaves, len(flat)))
    position = [0]

    def take(_):
        value = flat[position[0]]
        position[0] += 1
        return value

    return map_structure(take, struct)
