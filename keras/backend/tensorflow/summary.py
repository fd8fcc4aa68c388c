"""The TensorFlow backend's TensorBoard summary writer (`keras.backend.summary`): TensorFlow's
own writer, `tf.summary.create_file_writer`, with the `tf.summary` ops.

Summaries are TensorFlow 2's: scalars, histograms (buckets of [left, right, count]), images
and text are tensors tagged with their TensorBoard plugin, as `tf.summary.scalar`,
`histogram`, `image` and `text` write them; the layer graph is a `GraphDef` written with
`tf.summary.graph`. TensorFlow implements those ops in the `tensorboard` package, which
therefore must be installed. `log_dir` may be on any file system TensorFlow reaches
(`tf.io.gfile`: local paths, `gs://`, ...), the projector's files included.
"""
import numpy as np
import tensorflow as tf

from ..summary_writers import HISTOGRAM_BUCKETS, SummaryWriterBase, _require_tensorboard


class SummaryWriter(SummaryWriterBase):
    """Writes TensorBoard event files with `tf.summary` (see `SummaryWriterBase`).

    # Arguments
        log_dir: directory of the event files (created if missing).

    # Raises
        ImportError: the `tensorboard` package, where `tf.summary`'s ops live, is not
            installed.
    """

    def __init__(self, log_dir):
        _require_tensorboard()
        super(SummaryWriter, self).__init__(log_dir)
        self._writer = tf.summary.create_file_writer(log_dir)

    @staticmethod
    def _makedirs(path):
        tf.io.gfile.makedirs(path)

    @staticmethod
    def _write_file(path, text):
        with tf.io.gfile.GFile(path, 'w') as f:
            f.write(text)

    def scalar(self, tag, value, step):
        with self._writer.as_default(), tf.device('/cpu:0'):
            tf.summary.scalar(tag, float(value), step=int(step))

    def _histogram(self, tag, values, step):
        with self._writer.as_default(), tf.device('/cpu:0'):
            tf.summary.histogram(tag, values, step=step, buckets=HISTOGRAM_BUCKETS)

    def _image(self, tag, grid, step):
        with self._writer.as_default(), tf.device('/cpu:0'):
            tf.summary.image(tag, grid[np.newaxis], step=step, max_outputs=1)

    def text(self, tag, text, step):
        with self._writer.as_default(), tf.device('/cpu:0'):
            tf.summary.text(tag, tf.constant(text), step=int(step))

    def _graph(self, nodes):
        graph = tf.compat.v1.GraphDef()
        for name, op, inputs, shape in nodes:
            node = graph.node.add(name=name, op=op)
            node.input.extend(inputs)
            node.attr['output_shape'].s = shape.encode('utf-8')
        with self._writer.as_default():
            tf.summary.graph(graph)

    def flush(self):
        self._writer.flush()

    def close(self):
        self._writer.close()
