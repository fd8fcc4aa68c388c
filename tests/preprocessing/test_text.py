import json

import numpy as np
import pytest

from keras.preprocessing.text import (Tokenizer, text_to_word_sequence, one_hot,
                                      hashing_trick, tokenizer_from_json)

TEXTS = ['The cat sat on the mat.', 'The dog ate my homework!', 'the cat, the dog']


def test_text_to_word_sequence():
    assert text_to_word_sequence('Hello, World!  foo\tbar') == ['hello', 'world', 'foo', 'bar']
    assert text_to_word_sequence('A-B c', filters='', lower=False) == ['A-B', 'c']
    assert text_to_word_sequence('a;b;;c', split=';') == ['a', 'b', 'c']


def test_one_hot_and_hashing():
    idx = one_hot('The cat the dog', 5)
    assert len(idx) == 4 and all(1 <= i < 5 for i in idx)
    assert idx[0] == idx[2]
    h = hashing_trick('the cat the dog', 10, hash_function='md5')
    assert h == [int(__import__('hashlib').md5(w.encode()).hexdigest(), 16) % 9 + 1
                 for w in ['the', 'cat', 'the', 'dog']]
    assert hashing_trick('ab', 3, hash_function=len) == [2 % 2 + 1]


def test_tokenizer_vocabulary():
    tok = Tokenizer()
    tok.fit_on_texts(TEXTS)
    assert tok.document_count == 3
    assert tok.word_index['the'] == 1          # 5 occurrences
    assert tok.word_index['cat'] == 2          # 2, seen before 'dog'
    assert tok.word_index['dog'] == 3
    assert tok.word_counts['the'] == 5
    assert tok.word_docs['the'] == 3 and tok.word_docs['cat'] == 2
    assert tok.index_word[2] == 'cat'
    assert tok.index_docs[1] == 3
    seqs = tok.texts_to_sequences(['the cat ate a fish'])
    assert seqs == [[1, 2, tok.word_index['ate']]]
    assert tok.sequences_to_texts(seqs) == ['the cat ate']


def test_tokenizer_num_words_and_oov():
    tok = Tokenizer(num_words=3, oov_token='<unk>')
    tok.fit_on_texts(TEXTS)
    assert tok.word_index['<unk>'] == 1
    assert tok.word_index['the'] == 2
    # only indices < 3 kept: 'cat' has index 3 -> oov
    assert tok.texts_to_sequences(['the cat zebra']) == [[2, 1, 1]]
    assert tok.sequences_to_texts([[2, 3, 99]]) == ['the <unk> <unk>']
    plain = Tokenizer(num_words=3)
    plain.fit_on_texts(TEXTS)
    assert plain.texts_to_sequences(['the cat zebra']) == [[1, 2]]


def test_tokenizer_char_level_and_lists():
    tok = Tokenizer(char_level=True)
    tok.fit_on_texts(['abca', 'b'])
    assert tok.word_index == {'a': 1, 'b': 2, 'c': 3}
    assert tok.texts_to_sequences(['cab']) == [[3, 1, 2]]
    tok = Tokenizer()
    tok.fit_on_texts([['Hello', 'world'], ['hello']])
    assert tok.word_index == {'hello': 1, 'world': 2}


def test_texts_to_matrix_modes():
    tok = Tokenizer()
    tok.fit_on_texts(TEXTS)
    docs = ['the the cat', 'dog']
    n = len(tok.word_index) + 1
    binary = tok.texts_to_matrix(docs, mode='binary')
    assert binary.shape == (2, n)
    assert binary[0, 1] == 1 and binary[0, 2] == 1 and binary[0].sum() == 2
    count = tok.texts_to_matrix(docs, mode='count')
    assert count[0, 1] == 2 and count[1, 3] == 1
    freq = tok.texts_to_matrix(docs, mode='freq')
    np.testing.assert_allclose(freq[0, [1, 2]], [2 / 3., 1 / 3.])
    tfidf = tok.texts_to_matrix(docs, mode='tfidf')
    # the: tf = 1 + log 2, in 3 of 3 docs; cat: tf = 1, in 2 of 3 docs
    np.testing.assert_allclose(tfidf[0, 1], (1 + np.log(2)) * np.log(1 + 3 / 4.))
    np.testing.assert_allclose(tfidf[0, 2], np.log(1 + 3 / 3.))
    with pytest.raises(ValueError, match='mode'):
        tok.texts_to_matrix(docs, mode='bogus')
    with pytest.raises(ValueError, match='num_words'):
        Tokenizer().sequences_to_matrix([[1]])
    small = Tokenizer(num_words=2)
    small.fit_on_texts(TEXTS)
    assert small.texts_to_matrix(docs).shape == (2, 2)


def test_fit_on_sequences_and_json():
    tok = Tokenizer()
    tok.fit_on_sequences([[1, 2, 2], [2, 3]])
    assert tok.document_count == 2 and tok.index_docs[2] == 2
    m = tok.sequences_to_matrix([[2]], mode='tfidf') if tok.num_words else None
    assert m is None
    tok = Tokenizer(num_words=10, oov_token='?')
    tok.fit_on_texts(TEXTS)
    js = tok.to_json()
    assert json.loads(js)['class_name'] == 'Tokenizer'
    tok2 = tokenizer_from_json(js)
    assert tok2.word_index == tok.word_index
    assert tok2.index_word == tok.index_word
    assert tok2.texts_to_sequences(TEXTS) == tok.texts_to_sequences(TEXTS)
    np.testing.assert_allclose(tok2.texts_to_matrix(TEXTS, 'tfidf'),
                               tok.texts_to_matrix(TEXTS, 'tfidf'))


def test_tokenizer_kwargs():
    with pytest.warns(UserWarning):
        tok = Tokenizer(nb_words=5)
    assert tok.num_words == 5
    with pytest.raises(TypeError):
        Tokenizer(bogus=1)
