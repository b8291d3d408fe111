"""Randomized against full gradient checking: speed-up at equal detection.

Run by hand::

    python benchmarks/bench_gradcheck.py [--directions 10] [--seeds 20]
    python benchmarks/bench_gradcheck.py --verdicts

``--verdicts`` prints instead the verdicts of the full check, at the default
step 1e-7 and at 1e-5, on 20 correct networks trained to convergence (sizes,
activations, solvers, both estimators, float32 and float64) and on the same
networks with backprop's gradient planted 1 %, 5 % or 20 % too large in one
block or everywhere. The goal: correct networks never "bug" or "check",
planted errors never "great". Measured on the development machine (2 cores
shared with other jobs; about 9 to 14 minutes a run)::

                                     before (rounding floor from |J|)   after
    correct, read "bug" or "check"   12 of 40 (12 at 1e-7, 0 at 1e-5)  0 of 40
    planted, read "great"             0 of 40                            0 of 40

After, 4 of the 40 correct checks read "unresolved" (two lbfgs tanh
networks at 1e-7, a linear network whose output bias has a gradient of
rounding noise at both steps) and 36 "great".

On a 64-100-50-10 ReLU network (12,060 parameters, 100 digits images) it
times ``gradient_check`` with every coordinate and with ``n_directions=k``
random directions per parameter block, on the correct network and with three
bugs planted in the real backward code (as the tests do):

* a wrong sign in layer 2's backward pass (ReLU derivative negated), which
  backprop carries down to layer 1;
* the L2 penalty's gradient missing from ``dW[2]``;
* a 1e-3 relative error in ``db[3]``.

For each it prints the verdict, the difference and its rounding-noise floor,
the suspects (blocks well above their floor), the number of cost evaluations
and the seconds, then the speed-up. A bug counts as detected when the verdict
is not "great" and there are suspects; detection is "the same" when both
checks agree on that and on the suspects. The randomized check is repeated
with ``--seeds`` more random states to show that it does not depend on a lucky
draw; its time is the median over all of them.

Measured on the development machine (2 cores shared with other jobs, load 7
to 9, so times vary by run; the ratio of cost evaluations is exact)::

    full check         24,120 cost evaluations   16-20 s per check
    randomized, k=10      120 cost evaluations   0.06-0.11 s per check
    speed-up              201x in evaluations    187-252x in time
                                                 (159-398x in an earlier run)

    planted bug              full check            randomized, k=10
    wrong sign, layer 2      bug 0.86   W1 b1 W2 b2   bug 0.29   W1 b1 W2 b2
    L2 missing from dW[2]    bug 0.058  W2            bug 0.016  W2
    1e-3 error in db[3]      check 6e-5 b3            check 3e-4 b3
    (same suspects for 20 of 20 other random states in each case)

The correct network has no suspects in either check, but the full check's
verdict is "check": 1.23e-7, under its noise floor of 2.3e-7 (12,060 rounding
errors of about 2**-53 |J| / eps add up), while the randomized check, which
sums only 60 of them, gives "great" (5.3e-8).
"""

import argparse
import time
import warnings
from contextlib import contextmanager

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_dnn import DNNClassifier, DNNRegressor, _network, gradient_check
from sklearn_dnn._engine.activations import HIDDEN_ACTIVATIONS
from sklearn_dnn._engine.network import Network


@contextmanager
def no_bug():
    yield


@contextmanager
def wrong_sign_in_layer_2_backward():
    forward, backward = HIDDEN_ACTIVATIONS["relu"]

    def buggy(A, delta):
        backward(A, delta)
        if A.shape[1] == 50:  # layer 2 has 50 units
            delta *= -1

    HIDDEN_ACTIVATIONS["relu"] = (forward, buggy)
    try:
        yield
    finally:
        HIDDEN_ACTIVATIONS["relu"] = (forward, backward)


@contextmanager
def penalty_missing_from_dW2():
    real = _network.add_penalty_gradient

    def buggy(coefs, coef_grads, *args):
        keep = [0, 2]
        real([coefs[i] for i in keep], [coef_grads[i] for i in keep], *args)

    _network.add_penalty_gradient = buggy
    try:
        yield
    finally:
        _network.add_penalty_gradient = real


@contextmanager
def relative_error_in_db3():
    real = Network._backward

    def buggy(self, *args):
        real(self, *args)
        self.intercept_grads[2] *= 1 + 1e-3

    Network._backward = buggy
    try:
        yield
    finally:
        Network._backward = real


CASES = {
    "correct network": no_bug,
    "wrong sign in layer 2 backward": wrong_sign_in_layer_2_backward,
    "L2 penalty missing from dW[2]": penalty_missing_from_dW2,
    "1e-3 relative error in db[3]": relative_error_in_db3,
}


def detection(result):
    """Whether a bug is reported, and the blocks it is located in."""
    found = result.verdict != "great" and bool(result.suspects)
    return found, result.suspects


def timed(*args, **kwargs):
    start = time.perf_counter()
    result = gradient_check(*args, **kwargs)
    return result, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--directions", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument(
        "--verdicts",
        action="store_true",
        help="verdicts of 20 correct and 20 planted-error networks instead",
    )
    args = parser.parse_args()
    if args.verdicts:
        return verdict_table()

    X, y = load_digits(return_X_y=True)
    X, y = X[:100] / 16, y[:100]
    clf = DNNClassifier((100, 50), alpha=1.0, max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    k = args.directions

    rows, speedups = [], []
    for case, plant in CASES.items():
        with plant():
            full, t_full = timed(clf, X, y)
            fast, t_fast = timed(clf, X, y, n_directions=k, random_state=0)
            times, agree = [t_fast], []
            for seed in range(1, args.seeds + 1):
                other, t = timed(clf, X, y, n_directions=k, random_state=seed)
                times.append(t)
                agree.append(detection(other) == detection(full))
            # Short runs suffer most from other jobs: use the median time.
            t_fast = float(np.median(times))
        speedups.append(t_full / t_fast)
        rows.append((case, full, t_full, fast, t_fast, sum(agree)))

    print(f"network 64-100-50-10 (ReLU), {full.n_parameters} parameters, 100 examples")
    print(f"randomized check: k={k} directions per parameter block\n")
    for case, full, t_full, fast, t_fast, n_agree in rows:
        print(case)
        for label, r, t in (("full", full, t_full), (f"k={k}", fast, t_fast)):
            # The time shown for k is the median over all random states.
            print(
                f"  {label:<6} {r.verdict:<6} difference {r.difference:.2e} "
                f"(noise floor {r.noise_floor:.1e})  suspects {r.suspects or '-'}  "
                f"{r.n_cost_evaluations} evaluations  {t:.2f} s  kinks {r.n_kinks}"
            )
        same = detection(fast) == detection(full)
        print(
            f"  same detection: {same}; over {args.seeds} other random states: "
            f"{n_agree}/{args.seeds}"
        )
    evaluations = rows[0][1].n_cost_evaluations / rows[0][3].n_cost_evaluations
    print(
        f"\nspeed-up: {evaluations:.0f}x in cost evaluations, "
        f"{min(speedups):.0f}-{max(speedups):.0f}x in time"
    )


# -- verdicts: correct networks never "bug"/"check", planted never "great" --


def _data():
    Xb, yb = load_breast_cancer(return_X_y=True)
    Xd, yd = load_digits(return_X_y=True)
    Xr, yr = load_diabetes(return_X_y=True)
    Xb = StandardScaler().fit_transform(Xb)
    Xd = StandardScaler().fit_transform(Xd[:200])
    Xr = StandardScaler().fit_transform(Xr)
    yr = (yr - yr.mean()) / yr.std()
    return {
        "cancer": (Xb, yb),
        "cancer200": (Xb[:200], yb[:200]),
        "digits200": (Xd, yd[:200]),
        "diabetes": (Xr, yr),
    }


C, R = DNNClassifier, DNNRegressor
# (estimator, data, keyword arguments): 20 networks trained to convergence.
NETWORKS = [
    (C, "cancer200", {"hidden_layer_sizes": (64, 64), "max_iter": 200}),
    (
        C,
        "digits200",
        {
            "hidden_layer_sizes": (10, 5),
            "activation": "tanh",
            "solver": "lbfgs",
            "max_iter": 2000,
        },
    ),
    (
        C,
        "cancer200",
        {"hidden_layer_sizes": (16,), "activation": "tanh", "max_iter": 500},
    ),
    (
        C,
        "cancer200",
        {
            "hidden_layer_sizes": (8, 8),
            "activation": "logistic",
            "solver": "lbfgs",
            "max_iter": 1000,
            "alpha": 1e-2,
        },
    ),
    (
        C,
        "cancer200",
        {
            "hidden_layer_sizes": (16,),
            "solver": "sgd",
            "max_iter": 500,
            "learning_rate_init": 0.05,
        },
    ),
    (
        C,
        "digits200",
        {"hidden_layer_sizes": (20,), "max_iter": 300, "dtype": np.float32},
    ),
    (
        C,
        "digits200",
        {
            "hidden_layer_sizes": (12,),
            "activation": "tanh",
            "solver": "lbfgs",
            "max_iter": 500,
            "alpha": 1.0,
        },
    ),
    (
        C,
        "cancer200",
        {
            "hidden_layer_sizes": (32, 16),
            "activation": "tanh",
            "max_iter": 400,
            "dtype": np.float32,
        },
    ),
    (
        C,
        "digits200",
        {"hidden_layer_sizes": (16, 16), "activation": "leaky_relu", "max_iter": 300},
    ),
    (
        C,
        "cancer200",
        {
            "hidden_layer_sizes": (5,),
            "activation": "logistic",
            "solver": "lbfgs",
            "max_iter": 2000,
            "alpha": 0.0,
        },
    ),
    (R, "diabetes", {"hidden_layer_sizes": (32,), "max_iter": 300}),
    (
        R,
        "diabetes",
        {
            "hidden_layer_sizes": (16, 16),
            "activation": "tanh",
            "solver": "lbfgs",
            "max_iter": 1000,
        },
    ),
    (
        R,
        "diabetes",
        {
            "hidden_layer_sizes": (8,),
            "activation": "logistic",
            "solver": "sgd",
            "max_iter": 500,
            "learning_rate_init": 0.01,
        },
    ),
    (
        R,
        "diabetes",
        {"hidden_layer_sizes": (32, 32), "max_iter": 300, "dtype": np.float32},
    ),
    (
        R,
        "diabetes",
        {
            "hidden_layer_sizes": (10,),
            "activation": "tanh",
            "solver": "lbfgs",
            "max_iter": 1000,
            "alpha": 1e-3,
        },
    ),
    (
        R,
        "diabetes",
        {
            "hidden_layer_sizes": (64,),
            "activation": "tanh",
            "max_iter": 300,
            "alpha": 1.0,
        },
    ),
    (
        R,
        "diabetes",
        {
            "hidden_layer_sizes": (20, 10),
            "activation": "leaky_relu",
            "max_iter": 300,
            "dtype": np.float32,
        },
    ),
    (
        R,
        "diabetes",
        {
            "hidden_layer_sizes": (4,),
            "activation": "identity",
            "solver": "lbfgs",
            "max_iter": 500,
        },
    ),
    (
        C,
        "digits200",
        {
            "hidden_layer_sizes": (32,),
            "activation": "logistic",
            "max_iter": 300,
            "penalty": "l1",
            "alpha": 1e-3,
        },
    ),
    (
        R,
        "diabetes",
        {
            "hidden_layer_sizes": (16,),
            "activation": "tanh",
            "solver": "lbfgs",
            "max_iter": 1000,
            "dtype": np.float32,
        },
    ),
]

# (relative error, "all" or the block planted): cycled over the networks.
PLANTS = [
    (0.01, "all"),
    (0.05, "all"),
    (0.2, "all"),
    (0.01, "W[1]"),
    (0.05, "b[2]"),
    (0.2, "W[2]"),
]


@contextmanager
def planted(rate, where):
    real = Network.cost_and_grad

    def wrong(self, *args, **kwargs):
        J = real(self, *args, **kwargs)
        if where == "all":
            self.grad *= 1 + rate
        else:
            self.grad[self.parameter_slices()[where]] *= 1 + rate
        return J

    Network.cost_and_grad = wrong
    try:
        yield
    finally:
        Network.cost_and_grad = real


def _verdicts(est, X, y):
    out = []
    for eps in (1e-7, 1e-5):
        r = gradient_check(est, X, y, epsilon=eps)
        out.append(f"{r.verdict} {r.difference:.1e}")
    return out


def verdict_table():
    """Print the verdicts of 20 correct and 20 planted-error networks."""
    data = _data()
    rows = []
    start = time.perf_counter()
    for i, (cls, name, kw) in enumerate(NETWORKS):
        X, y = data[name]
        kw = dict(kw)
        dtype = kw.pop("dtype", np.float64)
        X = X.astype(dtype)
        est = cls(random_state=i, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, y)
        desc = (
            f"{cls.__name__[3:]} {name} {kw['hidden_layer_sizes']} "
            f"{kw.get('activation', 'relu')} {kw.get('solver', 'adam')} "
            f"{np.dtype(dtype).name}"
        )
        correct = _verdicts(est, X, y)
        rate, where = PLANTS[i % len(PLANTS)]
        with planted(rate, where):
            wrong = _verdicts(est, X, y)
        rows.append((desc, correct, f"{rate:.0%} {where}", wrong))
        print(
            f"{desc:<46} | {correct[0]:<16} {correct[1]:<16} | "
            f"{rows[-1][2]:<9} {wrong[0]:<16} {wrong[1]:<16}",
            flush=True,
        )
    bad_correct = sum(v.split()[0] in ("bug", "check") for r in rows for v in r[1])
    bad_planted = sum(v.split()[0] == "great" for r in rows for v in r[3])
    print(
        f"correct networks read bug/check: {bad_correct} of 40 checks; "
        f"planted errors read great: {bad_planted} of 40 checks "
        f"({time.perf_counter() - start:.0f} s)"
    )


if __name__ == "__main__":
    main()
