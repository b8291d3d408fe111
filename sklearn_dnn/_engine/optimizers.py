"""Optimizers over one flat parameter vector; they know nothing of networks.

``update(theta, grad, overwrite_grad=False)`` changes ``theta`` in place;
with ``overwrite_grad=True`` (scipy's convention) it may use ``grad`` as its
scratch space, which the training loop allows (the gradient is spent once
the step is taken), so no optimizer keeps a step buffer the size of the
parameters besides its own state.  ``iteration_ends`` is
called at the end of each epoch with the number of examples seen so far, and
``trigger_stopping`` has the optimizer's say when training stops improving
(the adaptive schedule divides the learning rate by 5 instead of stopping).
SGD and Adam are scikit-learn's ``_stochastic_optimizers``; RMSprop and the
per-epoch decay schedules (``"inverse_time"``, ``"exponential"``, for every
optimizer) are the course's.

Each update is written once for numpy and any array API namespace (the
namespace of ``theta``; ``array_network.on_device`` moves an optimizer's
state to the device): on numpy it runs in place into its own buffers,
elsewhere it makes one array per result (``array_ops.into``).
"""

import math

import numpy as np
import scipy.optimize

from .array_ops import into, namespace

#: Entries per chunk of RMSprop's step (128 kB in float32).
_CHUNK = 32768

#: Learning-rate decay per epoch, and the ``decay_rate`` that None stands for.
DECAY_SCHEDULES = {"inverse_time": 1.0, "exponential": 0.95}


def decayed_learning_rate(learning_rate_init, schedule, decay_rate, epoch):
    """The learning rate after ``epoch`` completed epochs.

    ``"inverse_time"``: ``learning_rate_init / (1 + decay_rate * epoch)``;
    ``"exponential"``: ``learning_rate_init * decay_rate ** epoch``; any other
    schedule: ``learning_rate_init``.
    """
    if schedule not in DECAY_SCHEDULES:
        return float(learning_rate_init)
    if decay_rate is None:
        decay_rate = DECAY_SCHEDULES[schedule]
    if schedule == "inverse_time":
        return learning_rate_init / (1.0 + decay_rate * epoch)
    return learning_rate_init * float(decay_rate) ** epoch


class BaseOptimizer:
    """What every optimizer shares: the learning rate and the stopping say.

    ``update(theta, grad)`` is the subclass's.  ``iteration_ends`` counts the
    completed epochs and applies a decay schedule (``lr_schedule`` of
    ``DECAY_SCHEDULES``) to ``base_learning_rate``, the rate of the next
    epoch; ``epoch`` starts where an earlier fit stopped.
    ``trigger_stopping`` agrees to stop (the adaptive schedule of sgd
    overrides it).
    """

    def __init__(
        self, learning_rate_init, lr_schedule="constant", decay_rate=None, epoch=0
    ):
        self.learning_rate_init = float(learning_rate_init)
        self.lr_schedule = lr_schedule
        self.decay_rate = decay_rate
        self.epoch = int(epoch)
        self.base_learning_rate = decayed_learning_rate(
            self.learning_rate_init, lr_schedule, decay_rate, self.epoch
        )
        self.learning_rate = self.base_learning_rate
        self._grad_copy = None

    def update(self, theta, grad, *, overwrite_grad=False):
        raise NotImplementedError

    def _writable_grad(self, grad, overwrite_grad, xp):
        """``grad`` itself when it may be overwritten, else a copy in a
        buffer allocated at the first such call and reused."""
        if overwrite_grad:
            return grad
        if self._grad_copy is None or self._grad_copy.shape != grad.shape:
            self._grad_copy = xp.empty_like(grad)
        self._grad_copy[...] = grad
        return self._grad_copy

    def iteration_ends(self, time_step):
        self.epoch += 1
        if self.lr_schedule in DECAY_SCHEDULES:
            self.base_learning_rate = decayed_learning_rate(
                self.learning_rate_init, self.lr_schedule, self.decay_rate, self.epoch
            )
            self.learning_rate = self.base_learning_rate

    def trigger_stopping(self, msg, verbose):
        if verbose:
            print(msg + " Stopping.")
        return True


class SGDOptimizer(BaseOptimizer):
    """Stochastic gradient descent with momentum and Nesterov's momentum.

    ``v <- momentum * v - lr * g``; the step is ``v`` or, with Nesterov,
    ``momentum * v - lr * g``.  Learning-rate schedules: ``"constant"``,
    ``"invscaling"`` (``lr_init / (t + 1) ** power_t`` with ``t`` the number of
    examples seen), ``"adaptive"`` (divide by 5 when training stalls) and the
    per-epoch decays of ``DECAY_SCHEDULES``.
    """

    def __init__(
        self,
        n_params,
        dtype,
        learning_rate_init=0.1,
        lr_schedule="constant",
        momentum=0.9,
        nesterov=True,
        power_t=0.5,
        *,
        decay_rate=None,
        epoch=0,
    ):
        super().__init__(learning_rate_init, lr_schedule, decay_rate, epoch)
        self.momentum = float(momentum)
        self.nesterov = nesterov
        self.power_t = float(power_t)
        self.velocity = np.zeros(n_params, dtype=dtype)

    def update(self, theta, grad, *, overwrite_grad=False):
        xp = namespace(theta)
        lr_grad = self._writable_grad(grad, overwrite_grad, xp)
        lr_grad *= self.learning_rate
        if self.momentum:
            self.velocity *= self.momentum
            self.velocity -= lr_grad
            if self.nesterov:
                theta -= lr_grad
                theta += into(lr_grad, xp.multiply, self.velocity, self.momentum)
            else:
                theta += self.velocity
        else:
            theta -= lr_grad

    def iteration_ends(self, time_step):
        super().iteration_ends(time_step)
        if self.lr_schedule == "invscaling":
            # A negative power underflows to 0.0 where a positive one raises
            # OverflowError (power_t=400).
            decay = float(time_step + 1) ** -self.power_t
            self.learning_rate = self.learning_rate_init * decay

    def trigger_stopping(self, msg, verbose):
        if self.lr_schedule != "adaptive":
            return super().trigger_stopping(msg, verbose)
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(msg + f" Setting learning rate to {self.learning_rate:f}")
        return False


class RMSpropOptimizer(BaseOptimizer):
    """RMSprop: ``s = rho * s + (1 - rho) * g**2``,
    ``theta -= lr * g / (sqrt(s) + epsilon)``; no bias correction, ``s``
    starts at 0."""

    def __init__(
        self,
        n_params,
        dtype,
        learning_rate_init=0.001,
        rho=0.9,
        epsilon=1e-8,
        *,
        lr_schedule="constant",
        decay_rate=None,
        epoch=0,
    ):
        super().__init__(learning_rate_init, lr_schedule, decay_rate, epoch)
        self.rho = float(rho)
        self.epsilon = float(epsilon)
        self.square_average = np.zeros(n_params, dtype=dtype)
        self._scratch = np.empty(min(_CHUNK, n_params), dtype=dtype)

    def update(self, theta, grad, *, overwrite_grad=False):
        # theta's step needs g after s has taken in g**2: on numpy, one chunk
        # at a time through a small scratch buffer, instead of a
        # parameter-sized one (grad is never written, whatever
        # overwrite_grad says); elsewhere (no scratch) in one piece.
        xp, s, scratch = namespace(theta), self.square_average, self._scratch
        n_params = s.shape[0]
        chunk = n_params if scratch is None else scratch.shape[0]
        for start in range(0, n_params, chunk):
            part = slice(start, start + chunk)
            step = None if scratch is None else scratch[: s[part].shape[0]]
            self._step(xp, theta[part], grad[part], s[part], step)

    def _step(self, xp, theta, g, s, step):
        """Update ``s`` and ``theta`` (views of one chunk) in place, with
        ``step`` as the scratch when it is a numpy array."""
        s *= self.rho
        step = into(step, xp.multiply, g, g)
        step *= 1 - self.rho
        s += step
        step = into(step, xp.sqrt, s)
        step += self.epsilon
        step = into(step, xp.divide, g, step)
        step *= self.learning_rate
        theta -= step


class AdamOptimizer(BaseOptimizer):
    """Adam (Kingma & Ba, 2014) with bias-corrected step size.

    The step size is ``base_learning_rate`` (``learning_rate_init``, decayed
    per epoch by a decay schedule) times the bias correction.
    """

    def __init__(
        self,
        n_params,
        dtype,
        learning_rate_init=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        *,
        lr_schedule="constant",
        decay_rate=None,
        epoch=0,
    ):
        super().__init__(learning_rate_init, lr_schedule, decay_rate, epoch)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.t = 0
        self.first_moment = np.zeros(n_params, dtype=dtype)
        self.second_moment = np.zeros(n_params, dtype=dtype)

    def update(self, theta, grad, *, overwrite_grad=False):
        """One Adam step; with ``overwrite_grad``, ``grad`` is the scratch.

        ``m = beta_1 m + (1 - beta_1) g`` is computed as ``beta_1 (m - g) + g``
        (no temporary, and ``g`` stays intact), then ``g`` becomes
        ``(1 - beta_2) g**2`` in place for ``v``: twelve passes over the
        parameters, as many as the textbook sequence with a step buffer.
        """
        self.t += 1
        xp = namespace(theta)
        grad = self._writable_grad(grad, overwrite_grad, xp)
        m, v = self.first_moment, self.second_moment
        m -= grad
        m *= self.beta_1
        m += grad
        grad *= grad
        grad *= 1 - self.beta_2
        v *= self.beta_2
        v += grad
        # A Python float (math.sqrt, not np.sqrt): a numpy float64 scalar
        # would turn the float32 products below into float64 ones.
        self.learning_rate = (
            self.base_learning_rate
            * math.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )
        # theta -= lr * m / (sqrt(v) + epsilon), dividing by the denominator
        # over lr instead of multiplying the quotient by lr.
        step = into(grad, xp.sqrt, v)
        step += self.epsilon
        step *= 1 / self.learning_rate
        step = into(step, xp.divide, m, step)
        theta -= step


def minimize_lbfgs(cost_and_grad, theta0, *, max_iter, tol, max_fun, callback):
    """Minimise ``cost_and_grad(theta) -> (J, grad)`` with scipy's L-BFGS-B.

    Computation is done in float64 (as scipy requires); the result is the
    ``scipy.optimize.OptimizeResult``.
    """
    return scipy.optimize.minimize(
        cost_and_grad,
        np.asarray(theta0, dtype=np.float64),
        method="L-BFGS-B",
        jac=True,
        callback=callback,
        options={
            "maxfun": max_fun,
            "maxiter": max_iter,
            "gtol": tol,
        },
    )
