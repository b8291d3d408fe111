"""The training loop's callbacks: one protocol, one job per callback.

The protocol mirrors scikit-learn's callback API (``sklearn.callback``): the
loop calls every callback's hooks in the order of the list it is given, and a
callback whose ``on_epoch_end`` returns True stops training after that epoch,
as a True from ``on_fit_task_end`` does in scikit-learn.

- ``on_epoch_begin(epoch, net)``: before the first mini-batch of an epoch.
- ``on_gradient(net, J)``: after each backward pass, before the optimizer's
  step; ``net.grad`` may be read or changed (so a recorder listed before a
  clipper sees the gradient backprop produced).
- ``on_epoch_end(epoch, record, net)``: after the epoch; ``record`` is the
  epoch's row of the history (``"loss"``, the mean J) and may be extended.
- ``on_train_end(net, history)``: once, after the last epoch.
"""

import math
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning


class TrainingDiverged(ArithmeticError):
    """The cost J became non-finite or blew up during training."""


class Callback:
    """A callback whose hooks do nothing; subclasses override what they need."""

    def on_epoch_begin(self, epoch, net):
        pass

    def on_gradient(self, net, J):
        pass

    def on_epoch_end(self, epoch, record, net):
        return False

    def on_train_end(self, net, history):
        pass


class GradientNormRecorder(Callback):
    """Record each layer's mean ``||dW||_2`` per epoch as ``"grad_norms"``."""

    def __init__(self, n_weight_layers):
        self._sums = np.zeros(n_weight_layers)
        self._count = 0

    def on_gradient(self, net, J):
        if hasattr(net, "layer_grad_norms"):  # on a device: summed there
            norms = net.layer_grad_norms()
            fresh = isinstance(self._sums, np.ndarray)
            self._sums = norms if fresh else self._sums + norms
            self._count += 1
            return
        # BLAS dot products over contiguous views: no temporaries.
        for l, dW in enumerate(net.coef_grads):
            self._sums[l] += math.sqrt(float(np.dot(dW.ravel(), dW.ravel())))
        self._count += 1

    def on_epoch_end(self, epoch, record, net):
        sums = self._sums
        if not isinstance(sums, np.ndarray):
            sums = np.asarray(_host(sums), dtype=float)
        record["grad_norms"] = sums / max(self._count, 1)
        self._sums = np.zeros(len(sums))
        self._count = 0
        return False


class GradientClipper(Callback):
    """Rescale the whole gradient so its global L2 norm is at most ``max_norm``."""

    def __init__(self, max_norm):
        self.max_norm = max_norm

    def on_gradient(self, net, J):
        if hasattr(net, "clip_gradient"):  # on a device: rescaled there
            net.clip_gradient(self.max_norm)
            return
        total = math.sqrt(float(np.dot(net.grad, net.grad)))
        if total > self.max_norm:
            net.grad *= self.max_norm / total


class DivergenceGuard(Callback):
    """Every check of divergence, and its messages, in one place.

    During training it raises ``TrainingDiverged`` when J is not finite or has
    blown up to ``BLOW_UP_FACTOR`` times J of the first mini-batch (or 1, if
    that was smaller): weights that large are finite but worthless.  At the
    end it warns when the last epoch's J is more than ``ENDS_ABOVE`` times
    where training started (the lower of the first mini-batch's J, the first
    epoch's and, when continuing, the first of ``first_loss_before``): steps too
    large to descend, which the plateau rule may stop with a worthless model.
    """

    BLOW_UP_FACTOR = 1e8
    ENDS_ABOVE = 10

    def __init__(self, learning_rate_init, first_loss_before=None):
        self.learning_rate_init = learning_rate_init
        self.first_loss_before = first_loss_before
        self.start_loss = None

    def on_gradient(self, net, J):
        if not isinstance(J, float):
            return  # a device's cost: checked once per epoch
        self._check(J)

    def on_epoch_end(self, epoch, record, net):
        self._check(record["loss"])
        return False

    def _check(self, J):
        if not np.isfinite(J):
            raise TrainingDiverged(f"the cost J became {J}")
        if self.start_loss is None:
            self.start_loss = J
        elif J > self.BLOW_UP_FACTOR * max(self.start_loss, 1.0):
            raise TrainingDiverged(
                f"the cost J blew up to {J:.3g} from {self.start_loss:.3g}"
            )

    def on_train_end(self, net, history):
        starts = [history[0]["loss"], self.start_loss, self.first_loss_before]
        start = min(s for s in starts if s is not None)
        last = history[-1]["loss"]
        if last > self.ENDS_ABOVE * start:
            warnings.warn(
                f"Training is diverging: the cost J rose from {start:.4g} at "
                f"the start to {last:.4g} in the last epoch. Lower "
                f"learning_rate_init (now {self.learning_rate_init:g}), set "
                "max_grad_norm or normalize the inputs.",
                ConvergenceWarning,
            )


def _host(array):
    """A device array's values as a numpy array."""
    if hasattr(array, "cpu"):
        array = array.cpu()
    return np.from_dlpack(array)


def diverged_error(exc, *, was_fitted):
    """The ``ValueError`` a fit raises for ``TrainingDiverged`` ``exc``."""
    kept = (
        "The previously fitted parameters are kept unchanged."
        if was_fitted
        else "The estimator is left unfitted."
    )
    return ValueError(
        f"Training diverged: {exc}. Lower learning_rate_init, set "
        f"max_grad_norm or scale the inputs. {kept}"
    )


class PlateauStopping(Callback):
    """Stop when the training cost J has stopped going down.

    Training stalls when both of two tests say so over the last
    ``n_iter_no_change`` epochs: no epoch's J fell below the best J by
    ``tol`` (scikit-learn's rule), and their mean J is not below the mean of
    the ``n_iter_no_change`` epochs before them by ``tol``.  The window test
    keeps a J that oscillates while it falls (large steps on unscaled
    inputs) from looking like a plateau; the best-J test keeps a window that
    happens to sit on a peak of the oscillation from stopping a J that still
    reaches new lows (raw breast cancer data: 5-fold accuracy 0.924 with the
    window test alone, 0.932 with both).  At least ``n_iter_no_change``
    epochs run after each start or learning-rate change.  The optimizer has
    the last word (``trigger_stopping``: the adaptive schedule lowers its
    rate instead).
    ``previous_losses`` carries J across warm starts.
    """

    def __init__(
        self, optimizer, tol, n_iter_no_change, previous_losses=(), *, verbose=0
    ):
        self.optimizer = optimizer
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.verbose = verbose
        self.losses = list(previous_losses)[-2 * n_iter_no_change :]
        self.best_loss = min(self.losses, default=np.inf)
        self.since_best = 0  # epochs since J last fell below best_loss - tol
        self.since_reset = 0
        self.stalled = False

    def on_epoch_end(self, epoch, record, net):
        n = self.n_iter_no_change
        loss = record["loss"]
        self.losses = [*self.losses[-(2 * n - 1) :], loss]
        self.since_reset += 1
        self.since_best = 0 if loss < self.best_loss - self.tol else self.since_best + 1
        self.best_loss = min(self.best_loss, loss)
        self.stalled = (
            len(self.losses) == 2 * n
            and self.since_reset >= n
            and self.since_best >= n
            and np.mean(self.losses[n:]) > np.mean(self.losses[:n]) - self.tol
        )
        if not self.stalled:
            return False
        message = f"The mean training cost did not fall by tol over {n} epochs."
        if self.optimizer.trigger_stopping(message, self.verbose):
            return True
        self.since_reset, self.stalled = 0, False
        return False


class EarlyStopping(Callback):
    """Score the dev set each epoch; stop when it stops improving; restore
    the parameters (and batch normalization's running statistics) of the best
    epoch at the end.

    ``score_dev(net)`` and ``cost_dev(net)`` are given by the estimator.  An
    epoch counts as an improvement when it beats the best score by ``tol``;
    the best parameters are those of the highest score.
    """

    def __init__(
        self, optimizer, score_dev, cost_dev, tol, n_iter_no_change, *, verbose=0
    ):
        self.optimizer = optimizer
        self.score_dev = score_dev
        self.cost_dev = cost_dev
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.verbose = verbose
        self.best_score = -np.inf
        self.best_epoch = None
        self.best_snapshot = None
        self.misses = 0

    @property
    def stalled(self):
        return self.misses >= self.n_iter_no_change

    def on_epoch_end(self, epoch, record, net):
        score = self.score_dev(net)
        record["dev_score"] = score
        record["dev_loss"] = self.cost_dev(net)
        if self.verbose:  # after VerbosePrinter's line, as MLPClassifier prints
            print(f"Validation score: {score:.6f}")
        self.misses = 0 if score > self.best_score + self.tol else self.misses + 1
        if score > self.best_score:
            self.best_score, self.best_epoch = score, epoch
            self.best_snapshot = net.snapshot()
        if not self.stalled:
            return False
        message = (
            f"Validation score did not improve more than tol={self.tol} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )
        if self.optimizer.trigger_stopping(message, self.verbose):
            return True
        self.misses = 0
        return False

    def on_train_end(self, net, history):
        if self.best_snapshot is not None:
            net.restore(self.best_snapshot)


class VerbosePrinter(Callback):
    """Print J after every epoch, as scikit-learn's MLP does."""

    def on_epoch_end(self, epoch, record, net):
        print(f"Iteration {epoch + 1}, loss = {record['loss']:.8f}")
        return False
