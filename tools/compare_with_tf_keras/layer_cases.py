"""Random configurations of Keras 2.2 layers (explicit arguments, so that the defaults where
tf_keras differs from Keras 2.2.4 do not matter) for `layers.py`."""
import random


def cases(seed=0, n_per=12):
    r = random.Random(seed)
    out = []
    def add(cls, kwargs, shape, **extra):
        out.append(dict(cls=cls, kwargs=kwargs, shape=shape, **extra))
    acts = ['linear', 'relu', 'tanh', 'sigmoid', 'hard_sigmoid', 'elu', 'selu', 'softplus', 'softsign', 'exponential']
    for dims, cls in ((1, 'Conv1D'), (2, 'Conv2D'), (3, 'Conv3D')):
        for _ in range(n_per):
            df = r.choice(['channels_last', 'channels_first'])
            pads = ['valid', 'same'] + (['causal'] if dims == 1 else [])
            pad = r.choice(pads)
            if dims == 1:
                df = 'channels_last' if pad == 'causal' else df
            dil = r.choice([1, 1, 2])
            strides = 1 if dil > 1 else r.choice([1, 2, 3])
            k = tuple(r.choice([1, 2, 3]) for _ in range(dims))
            sp = [r.choice([7, 8, 9]) for _ in range(dims)]
            c = r.choice([1, 3])
            shape = ([c] + sp) if df == 'channels_first' else (sp + [c])
            add(cls, dict(filters=r.choice([2, 4]), kernel_size=k, strides=strides, padding=pad,
                          data_format=df if dims > 1 or pad != 'causal' else 'channels_last',
                          dilation_rate=dil, activation=r.choice(acts), use_bias=r.random() < 0.7), shape)
    for dims, cls in ((1, 'SeparableConv1D'), (2, 'SeparableConv2D')):
        for _ in range(n_per):
            df = r.choice(['channels_last', 'channels_first'])
            dil = r.choice([1, 1, 2])
            strides = 1 if dil > 1 else r.choice([1, 2])
            sp = [r.choice([7, 8]) for _ in range(dims)]
            c = r.choice([1, 3])
            shape = ([c] + sp) if df == 'channels_first' else (sp + [c])
            add(cls, dict(filters=3, kernel_size=r.choice([1, 2, 3]), strides=strides,
                          padding=r.choice(['valid', 'same']), data_format=df, dilation_rate=dil,
                          depth_multiplier=r.choice([1, 2]), activation=r.choice(acts),
                          use_bias=r.random() < 0.7), shape)
    for _ in range(n_per):
        df = r.choice(['channels_last', 'channels_first'])
        c = r.choice([1, 3])
        sp = [r.choice([7, 8]), r.choice([7, 8])]
        shape = ([c] + sp) if df == 'channels_first' else (sp + [c])
        add('DepthwiseConv2D', dict(kernel_size=r.choice([1, 2, 3]), strides=r.choice([1, 2]),
                                    padding=r.choice(['valid', 'same']), data_format=df,
                                    depth_multiplier=r.choice([1, 2]), activation=r.choice(acts),
                                    use_bias=r.random() < 0.7), shape)
    for dims, cls in ((2, 'Conv2DTranspose'), (3, 'Conv3DTranspose')):
        for _ in range(n_per):
            df = r.choice(['channels_last', 'channels_first'])
            strides = tuple(r.choice([1, 2, 3]) for _ in range(dims))
            k = tuple(r.choice([1, 2, 3, 4]) for _ in range(dims))
            op = None
            if r.random() < 0.5:
                op = tuple(r.randrange(0, s) if s > 1 else 0 for s in strides)
            sp = [r.choice([4, 5]) for _ in range(dims)]
            c = r.choice([1, 2])
            shape = ([c] + sp) if df == 'channels_first' else (sp + [c])
            kw = dict(filters=2, kernel_size=k, strides=strides, padding=r.choice(['valid', 'same']),
                      data_format=df, activation=r.choice(acts), use_bias=r.random() < 0.7)
            if op is not None and cls == 'Conv2DTranspose':
                kw['output_padding'] = op
            add(cls, kw, shape)
    for dims in (1, 2, 3):
        for kind in ('Max', 'Average'):
            cls = '%sPooling%dD' % (kind, dims)
            for _ in range(n_per // 2):
                df = r.choice(['channels_last', 'channels_first'])
                p = tuple(r.choice([1, 2, 3]) for _ in range(dims))
                s = r.choice([None, 1, 2, 3])
                sp = [r.choice([5, 6, 7]) for _ in range(dims)]
                c = 2
                shape = ([c] + sp) if df == 'channels_first' else (sp + [c])
                if dims == 1:
                    kw = dict(pool_size=p[0], strides=s, padding=r.choice(['valid', 'same']), data_format=df)
                else:
                    kw = dict(pool_size=p, strides=s, padding=r.choice(['valid', 'same']), data_format=df)
                add(cls, kw, shape)
    for dims in (1, 2, 3):
        for kind in ('Max', 'Average'):
            for df in ('channels_last', 'channels_first'):
                sp = [5] * dims
                shape = ([2] + sp) if df == 'channels_first' else (sp + [2])
                add('Global%sPooling%dD' % (kind, dims), dict(data_format=df), shape)
    for dims in (1, 2, 3):
        for _ in range(4):
            df = r.choice(['channels_last', 'channels_first'])
            sp = [r.choice([3, 4]) for _ in range(dims)]
            shape = ([2] + sp) if df == 'channels_first' else (sp + [2])
            if dims == 1:
                add('UpSampling1D', dict(size=r.choice([1, 2, 3])), [4, 2])
                add('ZeroPadding1D', dict(padding=(r.randrange(3), r.randrange(3))), [4, 2])
                add('Cropping1D', dict(cropping=(r.randrange(2), r.randrange(2))), [5, 2])
                continue
            kw = dict(size=tuple(r.choice([1, 2, 3]) for _ in range(dims)), data_format=df)
            if dims == 2:
                kw['interpolation'] = r.choice(['nearest', 'bilinear'])
            add('UpSampling%dD' % dims, kw, shape)
            add('ZeroPadding%dD' % dims, dict(padding=tuple((r.randrange(3), r.randrange(3)) for _ in range(dims)), data_format=df), shape)
            add('Cropping%dD' % dims, dict(cropping=tuple((r.randrange(2), r.randrange(2)) for _ in range(dims)), data_format=df),
                ([2] + [s + 3 for s in sp]) if df == 'channels_first' else ([s + 3 for s in sp] + [2]))
    for _ in range(n_per):
        impl = r.choice([1, 2])
        add('LocallyConnected1D', dict(filters=2, kernel_size=r.choice([1, 2, 3]), strides=r.choice([1, 2]),
                                       activation=r.choice(acts), use_bias=r.random() < 0.7), [7, 3])
        df = r.choice(['channels_last', 'channels_first'])
        add('LocallyConnected2D', dict(filters=2, kernel_size=r.choice([1, 2, 3]), strides=r.choice([1, 2]),
                                       data_format=df, activation=r.choice(acts), use_bias=r.random() < 0.7), [3, 6, 5] if df == 'channels_first' else [6, 5, 3])
    for cls in ('SimpleRNN', 'GRU', 'LSTM'):
        for _ in range(n_per):
            kw = dict(units=r.choice([2, 3]), activation=r.choice(['tanh', 'relu', 'sigmoid']),
                      use_bias=r.random() < 0.8, return_sequences=r.random() < 0.5,
                      go_backwards=r.random() < 0.3, unroll=r.random() < 0.3,
                      return_state=r.random() < 0.3)
            if cls != 'SimpleRNN':
                kw['recurrent_activation'] = r.choice(['hard_sigmoid', 'sigmoid', 'tanh'])
            if cls == 'GRU':
                kw['reset_after'] = r.random() < 0.5
            if cls == 'LSTM':
                kw['unit_forget_bias'] = r.random() < 0.5
            add(cls, kw, [5, 3], mask=r.random() < 0.3)
    for _ in range(6):
        df = r.choice(['channels_last', 'channels_first'])
        add('ConvLSTM2D', dict(filters=2, kernel_size=r.choice([1, 2, 3]), padding=r.choice(['valid', 'same']),
                               strides=r.choice([1, 2]) , data_format=df, return_sequences=r.random() < 0.5,
                               go_backwards=r.random() < 0.3, recurrent_activation=r.choice(['hard_sigmoid', 'sigmoid'])),
            [3, 2, 6, 6] if df == 'channels_first' else [3, 6, 6, 2])
    for _ in range(n_per):
        axis = r.choice([-1, 1, 2])
        add('BatchNormalization', dict(axis=axis, center=r.random() < 0.7, scale=r.random() < 0.7,
                                       epsilon=r.choice([1e-3, 1e-5, 0.1])), [4, 5, 3], training=r.random() < 0.5)
    for _ in range(6):
        add('PReLU', dict(shared_axes=r.choice([None, [1], [1, 2], [2]])), [3, 4, 2])
        add('LeakyReLU', dict(alpha=r.choice([0.1, 0.3, 1.5])), [3, 4])
        add('ELU', dict(alpha=r.choice([0.5, 1.0, 2.0])), [3, 4])
        add('ThresholdedReLU', dict(theta=r.choice([0.0, 0.3, 1.0])), [3, 4])
        add('Softmax', dict(axis=r.choice([-1, 1])), [3, 4])
        add('ReLU', dict(max_value=r.choice([None, 0.5, 6.]), negative_slope=r.choice([0., 0.2]),
                         threshold=r.choice([0., 0.1])), [3, 4])
    for a in acts:
        add('Dense', dict(units=3, activation=a), [4])
        add('Activation', dict(activation=a), [3, 4])
    for _ in range(6):
        add('Dot', dict(axes=r.choice([1, 2, [1, 1], [2, 2], [1, 2]]), normalize=r.random() < 0.5), [3, 3], inputs=2)
    for cls in ('Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum'):
        add(cls, {}, [3, 4], inputs=2)
    add('Concatenate', dict(axis=1), [3, 4], inputs=2)
    add('Embedding', dict(input_dim=10, output_dim=3), [5], ints=10)
    add('Embedding', dict(input_dim=10, output_dim=3, mask_zero=True), [5], ints=10)
    for _ in range(4):
        add('Bidirectional', dict(layer=dict(cls=r.choice(['LSTM', 'GRU', 'SimpleRNN']), units=2,
                                             return_sequences=r.random() < 0.5),
                                  merge_mode=r.choice(['concat', 'sum', 'ave', 'mul', None])), [4, 3])
    add('TimeDistributed', dict(layer=dict(cls='Dense', units=2)), [4, 3])
    add('Flatten', dict(data_format='channels_first'), [2, 3, 4])
    add('Flatten', dict(data_format='channels_last'), [2, 3, 4])
    add('Permute', dict(dims=(2, 1, 3)), [2, 3, 4])
    add('RepeatVector', dict(n=3), [4])
    add('Reshape', dict(target_shape=(-1, 2)), [3, 4])
    add('Masking', dict(mask_value=0.), [4, 3])
    return out
