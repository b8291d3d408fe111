"""
=============================================
Normalizing inputs speeds up gradient descent
=============================================

With features on very different scales the cost function is an elongated
bowl and gradient descent has to take small steps. Normalizing with
:class:`~sklearn_dnn.InputNormalizer` (statistics from the training set
only) makes it round, and the same learning rate converges much faster.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer
from sklearn.pipeline import make_pipeline

from sklearn_dnn import DNNClassifier, InputNormalizer

X, y = load_breast_cancer(return_X_y=True)


def network():
    return DNNClassifier(
        hidden_layer_sizes=(32,),
        solver="sgd",
        learning_rate_init=1e-3,
        max_iter=100,
        tol=0.0,
        n_iter_no_change=100,
        random_state=0,
    )


raw = network().fit(X / X.max(), y)
normalized = make_pipeline(InputNormalizer(), network()).fit(X, y)

fig, ax = plt.subplots()
ax.plot(raw.loss_curve_, label="scaled to [0, 1] only")
ax.plot(normalized[-1].loss_curve_, label="normalized (mean 0, variance 1)")
ax.set(xlabel="epoch", ylabel="cost J", yscale="log")
ax.legend()
print(f"final J: raw {raw.loss_:.3f}, normalized {normalized[-1].loss_:.3f}")
plt.show()
