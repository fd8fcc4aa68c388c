"""Reader for the IDX format of (Fashion-)MNIST, optionally gzip-compressed."""
import gzip

import numpy as np

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: '>i2', 0x0C: '>i4', 0x0D: '>f4',
               0x0E: '>f8'}


def load_idx(path):
    """Array stored in the IDX file at `path` (read through gzip when it ends in .gz)."""
    opener = gzip.open if str(path).endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError('%s is not an IDX file (bad magic number)' % (path,))
    type_code, ndim = data[2], data[3]
    if type_code not in _IDX_DTYPES:
        raise ValueError('%s: unknown IDX data type 0x%02x' % (path, type_code))
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim))
    dtype = np.dtype(_IDX_DTYPES[type_code])
    count = int(np.prod(shape)) if shape else 1
    if len(data) - header < count * dtype.itemsize:
        raise ValueError('%s: truncated IDX file (expected %d values of shape %s)'
                         % (path, count, shape))
    arr = np.frombuffer(data, dtype=dtype, count=count, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder('=')) if dtype.byteorder == '>' else arr.copy()
