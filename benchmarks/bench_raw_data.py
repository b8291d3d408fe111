"""Cross-validated accuracy on raw (unscaled) data: DNNClassifier against
scikit-learn's MLPClassifier, both with their defaults.

Neither model is told to scale its inputs, which is what a new user does
first. Run by hand: ``python benchmarks/bench_raw_data.py`` (about 2 minutes).
Also shows the two causes found for the old failures on raw wine: the
plateau rule (an oscillating J taken for a plateau) and the larger first-layer
weights of He initialisation against inputs of magnitude 1000.
"""

import time
import warnings

from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier

from sklearn_dnn import DNNClassifier

DATASETS = {
    "wine": load_wine,
    "digits": load_digits,
    "breast cancer": load_breast_cancer,
}
MODELS = {
    "MLPClassifier": MLPClassifier(random_state=0),
    "DNNClassifier": DNNClassifier(random_state=0),
    "DNNClassifier glorot_uniform": DNNClassifier(
        init="glorot_uniform", random_state=0
    ),
}


def main():
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    print(f"{'data':<14}" + "".join(f"{name:>30}" for name in MODELS))
    for data_name, load in DATASETS.items():
        X, y = load(return_X_y=True)
        row = f"{data_name:<14}"
        for model in MODELS.values():
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                scores = cross_val_score(model, X, y, cv=cv)
            seconds = time.perf_counter() - start
            row += f"{scores.mean():>14.3f} +/- {scores.std():.3f} ({seconds:4.1f}s)"
        print(row, flush=True)


if __name__ == "__main__":
    main()
