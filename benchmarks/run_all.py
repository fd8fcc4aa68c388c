"""Every workload benchmark in one interleaved run, then one table of ratios.

For each workload variant the implementations run round-robin (``--repeats`` rounds, one
fresh process each; see ``_harness.py``). Printed: the per-implementation table, then one
row per workload with ours' samples/s, the ratio ours / best peer (the fastest of Keras 3,
tf_keras, PyTorch), ours / jax-loop (the hand-written per-batch ``jax.jit`` loop) and ours
/ each peer (a ratio above 1 means ours is faster), the first-batch times (compilation
included) and peak RSS. ``--markdown`` prints that table as Markdown, ``--json FILE``
saves raw results and summary.

    python benchmarks/run_all.py [--repeats N] [--quick] [--only ours keras3 ...]
        [--workloads mlp mnist_cnn ...] [--markdown] [--json results.json]
"""
import argparse
import importlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness as H  # noqa: E402

WORKLOADS = ('mlp', 'mnist_cnn', 'imdb_lstm', 'resnet_small', 'mobilenet_small', 'resnet50',
             'inception')
PEER_COLUMNS = ('keras3', 'tfkeras', 'torch')
OWN_AND_PEERS = ('ours', 'ours-tf') + PEER_COLUMNS


def _fmt(v, spec):
    return '-' if v is None else spec % v


def summary_rows(all_results):
    """One dict per workload variant from {title: {impl: [runs]}}."""
    rows = []
    for title, per_impl in all_results.items():
        s = {impl: H.summarise(runs) for impl, runs in per_impl.items()}
        ok = {k: v for k, v in s.items() if 'error' not in v}
        ours = ok.get('ours', {}).get('samples_per_s')
        peer, peer_sps = H.best_peer(ok)

        def ratio(other):
            return ours / other if ours and other else None
        rows.append({
            'workload': title, 'ours_samples_per_s': ours, 'best_peer': peer,
            'ours_over_best_peer': ratio(peer_sps),
            'ours_over_jax_loop': ratio(ok.get('jax-loop', {}).get('samples_per_s')),
            # this tree on its TensorFlow backend, against the best peer
            'ours_tf_samples_per_s': ok.get('ours-tf', {}).get('samples_per_s'),
            'ours_tf_over_best_peer': (ok['ours-tf']['samples_per_s'] / peer_sps
                                       if 'ours-tf' in ok and peer_sps else None),
            'ours_over': {p: ratio(ok.get(p, {}).get('samples_per_s'))
                          for p in PEER_COLUMNS + ('torch-fused',)},
            'first_batch_s': {k: v['first_batch_s'] for k, v in ok.items()},
            'peak_rss_mb': {k: v['peak_rss_mb'] for k, v in ok.items()},
            'errors': {k: v['error'] for k, v in s.items() if 'error' in v}})
    return rows


def _torch_ratio(r):
    """ours / torch, and ours / torch-fused after a slash where the workload has both."""
    a, b = r['ours_over']['torch'], r['ours_over']['torch-fused']
    if b is None:
        return _fmt(a, '%.2f')
    return '%s / %s' % (_fmt(a, '%.2f'), _fmt(b, '%.2f'))


def ratio_table(rows, markdown=False):
    head = ['workload', 'ours samples/s', 'ours/best peer', 'ours/jax-loop', 'ours/Keras 3',
            'ours/tf_keras', 'ours/PyTorch', 'ours on TF: samples/s, /best peer',
            'first batch s (ours, ours-tf, K3, tfk, torch)',
            'peak MB (ours, ours-tf, K3, tfk, torch)']
    body = []
    for r in rows:
        fb, mem = r['first_batch_s'], r['peak_rss_mb']
        best = ('%.2f (%s)' % (r['ours_over_best_peer'], r['best_peer'])
                if r['ours_over_best_peer'] else '-')
        body.append([r['workload'], _fmt(r['ours_samples_per_s'], '%.0f'), best,
                     _fmt(r['ours_over_jax_loop'], '%.2f'),
                     _fmt(r['ours_over']['keras3'], '%.2f'),
                     _fmt(r['ours_over']['tfkeras'], '%.2f'), _torch_ratio(r),
                     '%s, %s' % (_fmt(r.get('ours_tf_samples_per_s'), '%.0f'),
                                 _fmt(r.get('ours_tf_over_best_peer'), '%.2f')),
                     ', '.join(_fmt(fb.get(k), '%.2f') for k in OWN_AND_PEERS),
                     ', '.join(_fmt(mem.get(k), '%.0f') for k in OWN_AND_PEERS)])
    if markdown:
        lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
        lines += ['| ' + ' | '.join(row) + ' |' for row in body]
        return '\n'.join(lines)
    widths = [max(len(x) for x in col) for col in zip(head, *body)]
    return '\n'.join('  '.join(c.ljust(w) for c, w in zip(row, widths))
                     for row in [head] + body)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--workloads', nargs='+', choices=WORKLOADS, default=list(WORKLOADS))
    parser.add_argument('--markdown', action='store_true', help='ratio table as Markdown')
    H.add_driver_args(parser)
    args = parser.parse_args()
    started = time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())
    t0 = time.perf_counter()
    all_results, notes = {}, []
    for name in args.workloads:
        mod = importlib.import_module('bench_' + name)
        print('== %s' % name, file=sys.stderr)
        results, n = H.drive(os.path.abspath(mod.__file__), list(mod.VARIANTS),
                             lambda v, m=mod: m.IMPLS, args)
        notes += n
        for variant, per_impl in results.items():
            all_results[mod.TITLES.get(variant, variant)] = per_impl
    rows = summary_rows(all_results)
    print(H.table(all_results))
    print()
    print(ratio_table(rows, args.markdown))
    loads = [r.get('loadavg_1min') for per in all_results.values() for runs in per.values()
             for r in runs if 'loadavg_1min' in r]
    print('\nstarted %s, %d repeat(s)%s, %.0f s in all; 1-min load average during the run '
          '%.1f-%.1f on %d cores' % (started, args.repeats, ' (--quick)' if args.quick else '',
                                     time.perf_counter() - t0, min(loads or [0]),
                                     max(loads or [0]), os.cpu_count()))
    for n in notes:
        print('note: ' + n)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'started': started, 'repeats': args.repeats, 'quick': args.quick,
                       'results': all_results, 'summary': rows, 'notes': notes}, f, indent=1)


if __name__ == '__main__':
    main()
