"""Setting up the data: train/dev/test splits and a same-distribution check.

The course's rules of thumb:

- With up to about 100,000 examples, split 60/20/20. With more, the dev and
  test sets only need to be large enough to rank models and to estimate the
  final error (about 10,000 examples each at one million, 98/1/1), so almost
  everything goes to training: :func:`suggest_split_sizes`.
- Make the split once, reproducibly, stratified when the classes are
  unbalanced: :func:`train_dev_test_split`.
- The dev and test sets must come from the same distribution (the one the
  model will meet in use); otherwise a model tuned on dev is aimed at the wrong
  target: :func:`check_same_distribution`.
"""

from ._distribution_check import check_same_distribution
from ._distribution_result import DistributionCheckResult
from ._split import suggest_split_sizes, train_dev_test_split

__all__ = [
    "DistributionCheckResult",
    "check_same_distribution",
    "suggest_split_sizes",
    "train_dev_test_split",
]
