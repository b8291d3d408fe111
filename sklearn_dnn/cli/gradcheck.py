"""``sklearn-dnn gradcheck``: check a network's gradients on the data."""

import numpy as np

from ._common import EXIT_BUG_VERDICT, EXIT_OK, Console, rejected_values
from ._data import decide_task, load_data


def run_gradcheck(args, out=None):
    """Gradient-check a network on the data; exit 1 on a "bug" verdict."""
    from sklearn.preprocessing import StandardScaler

    from .. import DNNClassifier, DNNRegressor, gradient_check

    console = Console(out, False)
    data = load_data(args.data, args.target, na_values=args.na_values)
    task, y, _ = decide_task(data.labels, args.task)
    X = data.X
    if args.n_samples < X.shape[0]:
        rng = np.random.RandomState(args.random_state)
        keep = rng.choice(X.shape[0], args.n_samples, replace=False)
        X, y = X[keep], y[keep]
    X = StandardScaler().fit_transform(X)
    network = (DNNClassifier if task == "classification" else DNNRegressor)(
        hidden_layer_sizes=args.hidden_layer_sizes,
        activation=args.activation,
        penalty=None if args.penalty == "none" else args.penalty,
        alpha=args.alpha,
        keep_prob=args.keep_prob,
        batch_norm=args.batch_norm,
        max_iter=max(args.max_iter, 1),
        random_state=args.random_state,
    )
    with rejected_values("the network or the check cannot run with these values"):
        if args.max_iter > 0:
            network.fit(X, y)
        result = gradient_check(
            network, X, y, epsilon=args.epsilon, n_directions=args.n_directions
        )
    console.say(f"data: {data.name}, {X.shape[0]} examples, {X.shape[1]} features")
    console.say(str(result))
    return EXIT_BUG_VERDICT if result.verdict == "bug" else EXIT_OK


# -- argument parsing ----------------------------------------------------------
