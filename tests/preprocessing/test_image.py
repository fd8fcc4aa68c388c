import os

import numpy as np
import pytest

import PIL  # noqa: E402
import scipy  # noqa: F401,E402

from keras.preprocessing import image  # noqa: E402
from keras.preprocessing.image import (ImageDataGenerator, array_to_img, img_to_array,  # noqa: E402
                                       load_img, save_img, NumpyArrayIterator,
                                       DirectoryIterator)


def _images(n=6, h=5, w=4, c=3):
    rng = np.random.RandomState(0)
    return rng.randint(0, 256, size=(n, h, w, c)).astype('float32')


def test_flips_are_exact():
    x = _images(1)[0]
    gen = ImageDataGenerator(data_format='channels_last')
    np.testing.assert_array_equal(gen.apply_transform(x, {'flip_horizontal': True}),
                                  x[:, ::-1, :])
    np.testing.assert_array_equal(gen.apply_transform(x, {'flip_vertical': True}),
                                  x[::-1, :, :])
    np.testing.assert_array_equal(gen.apply_transform(x, {}), x)
    gen_cf = ImageDataGenerator(data_format='channels_first')
    xc = x.transpose(2, 0, 1)
    np.testing.assert_array_equal(gen_cf.apply_transform(xc, {'flip_horizontal': True}),
                                  xc[:, :, ::-1])
    # random flips: each output is x or its mirror image
    gen = ImageDataGenerator(horizontal_flip=True, vertical_flip=True)
    seen = set()
    for seed in range(12):
        out = gen.random_transform(x, seed=seed)
        matches = [np.array_equal(out, v) for v in
                   (x, x[:, ::-1], x[::-1], x[::-1, ::-1])]
        assert sum(matches) >= 1
        seen.add(matches.index(True))
    assert len(seen) > 1


def test_shift_moves_pixels():
    x = np.arange(20, dtype='float32').reshape(5, 4, 1)
    gen = ImageDataGenerator(fill_mode='constant', cval=-1.)
    out = gen.apply_transform(x, {'tx': 1})          # rows: output[r] = x[r + 1]
    np.testing.assert_allclose(out[:-1], x[1:])
    np.testing.assert_allclose(out[-1], -1)
    out = gen.apply_transform(x, {'ty': -2})         # columns: output[:, c] = x[:, c - 2]
    np.testing.assert_allclose(out[:, 2:], x[:, :2])
    np.testing.assert_allclose(out[:, :2], -1)


def test_random_transforms_keep_shape():
    x = _images(1, 8, 8, 3)[0]
    gen = ImageDataGenerator(rotation_range=30, width_shift_range=0.2, height_shift_range=2,
                             shear_range=10, zoom_range=0.2, channel_shift_range=10.,
                             brightness_range=(0.5, 1.5), fill_mode='reflect')
    for seed in range(3):
        assert gen.random_transform(x, seed=seed).shape == x.shape
    p = gen.get_random_transform(x.shape, seed=1)
    assert set(p) == {'theta', 'tx', 'ty', 'shear', 'zx', 'zy', 'flip_horizontal',
                      'flip_vertical', 'channel_shift_intensity', 'brightness'}
    assert -30 <= p['theta'] <= 30 and 0.8 <= p['zx'] <= 1.2
    assert abs(p['ty']) <= 0.2 * 8 and p['tx'] in (-1., 0., 1.)
    assert gen.get_random_transform(x.shape, seed=5) == gen.get_random_transform(x.shape,
                                                                                seed=5)


def test_channel_shift_clips():
    x = np.stack([np.zeros((3, 3)), np.full((3, 3), 10.)], axis=-1)
    out = image.apply_channel_shift(x, 5., channel_axis=2)
    np.testing.assert_allclose(out[..., 0], 5.)
    np.testing.assert_allclose(out[..., 1], 10.)


def test_rescale_and_preprocessing_function():
    x = _images(1)[0]
    gen = ImageDataGenerator(rescale=1. / 255, preprocessing_function=lambda a: a + 1)
    out = gen.standardize(x.copy())
    np.testing.assert_allclose(out, (x + 1) / 255., rtol=1e-6)
    gen = ImageDataGenerator(samplewise_center=True, samplewise_std_normalization=True)
    out = gen.standardize(x)
    assert abs(out.mean()) < 1e-4 and abs(out.std() - 1) < 1e-3


def test_standardize_normalizes_a_float_array_in_place_as_keras_224():
    # `datagen.fit(x_train); datagen.standardize(x_test)` with the result ignored normalized
    # x_test (keras_preprocessing 1.0.5, which Keras 2.2.4 shipped with)
    x_train = _images(8, 4, 4, 3).astype('float64')
    x_test = x_train[:3] + 1.
    gen = ImageDataGenerator(featurewise_center=True, rescale=0.5)
    gen.fit(x_train)
    want = x_test * 0.5 - gen.mean
    out = gen.standardize(x_test)
    assert out is x_test and out.dtype == np.float64
    np.testing.assert_allclose(x_test, want, rtol=1e-6)
    # integer images (which 1.0.5 could not rescale in place) give a new float array
    ints = np.full((2, 2, 3), 10, 'uint8')
    out = ImageDataGenerator(rescale=0.5).standardize(ints)
    assert out.dtype == np.float32 and np.all(out == 5.) and np.all(ints == 10)


def test_featurewise_fit_and_zca():
    x = _images(20, 4, 4, 3)
    gen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
    gen.fit(x)
    assert gen.mean.shape == (1, 1, 3) and gen.std.shape == (1, 1, 3)
    out = np.stack([gen.standardize(xi.copy()) for xi in x])   # (in place, as 2.2.4)
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1, atol=1e-3)
    with pytest.warns(UserWarning):
        zca = ImageDataGenerator(zca_whitening=True)
    zca.fit(x)
    assert zca.principal_components.shape == (48, 48)
    np.testing.assert_allclose(zca.principal_components, zca.principal_components.T,
                               atol=1e-6)
    assert zca.standardize(x[0]).shape == x[0].shape
    with pytest.raises(ValueError, match='rank 4'):
        gen.fit(x[0])
    gen_cf = ImageDataGenerator(featurewise_center=True, data_format='channels_first')
    gen_cf.fit(x.transpose(0, 3, 1, 2), augment=True, rounds=2, seed=1)
    assert gen_cf.mean.shape == (3, 1, 1)


def test_constructor_validation():
    with pytest.raises(ValueError, match='zoom_range'):
        ImageDataGenerator(zoom_range=(1, 2, 3))
    with pytest.raises(ValueError, match='validation_split'):
        ImageDataGenerator(validation_split=1.5)
    with pytest.raises(ValueError, match='brightness_range'):
        ImageDataGenerator(brightness_range=0.5)
    with pytest.raises(ValueError, match='fill_mode'):
        ImageDataGenerator(fill_mode='mirror')
    with pytest.raises(ValueError, match='data_format'):
        ImageDataGenerator(data_format='NHWC')
    assert ImageDataGenerator(zoom_range=0.25).zoom_range == [0.75, 1.25]


def test_flow_batches():
    x = np.stack([np.full((3, 3, 1), i, 'float32') for i in range(10)])
    y = np.arange(10)
    w = np.arange(10) * 0.5
    gen = ImageDataGenerator()
    it = gen.flow(x, y, batch_size=4, shuffle=False, sample_weight=w)
    assert isinstance(it, NumpyArrayIterator) and len(it) == 3
    bx, by, bw = it[1]
    assert bx.shape == (4, 3, 3, 1) and bx.dtype == np.float32
    np.testing.assert_array_equal(by, [4, 5, 6, 7])
    np.testing.assert_array_equal(bx[:, 0, 0, 0], by)
    np.testing.assert_array_equal(bw, by * 0.5)
    assert it[2][0].shape[0] == 2
    with pytest.raises(ValueError):
        it[3]
    # python iterator: cycles over the data
    it = gen.flow(x, y, batch_size=4, shuffle=True, seed=3)
    labels = [next(it)[1] for _ in range(3)]
    assert sorted(np.concatenate(labels).tolist()) == list(range(10))
    for bx, by in [next(it) for _ in range(3)]:
        np.testing.assert_array_equal(bx[:, 0, 0, 0], by)
    # images only, extra inputs
    assert gen.flow(x, batch_size=5, shuffle=False)[0].shape == (5, 3, 3, 1)
    (bx, extra), by = gen.flow((x, y * 2), y, batch_size=3, shuffle=False)[0]
    np.testing.assert_array_equal(extra, [0, 2, 4])
    with pytest.raises(ValueError, match='same'):
        gen.flow(x, y[:5])
    with pytest.raises(ValueError, match='rank 4'):
        gen.flow(x[:, :, :, 0], y)


def test_flow_subsets():
    x = np.stack([np.full((2, 2, 1), i, 'float32') for i in range(10)])
    y = np.array([0, 1] * 5)
    gen = ImageDataGenerator(validation_split=0.2)
    val = gen.flow(x, y, batch_size=10, shuffle=False, subset='validation')
    train = gen.flow(x, y, batch_size=10, shuffle=False, subset='training')
    assert val.n == 2 and train.n == 8
    np.testing.assert_array_equal(val[0][1], [0, 1])
    with pytest.raises(ValueError, match='subset'):
        gen.flow(x, y, subset='test')


def test_image_file_roundtrip(tmp_path):
    arr = np.random.RandomState(1).randint(0, 256, (6, 5, 3)).astype('float32')
    path = str(tmp_path / 'img.png')
    save_img(path, arr, scale=False)
    img = load_img(path)
    assert img.size == (5, 6) and img.mode == 'RGB'
    np.testing.assert_array_equal(img_to_array(img), arr)
    assert img_to_array(img, data_format='channels_first').shape == (3, 6, 5)
    gray = load_img(path, color_mode='grayscale', target_size=(3, 4))
    assert img_to_array(gray).shape == (3, 4, 1)
    assert img_to_array(load_img(path, color_mode='rgba')).shape == (6, 5, 4)
    with pytest.raises(ValueError, match='interpolation'):
        load_img(path, target_size=(2, 2), interpolation='magic')
    # a file object (an upload read into memory), which PIL reads
    import io
    with open(path, 'rb') as f:
        data = f.read()
    np.testing.assert_array_equal(img_to_array(load_img(io.BytesIO(data))), arr)
    with open(path, 'rb') as f:
        assert load_img(f, target_size=(3, 2)).size == (2, 3)
    # array_to_img scales to 0..255
    img = array_to_img(np.linspace(-1, 1, 12).reshape(2, 2, 3))
    a = img_to_array(img)
    assert a.min() == 0 and a.max() == 255
    assert array_to_img(np.zeros((1, 2, 2)), data_format='channels_first').mode == 'L'
    with pytest.raises(ValueError, match='rank 3'):
        array_to_img(np.zeros((2, 2)))
    with pytest.warns(UserWarning):
        save_img(str(tmp_path / 'x.jpg'), np.zeros((2, 2, 4)))


@pytest.fixture
def image_dir(tmp_path):
    root = tmp_path / 'imgs'
    rng = np.random.RandomState(0)
    for cls, value in (('cats', 50), ('dogs', 200)):
        (root / cls / 'sub').mkdir(parents=True)
        for i in range(3):
            arr = np.full((6, 5, 3), value, dtype='uint8')
            arr[0, 0] = rng.randint(0, 256, 3)
            where = root / cls / ('sub' if i == 2 else '') / ('%s_%d.png' % (cls, i))
            PIL.Image.fromarray(arr).save(str(where))
        (root / cls / 'notes.txt').write_text('not an image')
    return str(root)


def test_list_pictures_takes_extensions_as_keras_224_wrote_them(image_dir):
    pngs = image.list_pictures(image_dir, ext='png')
    assert len(pngs) == 6 and all(p.endswith('.png') for p in pngs)
    # Keras 2.2.4's form: alternatives joined by '|'
    assert image.list_pictures(image_dir, ext='jpg|png') == pngs
    assert image.list_pictures(image_dir, ext=('txt',)) == sorted(
        os.path.join(image_dir, c, 'notes.txt') for c in ('cats', 'dogs'))
    assert image.list_pictures(image_dir, ext='jpg|bmp') == []


def test_flow_from_directory(image_dir, tmp_path, capsys):
    gen = ImageDataGenerator(rescale=1. / 255)
    it = gen.flow_from_directory(image_dir, target_size=(4, 4), batch_size=4,
                                 shuffle=False)
    assert 'Found 6 images belonging to 2 classes.' in capsys.readouterr().out
    assert isinstance(it, DirectoryIterator)
    assert it.class_indices == {'cats': 0, 'dogs': 1}
    assert it.classes.tolist() == [0, 0, 0, 1, 1, 1]
    assert len(it.filenames) == 6 and len(it) == 2
    assert it.filenames[2] == os.path.join('cats', 'sub', 'cats_2.png')
    bx, by = it[0]
    assert bx.shape == (4, 4, 4, 3)
    np.testing.assert_array_equal(by, [[1, 0], [1, 0], [1, 0], [0, 1]])
    np.testing.assert_allclose(bx[0, 2, 2], 50 / 255., rtol=1e-6)
    np.testing.assert_allclose(bx[3, 2, 2], 200 / 255., rtol=1e-6)

    sparse = gen.flow_from_directory(image_dir, target_size=(4, 4), class_mode='sparse',
                                     batch_size=6, shuffle=False)
    assert sparse[0][1].tolist() == [0, 0, 0, 1, 1, 1]
    binary = gen.flow_from_directory(image_dir, target_size=(4, 4), class_mode='binary',
                                     batch_size=6, shuffle=False)
    assert binary[0][1].dtype == np.float32
    inp = gen.flow_from_directory(image_dir, target_size=(4, 4), class_mode='input',
                                  batch_size=2)
    x, y = inp[0]
    np.testing.assert_array_equal(x, y)
    none = gen.flow_from_directory(image_dir, target_size=(3, 2), class_mode=None,
                                   color_mode='grayscale', batch_size=6)
    assert none[0].shape == (6, 3, 2, 1)
    only_dogs = gen.flow_from_directory(image_dir, classes=['dogs'], target_size=(4, 4))
    assert only_dogs.samples == 3

    gen = ImageDataGenerator(validation_split=1. / 3, horizontal_flip=True)
    val = gen.flow_from_directory(image_dir, target_size=(4, 4), subset='validation')
    train = gen.flow_from_directory(image_dir, target_size=(4, 4), subset='training')
    assert val.samples == 2 and train.samples == 4
    assert not set(val.filenames) & set(train.filenames)

    out_dir = tmp_path / 'saved'
    out_dir.mkdir()
    it = gen.flow_from_directory(image_dir, target_size=(4, 4), batch_size=3,
                                 save_to_dir=str(out_dir), save_prefix='aug')
    next(it)
    assert len(os.listdir(out_dir)) == 3
    with pytest.raises(ValueError, match='class_mode'):
        gen.flow_from_directory(image_dir, class_mode='onehot')
    with pytest.raises(ValueError, match='color mode'):
        gen.flow_from_directory(image_dir, color_mode='cmyk')


def test_flow_from_dataframe(image_dir):
    files = [os.path.join('cats', 'cats_0.png'), os.path.join('dogs', 'dogs_1.png'),
             os.path.join('dogs', 'missing.png')]
    frame = {'filename': files, 'class': ['cat', 'dog', 'dog'], 'w': [1., 2., 3.]}
    gen = ImageDataGenerator()
    with pytest.warns(UserWarning, match='invalid image filename'):
        it = gen.flow_from_dataframe(frame, directory=image_dir, target_size=(4, 4),
                                     batch_size=2, shuffle=False, weight_col='w')
    assert it.samples == 2 and it.class_indices == {'cat': 0, 'dog': 1}
    bx, by, bw = it[0]
    np.testing.assert_array_equal(by, [[1, 0], [0, 1]])
    np.testing.assert_array_equal(bw, [1., 2.])
    raw = gen.flow_from_dataframe({'filename': files[:2], 'v': [0.5, 1.5]}, image_dir,
                                  y_col='v', class_mode='raw', target_size=(4, 4),
                                  shuffle=False)
    np.testing.assert_allclose(raw[0][1], [0.5, 1.5])
    # keras_preprocessing 1.0.5's name for 'raw', which regression tutorials use
    with pytest.warns(DeprecationWarning, match='"other" is deprecated'):
        other = gen.flow_from_dataframe({'filename': files[:2], 'v': [0.5, 1.5]}, image_dir,
                                        y_col='v', class_mode='other', target_size=(4, 4),
                                        shuffle=False)
    assert other.class_mode == 'raw'
    np.testing.assert_allclose(other[0][1], [0.5, 1.5])


def test_flow_from_dataframe_with_extension_less_names(image_dir):
    # keras_preprocessing 1.0.5 (Keras 2.2.4's): `has_ext=False` names the images of
    # `directory` without their extension (a Kaggle `id` column)
    frame = {'id': ['dogs_1', 'dogs_0', 'nothing'], 'label': ['b', 'a', 'a']}
    gen = ImageDataGenerator(rescale=1. / 255)
    with pytest.warns(DeprecationWarning, match='has_ext` is deprecated'):
        it = gen.flow_from_dataframe(frame, directory=os.path.join(image_dir, 'dogs'),
                                     x_col='id', y_col='label', has_ext=False,
                                     target_size=(6, 5), batch_size=3, shuffle=False)
    assert it.samples == 2 and it.filenames == ['dogs_1.png', 'dogs_0.png']
    bx, by = it[0]
    np.testing.assert_allclose(bx[:, 3, 3], 200 / 255., rtol=1e-6)
    np.testing.assert_array_equal(by, [[0, 1], [1, 0]])
    assert frame['id'] == ['dogs_1', 'dogs_0', 'nothing']    # the caller's frame is unchanged
