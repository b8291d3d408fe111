"""
==================================================
Initialization: zeros, large random weights and He
==================================================

The course's initialization experiment: a 2-10-5-1 network trained with
full-batch gradient descent on two concentric circles. Zeros never break the
symmetry between hidden units, so the network stays a linear classifier at
chance level; large random weights (``N(0, 10^2)``) train slowly and leave a
ragged boundary; He initialisation learns the circles.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_circles

from sklearn_dnn import DNNClassifier

X, y = make_circles(n_samples=300, noise=0.05, random_state=1)


def large_random(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) * 10


inits = {"zeros": "zeros", "large random (x10)": large_random, "He": "he"}
models = {}
for name, init in inits.items():
    models[name] = DNNClassifier(
        hidden_layer_sizes=(10, 5),
        init=init,
        solver="sgd",
        momentum=0.0,
        batch_size=300,
        shuffle=False,
        learning_rate_init=0.01,
        penalty=None,
        max_iter=15_000,
        tol=0.0,
        n_iter_no_change=15_000,
        random_state=1,
    ).fit(X, y)

# %%
# Decision boundaries and training accuracy
xx, yy = np.meshgrid(np.linspace(-1.5, 1.5, 200), np.linspace(-1.5, 1.5, 200))
grid = np.c_[xx.ravel(), yy.ravel()]
fig, axes = plt.subplots(1, 3, figsize=(12, 4), sharey=True)
for ax, (name, model) in zip(axes, models.items()):
    zz = model.predict_proba(grid)[:, 1].reshape(xx.shape)
    ax.contourf(xx, yy, zz, levels=[0, 0.5, 1], cmap="RdBu", alpha=0.4)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu", s=10, edgecolor="k")
    ax.set_title(f"{name}: train accuracy {model.score(X, y):.0%}")
plt.tight_layout()

# %%
# The cost J per epoch
fig, ax = plt.subplots()
for name, model in models.items():
    ax.plot(model.loss_curve_, label=name)
ax.set(xlabel="epoch", ylabel="cost J", yscale="log")
ax.legend()
plt.show()
