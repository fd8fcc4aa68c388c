"""Text preprocessing: word splitting, hashing and the Tokenizer."""
import json
import warnings
from collections import OrderedDict, defaultdict
from hashlib import md5

import numpy as np

_DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def text_to_word_sequence(text, filters=_DEFAULT_FILTERS, lower=True, split=' '):
    """Split `text` into words: lower-case it, replace every character of `filters`
    by `split`, split on `split` and drop empty words.

    # Arguments
        text: the input string.
        filters: characters removed from the text (default: punctuation, tabs and line breaks).
        lower: whether to convert the text to lower case.
        split: the word separator.

    # Returns
        A list of words.
    """
    if not isinstance(text, str):
        raise TypeError('text_to_word_sequence: text must be a string, got %s'
                        % type(text).__name__)
    if lower:
        text = text.lower()
    if filters:
        text = text.translate(str.maketrans({c: split for c in filters}))
    return [w for w in text.split(split) if w]


def one_hot(text, n, filters=_DEFAULT_FILTERS, lower=True, split=' '):
    """Words of `text` hashed (Python's `hash`) into indices in [1, n).

    # Arguments
        text: the input string.
        n: the size of the vocabulary (indices are in `[1, n)`).
        filters: characters removed from the text (default: punctuation, tabs and line breaks).
        lower: whether to convert the text to lower case.
        split: the word separator.

    # Returns
        A list of integers.
    """
    return hashing_trick(text, n, hash_function=hash, filters=filters, lower=lower,
                         split=split)


def _md5_hash(w):
    return int(md5(w.encode()).hexdigest(), 16)


def hashing_trick(text, n, hash_function=None, filters=_DEFAULT_FILTERS, lower=True,
                  split=' '):
    """Words of `text` hashed into indices in [1, n) (0 is kept for padding).

    `hash_function`: None (Python's `hash`, not stable across runs), 'md5' (stable), or
    any function from a string to an int.

    # Arguments
        text: the input string.
        n: the size of the hashing space (indices are in `[1, n)`).
        hash_function: `None` (Python's `hash`, not stable across runs), `"md5"` or a function
            of a string returning an integer.
        filters: characters removed from the text (default: punctuation, tabs and line breaks).
        lower: whether to convert the text to lower case.
        split: the word separator.

    # Returns
        A list of integers.
    """
    if hash_function is None:
        hash_function = hash
    elif hash_function == 'md5':
        hash_function = _md5_hash
    if n < 2:
        raise ValueError('hashing_trick: n must be >= 2 (index 0 is reserved), got %r'
                         % (n,))
    seq = text_to_word_sequence(text, filters=filters, lower=lower, split=split)
    return [(hash_function(w) % (n - 1) + 1) for w in seq]


class Tokenizer(object):
    """Vectorizes texts into sequences of word indices or into bag-of-words matrices.

    # Arguments
        num_words: keep only the `num_words - 1` most frequent words (indices below
            `num_words`) when converting; None keeps all.
        filters: characters removed from the texts.
        lower: lower-case the texts.
        split: word separator.
        char_level: every character is a token.
        oov_token: token for out-of-vocabulary words (index 1 when given); without it
            unknown words are dropped.
        document_count: initial document count (used when restoring from JSON).

    Index 0 is reserved and never assigned to a word.  `word_index` ranks words by
    count (most frequent first, ties in order of first appearance).

    # Example
    ```python
    from keras.preprocessing.text import Tokenizer

    tokenizer = Tokenizer(num_words=100)
    tokenizer.fit_on_texts(['the cat sat on the mat', 'the dog ate my homework'])
    print(tokenizer.word_index['the'])                       # 1, the most frequent word
    print(tokenizer.texts_to_sequences(['the cat ate']))     # [[1, 2, 7]]
    matrix = tokenizer.texts_to_matrix(['the cat'], mode='binary')   # shape (1, 100)
    ```
    """

    def __init__(self, num_words=None, filters=_DEFAULT_FILTERS, lower=True, split=' ',
                 char_level=False, oov_token=None, document_count=0, **kwargs):
        if 'nb_words' in kwargs:
            warnings.warn('The `nb_words` argument in `Tokenizer` has been renamed '
                          '`num_words`.')
            num_words = kwargs.pop('nb_words')
        if kwargs:
            raise TypeError('Tokenizer: unrecognized keyword arguments: %s'
                            % sorted(kwargs))
        self.word_counts = OrderedDict()
        self.word_docs = defaultdict(int)
        self.filters = filters
        self.split = split
        self.lower = lower
        self.num_words = num_words
        self.document_count = document_count
        self.char_level = char_level
        self.oov_token = oov_token
        self.index_docs = defaultdict(int)
        self.word_index = {}
        self.index_word = {}

    def _tokens(self, text):
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = [t.lower() for t in text] if isinstance(text, list) else text.lower()
            return text
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts):
        """Update the vocabulary from `texts` (strings, or lists of tokens).

        # Arguments
            texts: a list of strings (or of lists of strings, one per token).
        """
        if isinstance(texts, str):
            raise TypeError('fit_on_texts: expected a list of texts, got a single string '
                            '(wrap it in a list)')
        for text in texts:
            self.document_count += 1
            seq = self._tokens(text)
            for w in seq:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in set(seq):
                self.word_docs[w] += 1

        wcounts = sorted(self.word_counts.items(), key=lambda kv: kv[1], reverse=True)
        vocab = [] if self.oov_token is None else [self.oov_token]
        vocab.extend(w for w, _ in wcounts if w != self.oov_token)
        self.word_index = {w: i for i, w in enumerate(vocab, start=1)}
        self.index_word = {i: w for w, i in self.word_index.items()}
        self.index_docs = defaultdict(int)
        for w, c in self.word_docs.items():
            self.index_docs[self.word_index[w]] = c

    def fit_on_sequences(self, sequences):
        """Update document statistics (for tfidf) from sequences of indices.

        # Arguments
            sequences: a list of sequences of word indices.
        """
        for seq in sequences:
            self.document_count += 1
            for i in set(seq):
                self.index_docs[i] += 1

    def texts_to_sequences(self, texts):
        """List of index sequences, one per text.

        # Arguments
            texts: a list of strings.

        # Returns
            A list of lists of integers.
        """
        return list(self.texts_to_sequences_generator(texts))

    def _kept_index(self, i, oov_index):
        """The index that stands for word index `i` (None: an unknown word): `i` itself
        when it is within `num_words`, else the OOV index (None: the word is dropped)."""
        if i is not None and not (self.num_words and i >= self.num_words):
            return i
        return oov_index

    def texts_to_sequences_generator(self, texts):
        """Turns each text into a list of word indices, one at a time; words outside the `num_words`
        most frequent (and unknown words without an `oov_token`) are dropped.

        # Arguments
            texts: a list of strings (or lists of strings when `char_level`).

        # Yields
            One list of integers per text.
        """
        oov_index = self.word_index.get(self.oov_token)
        for text in texts:
            vect = []
            for w in self._tokens(text):
                i = self._kept_index(self.word_index.get(w), oov_index)
                if i is not None:
                    vect.append(i)
            yield vect

    def sequences_to_texts(self, sequences):
        """Texts (words joined by spaces) from index sequences.

        # Arguments
            sequences: a list of sequences of word indices.

        # Returns
            A list of strings.
        """
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences):
        """Turns each sequence of word indices back into a text, one at a time.

        # Arguments
            sequences: a list of lists of integers.

        # Yields
            One string per sequence.
        """
        oov_index = self.word_index.get(self.oov_token)
        for seq in sequences:
            words = []
            for num in seq:
                i = self._kept_index(num if num in self.index_word else None, oov_index)
                if i is not None:
                    words.append(self.index_word[i])
            yield ' '.join(words)

    def texts_to_matrix(self, texts, mode='binary'):
        """Matrix (len(texts), num_words) in mode 'binary', 'count', 'tfidf' or 'freq'.

        # Arguments
            texts: a list of strings.
            mode: `"binary"`, `"count"`, `"tfidf"` or `"freq"`.

        # Returns
            A NumPy array `(len(texts), num_words)`.
        """
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode='binary'):
        """Matrix (len(sequences), num_words) in mode 'binary', 'count', 'tfidf' or 'freq'.

        tfidf: `(1 + log(count)) * log(1 + document_count / (1 + documents containing
        the word))`.

        # Arguments
            sequences: a list of sequences of word indices.
            mode: `"binary"`, `"count"`, `"tfidf"` or `"freq"`.

        # Returns
            A NumPy array `(len(sequences), num_words)`.
        """
        if mode not in ('binary', 'count', 'tfidf', 'freq'):
            raise ValueError("sequences_to_matrix: mode must be 'binary', 'count', "
                             "'tfidf' or 'freq', got %r" % (mode,))
        if not self.num_words:
            if self.word_index:
                num_words = len(self.word_index) + 1
            else:
                raise ValueError('Specify a dimension (`num_words` argument), or fit on '
                                 'some text data first.')
        else:
            num_words = self.num_words
        if mode == 'tfidf' and not self.document_count:
            raise ValueError('Fit the Tokenizer on some data before using tfidf mode.')

        x = np.zeros((len(sequences), num_words))
        for i, seq in enumerate(sequences):
            if not len(seq):
                continue
            counts = defaultdict(int)
            for j in seq:
                if j >= num_words:
                    continue
                counts[j] += 1
            for j, c in counts.items():
                if mode == 'count':
                    x[i, j] = c
                elif mode == 'freq':
                    x[i, j] = c / len(seq)
                elif mode == 'binary':
                    x[i, j] = 1
                else:
                    tf = 1 + np.log(c)
                    idf = np.log(1 + self.document_count / (1 + self.index_docs.get(j, 0)))
                    x[i, j] = tf * idf
        return x

    def get_config(self):
        """Configuration and vocabulary (the dicts as JSON strings)."""
        return {
            'num_words': self.num_words,
            'filters': self.filters,
            'lower': self.lower,
            'split': self.split,
            'char_level': self.char_level,
            'oov_token': self.oov_token,
            'document_count': self.document_count,
            'word_counts': json.dumps(self.word_counts),
            'word_docs': json.dumps(self.word_docs),
            'index_docs': json.dumps(self.index_docs),
            'index_word': json.dumps(self.index_word),
            'word_index': json.dumps(self.word_index),
        }

    def to_json(self, **kwargs):
        """JSON string of the tokenizer; load it with `tokenizer_from_json`."""
        return json.dumps({'class_name': self.__class__.__name__,
                           'config': self.get_config()}, **kwargs)


def tokenizer_from_json(json_string):
    """Rebuild a Tokenizer from `Tokenizer.to_json()`."""
    config = json.loads(json_string).get('config')
    config = dict(config)
    word_counts = json.loads(config.pop('word_counts'), object_pairs_hook=OrderedDict)
    word_docs = json.loads(config.pop('word_docs'))
    index_docs = json.loads(config.pop('index_docs'))
    index_word = json.loads(config.pop('index_word'))
    word_index = json.loads(config.pop('word_index'))
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = word_counts
    tokenizer.word_docs = defaultdict(int, word_docs)
    tokenizer.index_docs = defaultdict(int, {int(k): v for k, v in index_docs.items()})
    tokenizer.index_word = {int(k): v for k, v in index_word.items()}
    tokenizer.word_index = word_index
    return tokenizer
