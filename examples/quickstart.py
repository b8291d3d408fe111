"""
============================================
Quick start: a regularised network on digits
============================================

Train a :class:`~sklearn_dnn.DNNClassifier` with L2 and dropout on the
digits data, with early stopping restoring the best dev-set epoch, and
compare train and test accuracy. :class:`~sklearn_dnn.InputNormalizer`
normalizes the inputs with the training set's mean and variance, as
scikit-learn's :class:`~sklearn.preprocessing.StandardScaler` does.
"""

# %%
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_dnn import DNNClassifier, InputNormalizer

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.2, stratify=y, random_state=0
)
model = make_pipeline(
    InputNormalizer(),
    DNNClassifier(
        hidden_layer_sizes=(128, 64),
        alpha=1e-2,
        keep_prob=0.9,
        early_stopping=True,
        max_iter=200,
        random_state=0,
    ),
)
model.fit(X_train, y_train)
net = model[-1]
print(f"epochs run: {net.n_iter_}, best dev epoch: {net.best_epoch_ + 1}")
print(f"best dev accuracy: {net.best_validation_score_:.3f}")
print(f"train accuracy:    {model.score(X_train, y_train):.3f}")
print(f"test accuracy:     {model.score(X_test, y_test):.3f}")
