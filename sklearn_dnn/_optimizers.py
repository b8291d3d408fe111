"""Optimizers over one flat parameter vector; they know nothing of networks.

``update(theta, grad)`` changes ``theta`` in place.  ``iteration_ends`` is
called at the end of each epoch with the number of examples seen so far, and
``trigger_stopping`` has the optimizer's say when training stops improving
(the adaptive schedule divides the learning rate by 5 instead of stopping).
The maths is scikit-learn's ``_stochastic_optimizers``.
"""

import math

import numpy as np
import scipy.optimize


class BaseOptimizer:
    """What every optimizer shares: the learning rate and the stopping say.

    ``update(theta, grad)`` is the subclass's; ``iteration_ends`` does nothing
    unless a schedule needs it; ``trigger_stopping`` agrees to stop (the
    adaptive schedule of sgd overrides it).
    """

    def __init__(self, learning_rate_init):
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)

    def update(self, theta, grad):
        raise NotImplementedError

    def iteration_ends(self, time_step):
        pass

    def trigger_stopping(self, msg, verbose):
        if verbose:
            print(msg + " Stopping.")
        return True


class SGDOptimizer(BaseOptimizer):
    """Stochastic gradient descent with momentum and Nesterov's momentum.

    ``v <- momentum * v - lr * g``; the step is ``v`` or, with Nesterov,
    ``momentum * v - lr * g``.  Learning-rate schedules: ``"constant"``,
    ``"invscaling"`` (``lr_init / (t + 1) ** power_t`` with ``t`` the number of
    examples seen) and ``"adaptive"`` (divide by 5 when training stalls).
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
    ):
        super().__init__(learning_rate_init)
        self.lr_schedule = lr_schedule
        self.momentum = float(momentum)
        self.nesterov = nesterov
        self.power_t = float(power_t)
        self.velocity = np.zeros(n_params, dtype=dtype)
        self._step = np.empty(n_params, dtype=dtype)

    def update(self, theta, grad):
        lr_grad = np.multiply(grad, self.learning_rate, out=self._step)
        if self.momentum:
            self.velocity *= self.momentum
            self.velocity -= lr_grad
            if self.nesterov:
                theta -= lr_grad
                lr_grad = np.multiply(self.velocity, self.momentum, out=self._step)
                theta += lr_grad
            else:
                theta += self.velocity
        else:
            theta -= lr_grad

    def iteration_ends(self, time_step):
        if self.lr_schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (time_step + 1) ** (
                self.power_t
            )

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


class AdamOptimizer(BaseOptimizer):
    """Adam (Kingma & Ba, 2014) with bias-corrected step size."""

    def __init__(
        self,
        n_params,
        dtype,
        learning_rate_init=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
    ):
        super().__init__(learning_rate_init)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.t = 0
        self.first_moment = np.zeros(n_params, dtype=dtype)
        self.second_moment = np.zeros(n_params, dtype=dtype)
        self._step = np.empty(n_params, dtype=dtype)

    def update(self, theta, grad):
        self.t += 1
        step = self._step
        self.first_moment *= self.beta_1
        np.multiply(grad, 1 - self.beta_1, out=step)
        self.first_moment += step
        self.second_moment *= self.beta_2
        np.multiply(grad, grad, out=step)
        step *= 1 - self.beta_2
        self.second_moment += step
        # A Python float (math.sqrt, not np.sqrt): a numpy float64 scalar
        # would turn the float32 products below into float64 ones.
        self.learning_rate = (
            self.learning_rate_init
            * math.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )
        np.sqrt(self.second_moment, out=step)
        step += self.epsilon
        np.divide(self.first_moment, step, out=step)
        step *= self.learning_rate
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
