"""Loading a large CSV file in the command line: time and peak memory.

Run by hand (a minute or two; it writes a 229 MB file to a temporary folder)::

    python benchmarks/bench_csv_load.py
    python benchmarks/bench_csv_load.py --rows 30000   # a smaller file

It generates a CSV of 300,000 rows x 80 numeric features plus an integer
label (about 229 MB), then loads it in a fresh Python process with each
loader: the one before the chunked reader (every row held as a list of
Python strings, then converted cell by cell), kept below as ``old_loader``,
and ``sklearn_dnn.cli._csv.read_csv``. Each process reports the wall-clock time
of the load and its peak resident memory (``ru_maxrss``), and the resident
memory after the imports, before loading. The float64 array itself is
300,000 x 80 x 8 bytes = 192 MB.

Measured once on two shared, busy cores (load average about 6; numpy 2.4,
Python 3.11); the file was 218 MiB, the array 183 MiB, and the package's
imports take about 170 MiB in both processes:

- before: 78.3 s, peak RSS 2,090 MiB (1,916 MiB above the imports, 10.5 x
  the array)
- after: 11.3 s, peak RSS 428 MiB (255 MiB above the imports, 1.4 x the
  array)
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np


def old_loader(path, target):
    """The CSV reader as it was: rows of Python strings, then cell by cell."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle) if any(c.strip() for c in row)]
    header, body = [c.strip() for c in rows[0]], rows[1:]
    t = header.index(target)
    labels = [row[t].strip() for row in body]
    features = [i for i in range(len(header)) if i != t]
    X = np.empty((len(body), len(features)))
    for j, i in enumerate(features):
        for r, row in enumerate(body):
            X[r, j] = float(row[i])
    y = np.array([float(v) for v in labels]).astype(int)
    return X, y


def new_loader(path, target):
    """The chunked reader of the command line."""
    from sklearn_dnn.cli._csv import read_csv

    X, labels, _, _ = read_csv(path, target)
    return X, labels


def write_csv(path, n_rows, n_features, seed=0):
    """Write ``n_rows`` rows of normal features and an integer label."""
    rng = np.random.RandomState(seed)
    header = [f"x{i}" for i in range(n_features)] + ["label"]
    with open(path, "w") as handle:
        handle.write(",".join(header) + "\n")
        for start in range(0, n_rows, 10_000):
            m = min(10_000, n_rows - start)
            block = np.column_stack(
                [rng.normal(size=(m, n_features)), rng.randint(0, 10, m)]
            )
            np.savetxt(handle, block, fmt=["%.6f"] * n_features + ["%d"], delimiter=",")


def measure(which, path):
    """Load ``path`` with one loader in this process; print the figures as JSON."""
    import sklearn_dnn.cli._csv  # noqa: F401  (both pay the same imports first)

    loader = {"old": old_loader, "new": new_loader}[which]
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    X, _ = loader(path, "label")
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"seconds": seconds, "peak_mb": peak, "base_mb": base, "shape": X.shape}
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--features", type=int, default=80)
    parser.add_argument("--measure", choices=["old", "new"], help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.path)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "data.csv")
        start = time.perf_counter()
        write_csv(path, args.rows, args.features)
        size = os.path.getsize(path) / 2**20
        print(
            f"{args.rows} x {args.features} CSV: {size:.0f} MiB, written in "
            f"{time.perf_counter() - start:.1f} s; float64 array "
            f"{args.rows * args.features * 8 / 2**20:.0f} MiB"
        )
        for which in ("old", "new"):
            done = subprocess.run(
                [sys.executable, __file__, "--measure", which, "--path", path],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(done.stdout)
            print(
                f"{which}: {r['seconds']:.1f} s, peak RSS {r['peak_mb']:.0f} MiB "
                f"({r['peak_mb'] - r['base_mb']:.0f} MiB above the imports)"
            )


if __name__ == "__main__":
    main()
