"""TensorBoard summary writers: the parts every backend's writer shares, and the writer that
needs only the `tensorboard` package (its protobufs and `EventFileWriter`).

Each backend's `summary` module (`keras.backend.summary`) provides `SummaryWriter(log_dir)`
with the methods of `SummaryWriterBase`; the `TensorBoard` callback writes through it and
never asks which backend runs. The JAX backend, which has no summary writer of its own, uses
`EventFileSummaryWriter`; the TensorFlow backend writes with `tf.summary`.
"""
import io
import os
import time
import warnings

import numpy as np

HISTOGRAM_BUCKETS = 30


def _require_tensorboard():
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        raise ImportError('The TensorBoard callback needs the `tensorboard` package '
                          '(`pip install tensorboard`).')


def finite_values(values):
    """The finite entries of `values`, flattened, as float64 (NaNs and infinities, e.g. of a
    diverged model, are left out of histograms)."""
    values = np.asarray(values, dtype='float64').ravel()
    return values[np.isfinite(values)]


def image_grid(images):
    """One image holding `images` (n, height, width, channels), side by side in a grid of
    ceil(sqrt(n)) columns."""
    images = np.asarray(images, dtype='float32')
    if images.ndim != 4:
        raise ValueError('image_grid: `images` must have 4 axes (n, height, width, channels), '
                         'got shape %s' % (images.shape,))
    n, h, w, c = images.shape
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / float(cols)))
    grid = np.zeros((rows * h, cols * w, c), dtype='float32')
    for i in range(n):
        r, q = divmod(i, cols)
        grid[r * h:(r + 1) * h, q * w:(q + 1) * w] = images[i]
    return grid


class SummaryWriterBase(object):
    """What the `TensorBoard` callback writes, whatever writes it. Subclasses implement
    `scalar`, `_histogram`, `_image`, `text`, `_graph`, `flush` and `close`; the projector's
    embeddings (TSV files and `projector_config.pbtxt` in `log_dir`) are written here.

    # Arguments
        log_dir: directory of the event files (created if missing).
    """

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self._makedirs(log_dir)
        self._embeddings = []    # (tensor name, tensors.tsv, metadata.tsv or '') so far

    # the file system of `log_dir` (a backend's writer may reach more than local paths)
    @staticmethod
    def _makedirs(path):
        os.makedirs(path, exist_ok=True)

    @staticmethod
    def _write_file(path, text):
        with open(path, 'w') as f:
            f.write(text)

    def scalar(self, tag, value, step):
        """Writes the number `value` under `tag` at `step`."""
        raise NotImplementedError

    def histogram(self, tag, values, step):
        """A histogram (30 equal buckets between the extremes) of the finite entries of
        `values`; nothing is written when none is finite."""
        values = finite_values(values)
        if values.size:
            self._histogram(tag, values, int(step))

    def image(self, tag, images, step):
        """`images`: (n, height, width, channels) in [0, 1], channels 1 or 3; written as one
        image, the images side by side in a grid."""
        grid = image_grid(images)
        if grid.shape[-1] not in (1, 3):
            raise ValueError('image: images must have 1 or 3 channels, got %d'
                             % grid.shape[-1])
        self._image(tag, grid, int(step))

    def text(self, tag, text, step):
        """Writes the string `text` under `tag` at `step` (TensorBoard's text plugin)."""
        raise NotImplementedError

    def graph(self, nodes):
        """Writes a graph: `nodes` is a list of (name, op, input names, output shape string)."""
        self._graph(nodes)

    def embedding(self, name, values, step, labels=None, header=None):
        """Writes `values` (samples, features) and their labels under `<step>/<name>/` and
        lists them in the projector's config.

        # Arguments
            name: the tensor's name in the projector (a layer name).
            values: 2-D array, one row per sample.
            step: the epoch (the folder `%05d`).
            labels: optional list of labels (strings, or lists of strings with `header`).
            header: optional list of column names of `labels`.
        """
        _require_tensorboard()
        from tensorboard.plugins import projector
        folder = os.path.join('%05d' % step, name)
        self._makedirs(os.path.join(self.log_dir, folder))
        tensor_path = os.path.join(folder, 'tensors.tsv')
        table = io.StringIO()
        np.savetxt(table, values, delimiter='\t', fmt='%.8g')
        self._write_file(os.path.join(self.log_dir, tensor_path), table.getvalue())
        metadata_path = ''
        if labels is not None:
            metadata_path = os.path.join(folder, 'metadata.tsv')
            rows = ([header] if header else []) + list(labels)
            self._write_file(os.path.join(self.log_dir, metadata_path), ''.join(
                (row if isinstance(row, str) else '\t'.join(row)) + '\n' for row in rows))
        self._embeddings.append(('%s:%05d' % (name, step), tensor_path, metadata_path))
        config = projector.ProjectorConfig()
        for tensor_name, path, meta in self._embeddings:
            entry = config.embeddings.add()
            entry.tensor_name = tensor_name
            entry.tensor_path = path
            if meta:
                entry.metadata_path = meta
        projector.visualize_embeddings(self.log_dir, config)

    def add_summary(self, summary, global_step=None):
        """Writes the scalars of a `Summary` protocol buffer (TensorFlow's or TensorBoard's,
        or its serialized bytes) at `global_step`, as Keras 2.2.4's `TensorBoard.writer`, a
        TensorFlow `FileWriter`, did: callbacks log a custom scalar so (keras-retinanet's
        mAP). A value of another kind is left out, with a warning.

        # Arguments
            summary: a `Summary` (`tf.compat.v1.Summary()`) or its serialized bytes.
            global_step: the step (the epoch, for an epoch's value); 0 when None.
        """
        if isinstance(summary, bytes):
            _require_tensorboard()
            from tensorboard.compat.proto import summary_pb2
            parsed = summary_pb2.Summary()
            parsed.ParseFromString(summary)
            summary = parsed
        step = 0 if global_step is None else int(global_step)
        for value in summary.value:
            if value.HasField('simple_value'):
                self.scalar(value.tag, float(value.simple_value), step)
            else:
                warnings.warn('TensorBoard writer: add_summary writes the scalars '
                              '(simple_value) of a Summary; %r is a %s and was left out'
                              % (value.tag, value.WhichOneof('value')), stacklevel=2)

    def flush(self):
        """Writes what is buffered to the event file."""
        raise NotImplementedError

    def close(self):
        """Flushes and closes the event file."""
        raise NotImplementedError


class EventFileSummaryWriter(SummaryWriterBase):
    """Writes TensorBoard event files with the `tensorboard` package alone: its protobufs
    (`tensorboard.compat.proto`, the classic `simple_value`, `histo` and `image` summaries)
    and its `EventFileWriter`. TensorFlow is not needed.

    # Arguments
        log_dir: directory of the event files (created if missing).

    # Raises
        ImportError: the `tensorboard` package is not installed.
    """

    def __init__(self, log_dir):
        _require_tensorboard()
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
        super(EventFileSummaryWriter, self).__init__(log_dir)
        self._event_pb2 = event_pb2
        self._summary_pb2 = summary_pb2
        self._file = EventFileWriter(log_dir)

    def _add(self, values, step):
        summary = self._summary_pb2.Summary(value=values)
        self._file.add_event(self._event_pb2.Event(wall_time=time.time(), step=int(step),
                                                   summary=summary))

    def scalar(self, tag, value, step):
        self._add([self._summary_pb2.Summary.Value(tag=tag, simple_value=float(value))], step)

    def _histogram(self, tag, values, step):
        counts, edges = np.histogram(values, bins=HISTOGRAM_BUCKETS)
        histo = self._summary_pb2.HistogramProto(
            min=float(values.min()), max=float(values.max()), num=float(values.size),
            sum=float(values.sum()), sum_squares=float(np.dot(values, values)),
            bucket_limit=[float(e) for e in edges[1:]], bucket=[float(c) for c in counts])
        self._add([self._summary_pb2.Summary.Value(tag=tag, histo=histo)], step)

    def _image(self, tag, grid, step):
        from PIL import Image
        height, width, channels = grid.shape
        pixels = np.clip(np.round(grid * 255), 0, 255).astype('uint8')
        buf = io.BytesIO()
        Image.fromarray(pixels[..., 0] if channels == 1 else pixels).save(buf, format='PNG')
        image = self._summary_pb2.Summary.Image(height=height, width=width,
                                                colorspace=channels,
                                                encoded_image_string=buf.getvalue())
        self._add([self._summary_pb2.Summary.Value(tag=tag, image=image)], step)

    def text(self, tag, text, step):
        from tensorboard.compat.proto import tensor_pb2, tensor_shape_pb2, types_pb2
        from tensorboard.plugins.text import metadata as text_metadata
        tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING,
                                        tensor_shape=tensor_shape_pb2.TensorShapeProto(),
                                        string_val=[text.encode('utf-8')])
        self._add([self._summary_pb2.Summary.Value(
            tag=tag, tensor=tensor, metadata=text_metadata.create_summary_metadata(tag, ''))], step)

    def _graph(self, nodes):
        from tensorboard.compat.proto import attr_value_pb2, graph_pb2, node_def_pb2
        graph = graph_pb2.GraphDef()
        for name, op, inputs, shape in nodes:
            node = node_def_pb2.NodeDef(name=name, op=op)
            node.input.extend(inputs)
            node.attr['output_shape'].CopyFrom(attr_value_pb2.AttrValue(s=shape.encode('utf-8')))
            graph.node.extend([node])
        self._file.add_event(self._event_pb2.Event(wall_time=time.time(),
                                                   graph_def=graph.SerializeToString()))

    def flush(self):
        self._file.flush()

    def close(self):
        self._file.close()
