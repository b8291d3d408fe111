"""Private training hooks: gradient norms and clipping, stopping rules.

The epoch loop calls ``on_grad_computed(net)`` after each backward pass and
before the optimizer step, and ``on_epoch_end(record)`` once per epoch.  An
``on_epoch_end`` returning True means "no improvement for long enough"; the
loop then asks the optimizer whether to really stop.
"""

import math

import numpy as np


class GradientNormHook:
    """Record each layer's mean ``||dW||_2`` per epoch and clip the gradient.

    Norms are recorded before clipping, so they show what backprop produced.
    """

    def __init__(self, max_grad_norm=None):
        self.max_grad_norm = max_grad_norm
        self._sums = None
        self._count = 0

    def on_grad_computed(self, net):
        # Squared norms by BLAS dot products over contiguous views (no
        # temporaries); the global norm reuses them and adds the biases'.
        squares = [float(np.dot(dW.ravel(), dW.ravel())) for dW in net.coef_grads]
        if self._sums is None:
            self._sums = [0.0] * len(squares)
        for l, square in enumerate(squares):
            self._sums[l] += math.sqrt(square)
        self._count += 1
        if self.max_grad_norm is not None:
            bias_grads = net.grad[sum(dW.size for dW in net.coef_grads) :]
            total = math.sqrt(sum(squares) + float(np.dot(bias_grads, bias_grads)))
            if total > self.max_grad_norm:
                net.grad *= self.max_grad_norm / total

    def on_epoch_end(self, record):
        sums = self._sums or [0.0] * len(record["net"].coef_grads)
        record["grad_norms"] = np.array(sums) / max(self._count, 1)
        self._sums, self._count = None, 0
        return False


class LossPlateauHook:
    """Stop when the training cost J has stopped going down.

    Training stalls when the mean J of the last ``n_iter_no_change`` epochs is
    not below the mean of the ``n_iter_no_change`` epochs before them by
    ``tol``.  Comparing windows rather than one epoch against the best epoch
    keeps a J that oscillates while it falls (large steps on unscaled inputs)
    from looking like a plateau; at least ``n_iter_no_change`` epochs run after
    each start or reset.  ``previous_losses`` carries J across warm starts.
    """

    def __init__(self, tol, n_iter_no_change, previous_losses=()):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.losses = list(previous_losses)[-2 * n_iter_no_change :]
        self.since_reset = 0
        self.stalled = False

    def on_epoch_end(self, record):
        n = self.n_iter_no_change
        self.losses = [*self.losses[-(2 * n - 1) :], record["loss"]]
        self.since_reset += 1
        self.stalled = (
            len(self.losses) == 2 * n
            and self.since_reset >= n
            and np.mean(self.losses[n:]) > np.mean(self.losses[:n]) - self.tol
        )
        return self.stalled

    def reset(self):
        self.since_reset = 0
        self.stalled = False


class EarlyStoppingHook:
    """Score the dev set each epoch and keep the parameters of the best epoch.

    ``score_dev(net)`` and ``cost_dev(net)`` are given by the estimator; the
    best score and the "improved by ``tol``" counter are tracked separately.
    """

    def __init__(self, score_dev, cost_dev, tol, n_iter_no_change):
        self.score_dev = score_dev
        self.cost_dev = cost_dev
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.best_score = -np.inf
        self.best_epoch = None
        self.best_theta = None
        self.misses = 0

    def on_epoch_end(self, record):
        net = record["net"]
        score = self.score_dev(net)
        record["dev_score"] = score
        record["dev_loss"] = self.cost_dev(net)
        improved_by_tol = score > self.best_score + self.tol
        self.misses = 0 if improved_by_tol else self.misses + 1
        if score > self.best_score:
            self.best_score = score
            self.best_epoch = record["epoch"]
            self.best_theta = net.theta.copy()
        return self.stalled

    @property
    def stalled(self):
        return self.misses >= self.n_iter_no_change

    def reset(self):
        self.misses = 0

    def restore_best(self, net):
        if self.best_theta is not None:
            net.theta[...] = self.best_theta
