"""BasicRecipe's ``max_time`` as a hard limit, and its score on a 10-class set.

On ``make_classification(4000, 40, n_informative=30, n_classes=10)``, split
75/25, ``make_pipeline(StandardScaler(), BasicRecipe(DNNClassifier(),
max_time=T))``: the test accuracy, the wall time of ``fit`` and its ratio to
``max_time``, one line per seed::

    python benchmarks/bench_recipe_time.py max_time=60 seeds=0,1,2

Keep ``OMP_NUM_THREADS=1``; wall times depend on the machine's load.
"""

import sys
import time

from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_dnn import BasicRecipe, DNNClassifier


def run(seed, max_time, verbose):
    X, y = make_classification(
        4000, 40, n_informative=30, n_classes=10, random_state=seed
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=seed
    )
    model = make_pipeline(
        StandardScaler(),
        BasicRecipe(
            DNNClassifier(), random_state=seed, max_time=max_time, verbose=verbose
        ),
    )
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    recipe = model[-1]
    print(
        f"seed {seed} max_time {max_time:g}: test accuracy "
        f"{model.score(X_test, y_test):.4f}, {seconds:.1f} s "
        f"({seconds / max_time:.2f} x max_time), {len(recipe.history_)} rounds, "
        f"refit {recipe.refit_time_:.1f} s, best {recipe.best_params_}",
        flush=True,
    )


def main(args):
    options = dict(arg.split("=", 1) for arg in args)
    max_time = float(options.get("max_time", 60))
    seeds = [int(s) for s in options.get("seeds", "0,1,2").split(",")]
    for seed in seeds:
        run(seed, max_time, int(options.get("verbose", 1)))


if __name__ == "__main__":
    main(sys.argv[1:])
