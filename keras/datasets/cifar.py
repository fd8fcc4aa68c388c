"""Reader for the pickled batches of the CIFAR datasets."""
import pickle


def load_batch(fpath, label_key='labels'):
    """(data, labels) of one CIFAR batch file: data uint8 (n, 3, 32, 32), labels list."""
    with open(fpath, 'rb') as f:
        d = pickle.load(f, encoding='bytes')
    d = {(k.decode('utf8') if isinstance(k, bytes) else k): v for k, v in d.items()}
    if 'data' not in d or label_key not in d:
        raise ValueError('%s is not a CIFAR batch with "data" and %r entries (found %s)'
                         % (fpath, label_key, sorted(d)))
    data = d['data']
    labels = d[label_key]
    data = data.reshape(data.shape[0], 3, 32, 32)
    return data, labels
