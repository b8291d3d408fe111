"""
============================================
Are dev and test from the same distribution?
============================================

Dev and test sets must come from the same distribution. Random splits of one
data set pass :func:`~sklearn_dnn.check_same_distribution`; a test set whose
images are brighter (a covariate shift) fails it, and the report names the
features that differ most.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

from sklearn_dnn import check_same_distribution, train_dev_test_split

X, y = load_digits(return_X_y=True)
X_train, X_dev, X_test = train_dev_test_split(X, random_state=0)

same = check_same_distribution(X_dev, X_test, random_state=0)
print(same)

# %%
# A shifted test set: brighter images.
X_test_bright = X_test * 1.3
shifted = check_same_distribution(X_dev, X_test_bright, random_state=0)
print(shifted)

fig, ax = plt.subplots()
ax.bar(["random split", "brighter test set"], [same.auc, shifted.auc])
ax.axhline(0.5, color="k", linestyle="--", label="indistinguishable (AUC 0.5)")
ax.set(ylabel="domain-classifier ROC AUC", ylim=(0, 1))
ax.legend()
plt.show()
