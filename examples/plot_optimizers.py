"""
===============================================
Optimization algorithms and learning-rate decay
===============================================

The course's week-two picture: one network, one problem, four ways to walk
down the cost. Mini-batch gradient descent (``solver="sgd"``,
``momentum=0``), gradient descent with momentum, RMSprop and Adam train the
same network from the same initial weights on the two-moons data, each with
a constant learning rate and with an exponential decay
(``learning_rate="exponential"``, ``lr = learning_rate_init * 0.98 ** epoch``).

Momentum and RMSprop both damp the oscillations of plain gradient descent,
from two sides (averaging the gradients, scaling each parameter's step), and
Adam combines them. Decay lets the noisy mini-batch steps settle; too fast a
decay stops learning early.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning

from sklearn_dnn import DNNClassifier

X, y = make_moons(n_samples=300, noise=0.2, random_state=0)
warnings.simplefilter("ignore", ConvergenceWarning)

OPTIMIZERS = {
    "gradient descent": {"solver": "sgd", "momentum": 0.0},
    "momentum": {"solver": "sgd", "momentum": 0.9, "nesterovs_momentum": False},
    "RMSprop": {"solver": "rmsprop"},
    "Adam": {"solver": "adam"},
}
SCHEDULES = {
    "constant learning rate": {"learning_rate": "constant"},
    "exponential decay (0.98 per epoch)": {
        "learning_rate": "exponential",
        "decay_rate": 0.98,
    },
}

fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, (schedule, decay) in zip(axes, SCHEDULES.items()):
    for name, optimizer in OPTIMIZERS.items():
        clf = DNNClassifier(
            (16, 8),
            activation="relu",
            learning_rate_init=0.01,
            batch_size=64,
            max_iter=200,
            tol=0.0,
            n_iter_no_change=200,
            random_state=0,
            **optimizer,
            **decay,
        ).fit(X, y)
        ax.plot(clf.loss_curve_, label=name)
        print(
            f"{schedule:36} {name:17} final cost {clf.loss_:.3f}, "
            f"accuracy {clf.score(X, y):.3f}"
        )
    ax.set(xlabel="epoch", yscale="log", title=schedule)
    ax.legend()
axes[0].set_ylabel("cost J")
fig.tight_layout()
plt.show()
