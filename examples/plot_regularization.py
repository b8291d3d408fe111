"""
=============================================
Regularization: none, L2 and dropout compared
=============================================

A network much bigger than the data needs over-fits: its decision boundary
bends around single noisy points. L2 (``alpha``) and dropout (``keep_prob``)
both smooth the boundary and close the gap between train and test accuracy.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

from sklearn_dnn import DNNClassifier

X, y = make_moons(n_samples=300, noise=0.4, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0)
settings = {
    "no regularization": {"penalty": None},
    "L2, alpha=1": {"alpha": 1.0},
    "dropout, keep_prob=0.5": {"penalty": None, "keep_prob": 0.5},
}
xx, yy = np.meshgrid(np.linspace(-2.5, 3.5, 200), np.linspace(-2, 2.5, 200))
grid = np.c_[xx.ravel(), yy.ravel()]
fig, axes = plt.subplots(1, 3, figsize=(13, 4), sharey=True)
for ax, (name, params) in zip(axes, settings.items()):
    model = DNNClassifier(
        hidden_layer_sizes=(100, 100),
        learning_rate_init=0.01,
        max_iter=600,
        tol=0.0,
        n_iter_no_change=600,
        random_state=0,
        **params,
    ).fit(X_train, y_train)
    zz = model.predict_proba(grid)[:, 1].reshape(xx.shape)
    ax.contourf(xx, yy, zz, levels=[0, 0.5, 1], cmap="RdBu", alpha=0.4)
    ax.scatter(*X_train.T, c=y_train, cmap="RdBu", s=12, edgecolor="k")
    ax.set_title(
        f"{name}\ntrain {model.score(X_train, y_train):.0%}, "
        f"test {model.score(X_test, y_test):.0%}"
    )
plt.tight_layout()
plt.show()
