"""Training speed and memory of DNNClassifier against scikit-learn and PyTorch.

Run by hand, one command per workload (``all`` runs the three)::

    python benchmarks/bench_fit.py large      # 60000 x 784, (256, 128)
    python benchmarks/bench_fit.py small      # digits, (100,), 200 epochs
    python benchmarks/bench_fit.py scaling    # 10x the rows, 4x the width
    python benchmarks/bench_fit.py memmap     # 10,000,000 x 50 float32 on disk
    python benchmarks/bench_fit.py all --rounds 3

Each took about 4 minutes on an idle 2-core machine (``small`` with
``--rounds 2``); several times that when other jobs share the cores.

Workloads (adam, alpha=1e-4, shuffling, no early stopping, the stopping rule
switched off so every fit runs all its epochs):

``large``
    ``make_classification(60000, 784, n_informative=100, n_classes=10)``,
    hidden ``(256, 128)``, batch 256, float32 and float64.  Besides seconds
    per epoch it prints the achieved GFLOP/s, counting ``6 * sum(n_in *
    n_out) * n`` per epoch (three GEMMs per layer: forward, dW and the
    delta), and that as a fraction of numpy's own GEMM speed at the very same
    shapes, measured in the same run: the ceiling of a dense MLP on this
    machine.  ``GEMM floor`` is the time of the eight GEMMs an epoch needs
    (the first layer needs no input delta).
``small``
    ``load_digits`` scaled to [0, 1], hidden ``(100,)``, batch 200, 200
    epochs, float64 and float32: bound by per-batch overhead.
``scaling``
    the large workload in float32 with 6,000 and 60,000 rows (time per epoch
    should grow linearly, 10x), and with hidden ``(256, 128)`` against
    ``(1024, 512)`` on 6,000 rows.
``memmap`` (not part of ``all``)
    a float32 ``np.memmap`` of 10,000,000 x 50 (a 2 GB ``.npy`` file written
    in the temporary directory and deleted afterwards; ``y`` one byte per
    row, 10 classes drawn from a softmax of linear logits), one epoch of
    hidden ``(64,)``, batch 512, on its first 1,000,000 rows and on all of
    it.  Reports seconds per epoch (should grow 10x) and the growth of
    anonymous memory (``RssAnon``, sampled every 10 ms during the fit; the
    file's pages are page cache, not counted), which must stay under 200 MB.

Every configuration (implementation, workload, dtype) runs in a fresh
subprocess: it loads the data, fits one epoch on four batches (lazy imports,
BLAS work buffers), resets the peak resident set size
(``/proc/self/clear_refs``), fits once more on all the data and reads the
growth of the peak RSS during that fit (``VmHWM - VmRSS`` before; plus
tracemalloc's peak for the numpy implementations), then times ``--repeats``
further fits.
Seconds per epoch are fit time / epochs (validation and set-up included).
``--rounds`` repeats the set of subprocesses, interleaved so that load from
other jobs hits every implementation alike; the tables give medians over all
timed fits and ratios of medians from the same run.

PyTorch is optional (``pip install torch``): a plain eager loop (``nn.Linear``
+ ReLU, ``cross_entropy``, ``torch.optim.Adam`` with the L2 term as weight
decay on the weights only, ``randperm`` + ``index_select`` batches), with
``torch.set_num_threads`` set to the BLAS thread count.  It is never a
dependency of the package.

Results and the machine facts are kept in ``benchmarks/RESULTS.md``.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ALPHA = 1e-4
LARGE = {"n": 60000, "d": 784, "hidden": (256, 128), "batch": 256}
SMALL = {"hidden": (100,), "batch": 200, "epochs": 200}
MEMMAP = {"n": 10_000_000, "d": 50, "hidden": (64,), "batch": 512, "chunk": 1_000_000}


# -- machine facts -------------------------------------------------------------


def blas_threads():
    from threadpoolctl import threadpool_info

    for info in threadpool_info():
        if info["user_api"] == "blas":
            return info["num_threads"]
    return os.cpu_count()


def machine_facts():
    import scipy
    import sklearn
    from threadpoolctl import threadpool_info

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    facts = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "blas": [
            {k: info.get(k) for k in ("internal_api", "version", "architecture")}
            | {
                "threads": info["num_threads"],
                "lib": os.path.basename(info["filepath"]),
            }
            for info in threadpool_info()
            if info["user_api"] == "blas"
        ],
    }
    try:
        import torch

        facts["torch"] = torch.__version__
    except ImportError:
        facts["torch"] = None
    return facts


# -- child side: one configuration in a fresh process ---------------------------


def _memory_status():
    status = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                status[key] = int(value.split()[0]) * 1024
    return status


def _reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def load_data(spec):
    X = np.load(spec["X"], mmap_mode=None)
    y = np.load(spec["y"])
    if spec.get("n") is not None:
        X, y = X[: spec["n"]], y[: spec["n"]]
    X = np.ascontiguousarray(X, dtype=spec["dtype"])
    return X, y


def _numpy_estimator(spec):
    epochs = spec["epochs"]
    common = {
        "hidden_layer_sizes": tuple(spec["hidden"]),
        "solver": "adam",
        "alpha": ALPHA,
        "batch_size": spec["batch"],
        "max_iter": epochs,
        "n_iter_no_change": epochs + 1,
        "tol": 0.0,
        "random_state": 0,
    }
    if spec["impl"] == "ours":
        from sklearn_dnn import DNNClassifier

        return DNNClassifier(**common)
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(**common)


def _fit_numpy(spec, X, y):
    from sklearn.exceptions import ConvergenceWarning

    est = _numpy_estimator(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start, cpu = time.perf_counter(), time.process_time()
        est.fit(X, y)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert est.n_iter_ == spec["epochs"], est.n_iter_
    assert est.coefs_[0].dtype == X.dtype
    return seconds, cpu, float(est.loss_)


def _torch_trainer(spec, X, y):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(blas_threads())
    torch.manual_seed(0)
    dtype = {"float32": torch.float32, "float64": torch.float64}[spec["dtype"]]
    X_t = torch.from_numpy(X)
    classes, y_codes = np.unique(y, return_inverse=True)
    y_t = torch.from_numpy(y_codes.astype(np.int64))
    units = [X.shape[1], *spec["hidden"], len(classes)]
    n, batch = X.shape[0], spec["batch"]

    def fit():
        layers = []
        for i, (n_in, n_out) in enumerate(zip(units[:-1], units[1:])):
            layers.append(torch.nn.Linear(n_in, n_out, dtype=dtype))
            if i < len(units) - 2:
                layers.append(torch.nn.ReLU())
        model = torch.nn.Sequential(*layers)
        weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
        biases = [p for name, p in model.named_parameters() if name.endswith("bias")]
        optimizer = torch.optim.Adam(
            [
                {"params": weights, "weight_decay": ALPHA / batch},
                {"params": biases, "weight_decay": 0.0},
            ],
            lr=1e-3,
            betas=(0.9, 0.999),
            eps=1e-8,
        )
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(spec["epochs"]):
            order = torch.randperm(n)
            total = 0.0
            for i in range(0, n, batch):
                rows = order[i : i + batch]
                xb, yb = X_t.index_select(0, rows), y_t.index_select(0, rows)
                optimizer.zero_grad(set_to_none=True)
                loss = F.cross_entropy(model(xb), yb)
                loss.backward()
                optimizer.step()
                total += loss.item() * len(rows)
        return time.perf_counter() - start, time.process_time() - cpu, total / n

    return fit


def _trainer(spec, X, y):
    if spec["impl"] in ("ours", "sklearn"):
        return lambda: _fit_numpy(spec, X, y)
    return _torch_trainer(spec, X, y)


def run_child(spec):
    X, y = load_data(spec)
    numpy_impl = spec["impl"] in ("ours", "sklearn")
    # A one-epoch fit on a few batches first: it does the lazy imports and
    # makes the BLAS library allocate its work buffers, which would otherwise
    # be counted as the memory of the measured fit.
    rows = 4 * spec["batch"]
    _trainer(dict(spec, epochs=1), X[:rows], y[:rows])()
    fit = _trainer(spec, X, y)
    reset = _reset_peak_rss()
    before = _memory_status()
    if numpy_impl:
        tracemalloc.start()
    _, _, loss = fit()
    traced_peak = None
    if numpy_impl:
        traced_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    after = _memory_status()
    timed = [fit() for _ in range(spec["repeats"])]
    return {
        "times": [t[0] for t in timed],
        "cpu": [t[1] for t in timed],
        "loss": loss,
        "rss_growth": after["VmHWM"] - before["VmRSS"] if reset else None,
        "traced_peak": traced_peak,
    }


def _anon_rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no RssAnon in /proc/self/status")


def _memmap_child(spec):
    """One epoch on the first ``n`` rows of the memmap, sampling RssAnon."""
    import threading

    from sklearn.exceptions import ConvergenceWarning

    from sklearn_dnn import DNNClassifier

    X = np.load(spec["X"], mmap_mode="r")[: spec["n"]]
    y = np.load(spec["y"], mmap_mode="r")[: spec["n"]]
    est = DNNClassifier(
        hidden_layer_sizes=tuple(spec["hidden"]),
        batch_size=spec["batch"],
        max_iter=1,
        random_state=0,
    )
    est.fit(X[:2000], y[:2000])  # lazy imports, BLAS buffers
    base, peak, done = _anon_rss(), [0], threading.Event()

    def sample():
        while not done.wait(0.01):
            peak[0] = max(peak[0], _anon_rss())

    sampler = threading.Thread(target=sample)
    sampler.start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start, cpu = time.perf_counter(), time.process_time()
        est.fit(X, y)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    done.set()
    sampler.join()
    peak[0] = max(peak[0], _anon_rss())
    return {
        "times": [seconds],
        "cpu": [cpu],
        "anon_growth": peak[0] - base,
        "loss": float(est.loss_),
    }


# -- GEMM ceiling ------------------------------------------------------------------


def _gemm_child(spec):
    """Time the GEMMs of one epoch at the workload's shapes, preallocated."""
    dtype = np.dtype(spec["dtype"])
    rng = np.random.RandomState(0)
    units = [spec["d"], *spec["hidden"], spec["n_classes"]]
    n, batch = spec["n"], spec["batch"]
    X = rng.standard_normal((batch, units[0])).astype(dtype)
    Ws = [rng.standard_normal((a, b)).astype(dtype) for a, b in zip(units, units[1:])]
    acts = [np.empty((batch, b), dtype) for b in units[1:]]
    deltas = [rng.standard_normal((batch, b)).astype(dtype) for b in units[1:]]
    dWs = [np.empty_like(W) for W in Ws]
    dX = np.empty_like(X)
    sizes = [batch] * (n // batch) + ([n % batch] if n % batch else [])

    def epoch(with_input_delta):
        start = time.perf_counter()
        for m in sizes:
            A = X[:m]
            for W, Z in zip(Ws, acts):
                np.matmul(A, W, out=Z[:m])
                A = Z[:m]
            for l in range(len(Ws) - 1, -1, -1):
                A_in = X[:m] if l == 0 else acts[l - 1][:m]
                np.matmul(A_in.T, deltas[l][:m], out=dWs[l])
                if l > 0:
                    np.matmul(deltas[l][:m], Ws[l].T, out=deltas[l - 1][:m])
                elif with_input_delta:
                    np.matmul(deltas[0][:m], Ws[0].T, out=dX[:m])
        return time.perf_counter() - start

    epoch(True)
    full = [epoch(True) for _ in range(spec["repeats"])]
    needed = [epoch(False) for _ in range(spec["repeats"])]
    return {"times": full, "needed": needed}


# -- parent side -----------------------------------------------------------------


def child(spec):
    if os.environ.get("BENCH_THREADS"):
        spec = dict(spec, threads=int(os.environ["BENCH_THREADS"]))
    out = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"child {spec['impl']} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def torch_available():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def flops_per_epoch(n, units):
    return 6 * sum(a * b for a, b in zip(units[:-1], units[1:])) * n


class Collector:
    """Runs subprocess configurations in interleaved rounds and keeps all
    their numbers."""

    def __init__(self, rounds, repeats):
        self.rounds, self.repeats = rounds, repeats
        self.results = {}

    def run(self, configs):
        for r in range(self.rounds):
            for key, spec in configs:
                spec = dict(spec, repeats=self.repeats)
                res = child(spec)
                slot = self.results.setdefault(
                    key,
                    {
                        "times": [],
                        "cpu": [],
                        "needed": [],
                        "rss": [],
                        "traced": [],
                        "loss": [],
                        "anon": [],
                    },
                )
                slot["times"] += res["times"]
                slot["cpu"] += res.get("cpu", [])
                slot["needed"] += res.get("needed", [])
                if res.get("rss_growth") is not None:
                    slot["rss"].append(res["rss_growth"])
                if res.get("traced_peak") is not None:
                    slot["traced"].append(res["traced_peak"])
                if res.get("anon_growth") is not None:
                    slot["anon"].append(res["anon_growth"])
                if res.get("loss") is not None:
                    slot["loss"].append(res["loss"])
                print(
                    f"  round {r + 1}/{self.rounds} {key}: "
                    + " ".join(f"{t:.3f}" for t in res["times"])
                    + " s",
                    file=sys.stderr,
                    flush=True,
                )

    def median(self, key, field="times"):
        values = self.results.get(key, {}).get(field)
        return statistics.median(values) if values else None


def _mib(x):
    return "-" if x is None else f"{x / 2**20:.1f}"


def _ratio(a, b):
    return "-" if a is None or b is None else f"{a / b:.2f}"


def prepare_large(tmp):
    from sklearn.datasets import make_classification

    path_X, path_y = os.path.join(tmp, "large_X.npy"), os.path.join(tmp, "large_y.npy")
    if not os.path.exists(path_X):
        X, y = make_classification(
            LARGE["n"],
            LARGE["d"],
            n_informative=100,
            n_classes=10,
            random_state=0,
        )
        np.save(path_X, X)
        np.save(path_y, y)
    return path_X, path_y


def prepare_small(tmp):
    from sklearn.datasets import load_digits

    path_X, path_y = (
        os.path.join(tmp, "digits_X.npy"),
        os.path.join(tmp, "digits_y.npy"),
    )
    X, y = load_digits(return_X_y=True)
    np.save(path_X, X / 16.0)
    np.save(path_y, y)
    return path_X, path_y


def impls():
    return ["ours", "sklearn"] + (["torch"] if torch_available() else [])


def bench_large(tmp, args):
    path_X, path_y = prepare_large(tmp)
    epochs = args.epochs or 2
    units = [LARGE["d"], *LARGE["hidden"], 10]
    configs = []
    for dtype in ("float32", "float64"):
        for impl in impls():
            spec = {
                "impl": impl,
                "X": path_X,
                "y": path_y,
                "dtype": dtype,
                "hidden": LARGE["hidden"],
                "batch": LARGE["batch"],
                "epochs": epochs,
            }
            configs.append(((impl, dtype), spec))
        gemm = {
            "impl": "gemm",
            "dtype": dtype,
            "n": LARGE["n"],
            "d": LARGE["d"],
            "hidden": LARGE["hidden"],
            "n_classes": 10,
            "batch": LARGE["batch"],
        }
        configs.append((("gemm", dtype), gemm))
    col = Collector(args.rounds, args.repeats)
    col.run(configs)
    flops = flops_per_epoch(LARGE["n"], units)
    lines = [
        "| dtype | implementation | s/epoch | vs scikit-learn | CPU s/epoch "
        "| CPU vs scikit-learn | GFLOP/s | of GEMM speed | peak RSS growth (MiB) "
        "| vs scikit-learn | traced peak (MiB) | final loss |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for dtype in ("float32", "float64"):
        gemm_epoch = col.median(("gemm", dtype))
        floor = col.median(("gemm", dtype), "needed")
        sk = col.median(("sklearn", dtype)) / epochs
        sk_cpu = col.median(("sklearn", dtype), "cpu") / epochs
        sk_rss = col.median(("sklearn", dtype), "rss")
        for impl in impls():
            per_epoch = col.median((impl, dtype)) / epochs
            cpu = col.median((impl, dtype), "cpu") / epochs
            rss = col.median((impl, dtype), "rss")
            lines.append(
                f"| {dtype} | {impl} | {per_epoch:.3f} | {_ratio(per_epoch, sk)} "
                f"| {cpu:.3f} | {_ratio(cpu, sk_cpu)} "
                f"| {flops / per_epoch / 1e9:.1f} | {gemm_epoch / per_epoch:.2f} "
                f"| {_mib(rss)} | {_ratio(rss, sk_rss)} "
                f"| {_mib(col.median((impl, dtype), 'traced'))} "
                f"| {col.median((impl, dtype), 'loss'):.4f} |"
            )
        lines.append(
            f"| {dtype} | numpy GEMMs only | {gemm_epoch:.3f} (floor {floor:.3f}) "
            f"| {_ratio(gemm_epoch, sk)} | - | - | {flops / gemm_epoch / 1e9:.1f} "
            "| 1.00 | - | - | - | - |"
        )
    torch_note = ""
    if "torch" in impls():
        ratio = col.median(("ours", "float32")) / col.median(("torch", "float32"))
        torch_note = f"\nours / torch eager (float32): {ratio:.2f}\n"
    return (
        f"## large: 60000 x 784, hidden (256, 128), adam, batch 256, "
        f"{epochs} epochs per fit\n\n" + "\n".join(lines) + "\n" + torch_note
    )


def bench_small(tmp, args):
    path_X, path_y = prepare_small(tmp)
    epochs = args.epochs or SMALL["epochs"]
    configs = []
    for dtype in ("float64", "float32"):
        for impl in impls():
            spec = {
                "impl": impl,
                "X": path_X,
                "y": path_y,
                "dtype": dtype,
                "hidden": SMALL["hidden"],
                "batch": SMALL["batch"],
                "epochs": epochs,
            }
            configs.append(((impl, dtype), spec))
    col = Collector(args.rounds, args.repeats)
    col.run(configs)
    lines = [
        "| dtype | implementation | s/fit | ms/epoch | vs scikit-learn "
        "| CPU s/fit | CPU vs scikit-learn | peak RSS growth (MiB) | final loss |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for dtype in ("float64", "float32"):
        sk = col.median(("sklearn", dtype))
        sk_cpu = col.median(("sklearn", dtype), "cpu")
        for impl in impls():
            t = col.median((impl, dtype))
            cpu = col.median((impl, dtype), "cpu")
            lines.append(
                f"| {dtype} | {impl} | {t:.3f} | {1e3 * t / epochs:.2f} "
                f"| {_ratio(t, sk)} | {cpu:.3f} | {_ratio(cpu, sk_cpu)} "
                f"| {_mib(col.median((impl, dtype), 'rss'))} "
                f"| {col.median((impl, dtype), 'loss'):.4f} |"
            )
    return (
        f"## small: digits 1797 x 64, hidden (100,), adam, batch 200, "
        f"{epochs} epochs\n\n" + "\n".join(lines) + "\n"
    )


def bench_scaling(tmp, args):
    path_X, path_y = prepare_large(tmp)
    cases = {
        "n=6000, (256, 128)": (6000, (256, 128), args.epochs or 10),
        "n=60000, (256, 128)": (60000, (256, 128), args.epochs or 2),
        "n=6000, (1024, 512)": (6000, (1024, 512), args.epochs or 4),
    }
    configs = []
    for name, (n, hidden, epochs) in cases.items():
        for impl in ("ours", "sklearn"):
            spec = {
                "impl": impl,
                "X": path_X,
                "y": path_y,
                "n": n,
                "dtype": "float32",
                "hidden": hidden,
                "batch": LARGE["batch"],
                "epochs": epochs,
            }
            configs.append(((impl, name), spec))
    col = Collector(args.rounds, args.repeats)
    col.run(configs)
    per_epoch = {key: col.median(key) / cases[key[1]][2] for key in col.results}
    lines = [
        "| case | ours s/epoch | scikit-learn s/epoch | ours / scikit-learn "
        "| ours growth | scikit-learn growth |",
        "|---|---|---|---|---|---|",
    ]
    base = "n=6000, (256, 128)"
    for name in cases:
        ours, sk = per_epoch[("ours", name)], per_epoch[("sklearn", name)]
        lines.append(
            f"| {name} | {ours:.4f} | {sk:.4f} | {ours / sk:.2f} "
            f"| {ours / per_epoch[('ours', base)]:.2f}x "
            f"| {sk / per_epoch[('sklearn', base)]:.2f}x |"
        )
    units_a = [784, 256, 128, 10]
    units_b = [784, 1024, 512, 10]
    note = (
        "\nGEMM work grows 10x with 10x the rows and "
        f"{flops_per_epoch(1, units_b) / flops_per_epoch(1, units_a):.2f}x with "
        "4x the width.\n"
    )
    return "## scaling: float32, adam, batch 256\n\n" + "\n".join(lines) + "\n" + note


def prepare_memmap(tmp):
    """Write the memmap's ``X`` (float32) and ``y`` (uint8) chunk by chunk."""
    n, d, chunk = MEMMAP["n"], MEMMAP["d"], MEMMAP["chunk"]
    path_X = os.path.join(tmp, "memmap_X.npy")
    path_y = os.path.join(tmp, "memmap_y.npy")
    X = np.lib.format.open_memmap(path_X, mode="w+", dtype=np.float32, shape=(n, d))
    y = np.lib.format.open_memmap(path_y, mode="w+", dtype=np.uint8, shape=(n,))
    rng = np.random.RandomState(0)
    # Labels drawn from a softmax of linear logits (argmax plus Gumbel noise):
    # the cost stays well above 0.  On separable labels, float32 values
    # underflow to subnormals as the fit converges and every pass slows down
    # (measured: 0.66 s per million rows early in the epoch, 1.32 s late),
    # which would hide how the data path scales.
    W = 0.2 * rng.standard_normal((d, 10)).astype(np.float32)
    for start in range(0, n, chunk):
        part = rng.standard_normal((min(chunk, n - start), d)).astype(np.float32)
        X[start : start + len(part)] = part
        noise = rng.gumbel(size=(len(part), 10))
        y[start : start + len(part)] = np.argmax(part @ W + noise, axis=1)
    X.flush()
    y.flush()
    del X, y
    return path_X, path_y


def bench_memmap(tmp, args):
    import shutil

    print(f"disk: {shutil.disk_usage(tmp).free / 2**30:.0f} GiB free", file=sys.stderr)
    path_X, path_y = prepare_memmap(tmp)
    try:
        col = Collector(1, 1)
        rows = (MEMMAP["n"] // 10, MEMMAP["n"])
        col.run(
            [
                (n, {**MEMMAP, "impl": "memmap", "X": path_X, "y": path_y, "n": n})
                for n in rows
            ]
        )
    finally:
        os.remove(path_X)
        os.remove(path_y)
    lines = [
        f"| rows | s/epoch | vs {rows[0]:,} rows | CPU s/epoch "
        "| anonymous memory growth (MiB) | final loss |",
        "|---|---|---|---|---|---|",
    ]
    first = col.results[rows[0]]["times"][0]
    for n in rows:
        res = col.results[n]
        lines.append(
            f"| {n:,} | {res['times'][0]:.2f} | {res['times'][0] / first:.2f}x "
            f"| {res['cpu'][0]:.2f} | {_mib(res['anon'][0])} | {res['loss'][0]:.4f} |"
        )
    return (
        f"## memmap: float32 memmap of {MEMMAP['n']:,} x {MEMMAP['d']}, hidden "
        f"{MEMMAP['hidden']}, adam, batch {MEMMAP['batch']}, one epoch\n\n"
        + "\n".join(lines)
        + "\n"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "workload", choices=["large", "small", "scaling", "memmap", "all"]
    )
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds")
    parser.add_argument("--repeats", type=int, default=3, help="timed fits per child")
    parser.add_argument("--epochs", type=int, default=None, help="epochs per fit")
    parser.add_argument("--data-dir", default=None, help="cache for generated data")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="BLAS (and torch) threads in every child; default: BLAS's own",
    )
    args = parser.parse_args(argv)
    if args.threads:
        os.environ["BENCH_THREADS"] = str(args.threads)

    facts = machine_facts()
    facts["threads used"] = args.threads or blas_threads()
    print("## machine\n")
    print("```")
    print(json.dumps(facts, indent=1))
    print("```\n", flush=True)
    tmp = args.data_dir or os.path.join(tempfile.gettempdir(), "sklearn_dnn_bench")
    os.makedirs(tmp, exist_ok=True)
    workloads = (
        ["large", "small", "scaling"] if args.workload == "all" else [args.workload]
    )
    runners = {
        "large": bench_large,
        "small": bench_small,
        "scaling": bench_scaling,
        "memmap": bench_memmap,
    }
    for name in workloads:
        print(runners[name](tmp, args), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        from threadpoolctl import threadpool_limits

        spec = json.loads(sys.argv[2])
        with threadpool_limits(limits=spec.get("threads"), user_api="blas"):
            children = {"gemm": _gemm_child, "memmap": _memmap_child}
            result = children.get(spec["impl"], run_child)(spec)
        print(json.dumps(result))
    else:
        main()
