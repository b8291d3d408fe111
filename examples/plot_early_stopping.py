"""
==============================================
Early stopping restores the best dev-set epoch
==============================================

With ``early_stopping=True`` a dev set is held out, training stops when the
dev score has not improved for ``n_iter_no_change`` epochs, and the
parameters of the best epoch are restored. The plot shows the cost on the
training mini-batches, the dev cost, and the restored epoch.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklearn_dnn import DNNClassifier, LossCurveDisplay

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16, y, train_size=400, stratify=y, random_state=0
)
model = DNNClassifier(
    hidden_layer_sizes=(128, 128),
    penalty=None,
    learning_rate_init=3e-3,
    early_stopping=True,
    validation_fraction=0.25,
    n_iter_no_change=25,
    max_iter=500,
    random_state=0,
).fit(X_train, y_train)
print(
    f"stopped after {model.n_iter_} epochs, restored epoch {model.best_epoch_ + 1} "
    f"with dev accuracy {model.best_validation_score_:.3f}; "
    f"test accuracy {model.score(X_test, y_test):.3f}"
)
LossCurveDisplay.from_estimator(model)
plt.show()
