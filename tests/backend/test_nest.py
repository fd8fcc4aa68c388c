"""keras.backend.nest: flatten, map_structure and pack_sequence_as agree on the order."""
import pytest

from keras.backend import nest


def test_dicts_keep_insertion_order_everywhere():
    struct = {'b': [1, (2, 3)], 'a': {'z': 4, 'y': 5}, 'c': 6}
    assert nest.flatten(struct) == [1, 2, 3, 4, 5, 6]
    doubled = nest.map_structure(lambda x: 2 * x, struct)
    assert doubled == {'b': [2, (4, 6)], 'a': {'z': 8, 'y': 10}, 'c': 12}
    assert list(doubled) == ['b', 'a', 'c'] and list(doubled['a']) == ['z', 'y']
    assert isinstance(doubled['b'][1], tuple)
    packed = nest.pack_sequence_as(struct, [10, 20, 30, 40, 50, 60])
    assert packed == {'b': [10, (20, 30)], 'a': {'z': 40, 'y': 50}, 'c': 60}


def test_leaves_and_errors():
    assert nest.flatten(7) == [7] and nest.map_structure(str, 7) == '7'
    assert nest.flatten([None, []]) == [None]
    assert nest.pack_sequence_as([None, (None,)], 'ab') == ['a', ('b',)]
    with pytest.raises(ValueError, match='3 leaves, got 2'):
        nest.pack_sequence_as([1, [2, 3]], [1, 2])
