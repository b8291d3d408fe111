"""A fully connected network in pure numpy: forward, cost J and backprop.

Parameters live in one flat vector ``theta`` in a fixed order,
``W[1], ..., W[L], b[1], ..., b[L]`` and, with batch normalization,
``gamma[1], ..., gamma[L-1], beta[1], ..., beta[L-1]``; ``coefs``,
``intercepts``, ``gammas`` and ``betas`` are views into it, and the gradient
``grad`` has the same layout.  Optimizers, L-BFGS, early stopping and gradient
checking all work on ``theta`` directly.  The running means and variances of
batch normalization are not parameters but state, in one flat vector
``running`` (views ``running_means``, ``running_vars``).

Activation and delta buffers are allocated once for the largest batch seen and
reused, and the penalty works through a chunk-sized scratch buffer, so a
training step allocates nothing weight-sized.  Every product is a
BLAS call writing into its buffer: transposes are passed as views (BLAS gets a
transpose flag, nothing is copied) and the bias gradients are a product with a
row of ones.  A softmax output computes its cross-entropy from the log-sum-exp
of the softmax itself.
"""

import numpy as np
import scipy.sparse as sp

from .activations import HIDDEN_ACTIVATIONS, output_activation
from .dropout import draw_mask
from .losses import LOSS_MAGNITUDES, LOSSES
from .penalties import add_penalty_gradient, penalty_value, scratch_for


def _matmul_into(A, W, out):
    """``out[...] = A @ W`` without allocating when ``A`` is dense."""
    if sp.issparse(A):
        out[...] = A @ W
    else:
        np.matmul(A, W, out=out)


def normalize_inference(Z, gamma, beta, mean, var, epsilon):
    """Batch-normalize ``Z`` in place with fixed (running) statistics.

    ``Z <- gamma * (Z - mean) / sqrt(var + epsilon) + beta``, as one scale and
    one shift of each column.
    """
    scale = gamma / np.sqrt(var + epsilon)
    Z *= scale
    Z += beta - mean * scale


def forward(
    coefs,
    intercepts,
    X,
    activation,
    out_activation,
    *,
    batch_norm=None,
    batch_norm_epsilon=1e-5,
):
    """Return the output activations of the network ``(coefs, intercepts)``.

    This is the prediction path: no dropout, no cached activations.
    ``batch_norm`` is None or one ``(gamma, beta, running_mean, running_var)``
    per hidden layer; the hidden biases are then not used.
    """
    hidden = HIDDEN_ACTIVATIONS[activation][0]
    A = X
    n_layers = len(coefs)
    for l, (W, b) in enumerate(zip(coefs, intercepts)):
        Z = A @ W
        if l < n_layers - 1 and batch_norm is not None:
            normalize_inference(Z, *batch_norm[l], batch_norm_epsilon)
        else:
            Z += b
        if l < n_layers - 1:
            hidden(Z)
        else:
            output_activation(Z, out_activation)
        A = Z
    return A


class Network:
    """A multilayer perceptron with its cost function and gradient.

    Parameters
    ----------
    layer_units : sequence of int
        ``n[0], n[1], ..., n[L]``: input width, hidden widths, output width.
    activation : str
        Hidden activation, a key of ``HIDDEN_ACTIVATIONS``.
    loss : str
        A key of ``LOSSES``; it fixes the output activation.
    penalty, alpha, l1_ratio :
        The weight penalty added to J (see ``_penalties``).
    keep_prob : sequence of float
        Keep probability of each hidden layer's inverted dropout.
    dtype : numpy dtype
        float32 or float64; parameters and buffers use it.
    batch_norm : bool
        Batch-normalize each hidden layer's ``Z`` before its activation
        (``gamma * Z_norm + beta``; the hidden biases are then not used).
    batch_norm_momentum, batch_norm_epsilon : float
        Momentum of the running statistics and the constant added to the
        variance.
    """

    def __init__(
        self,
        layer_units,
        activation,
        loss,
        *,
        penalty=None,
        alpha=0.0,
        l1_ratio=0.15,
        keep_prob=None,
        dtype=np.float64,
        batch_norm=False,
        batch_norm_momentum=0.9,
        batch_norm_epsilon=1e-5,
    ):
        self.layer_units = [int(n) for n in layer_units]
        self.n_weight_layers = len(self.layer_units) - 1
        self.activation = activation
        self.loss = loss
        self.out_activation = LOSSES[loss][0]
        self.penalty = penalty
        self.alpha = float(alpha)
        self.l1_ratio = float(l1_ratio)
        n_hidden = self.n_weight_layers - 1
        self.keep_prob = [1.0] * n_hidden if keep_prob is None else list(keep_prob)
        self.dtype = np.dtype(dtype)
        self.batch_norm = bool(batch_norm)
        self.batch_norm_momentum = float(batch_norm_momentum)
        self.batch_norm_epsilon = float(batch_norm_epsilon)
        self._allocate()

    def _allocate(self):
        """The flat parameter and gradient vectors, their per-layer views, and
        the batch-normalization statistics."""
        shapes = list(zip(self.layer_units[:-1], self.layer_units[1:]))
        normalized = self.layer_units[1:-1] if self.batch_norm else []
        self.n_params = int(
            sum(n_in * n_out + n_out for n_in, n_out in shapes) + 2 * sum(normalized)
        )
        self.theta = np.zeros(self.n_params, dtype=self.dtype)
        self.grad = np.zeros(self.n_params, dtype=self.dtype)
        self._shapes, self._normalized = shapes, normalized
        self.coefs, self.intercepts, self.gammas, self.betas = self.parameter_views(
            self.theta
        )
        self._penalty_scratch = scratch_for(self.coefs)
        self.coef_grads, self.intercept_grads, self.gamma_grads, self.beta_grads = (
            self._views(self.grad, shapes, normalized)
        )
        self.running = np.zeros(2 * sum(normalized), dtype=self.dtype)
        self.running_means, self.running_vars = self.running_views(self.running)
        # The last training batch's statistics, laid out like ``running``.
        self._batch_stats = np.zeros_like(self.running)
        self._batch_means, self._batch_vars = self.running_views(self._batch_stats)
        self._capacity = 0

    @staticmethod
    def _views(flat, shapes, normalized):
        """Cut ``flat`` into ``W[1..L]``, ``b[1..L]``, ``gamma[..]``, ``beta[..]``."""
        start = 0

        def take(shape):
            nonlocal start
            size = int(np.prod(shape))
            view = flat[start : start + size].reshape(shape)
            start += size
            return view

        coefs = [take(shape) for shape in shapes]
        intercepts = [take(n_out) for _, n_out in shapes]
        gammas = [take(n) for n in normalized]
        betas = [take(n) for n in normalized]
        return coefs, intercepts, gammas, betas

    def parameter_views(self, flat):
        """Return ``(coefs, intercepts, gammas, betas)``: views cutting the
        vector ``flat``, laid out like ``theta``, into its parts."""
        return self._views(flat, self._shapes, self._normalized)

    def running_views(self, flat):
        """Return ``(running_means, running_vars)``: views cutting ``flat``,
        laid out like ``running``."""
        return self._views(flat, [], self._normalized)[2:]

    def parameter_slices(self):
        """Return ``{"W[1]": slice, ..., "b[1]": slice, ...}`` into ``theta``.

        With batch normalization ``"gamma[1]"``, ..., ``"beta[1]"``, ... follow.
        """
        slices, start = {}, 0
        blocks = [
            ("W", self.coefs),
            ("b", self.intercepts),
            ("gamma", self.gammas),
            ("beta", self.betas),
        ]
        for name, views in blocks:
            for l, view in enumerate(views, start=1):
                slices[f"{name}[{l}]"] = slice(start, start + view.size)
                start += view.size
        return slices

    # -- parameters ---------------------------------------------------------

    def initialize(self, init, rng):
        """Draw ``W[1..L]`` with ``init(n_in, n_out, rng)``; biases are zero."""
        for W in self.coefs:
            n_in, n_out = W.shape
            value = np.asarray(init(n_in, n_out, rng))
            if value.shape != W.shape:
                raise ValueError(
                    f"init returned an array of shape {value.shape} for a layer "
                    f"of shape {W.shape}; it must return shape (n_in, n_out)."
                )
            if not np.all(np.isfinite(value)):
                raise ValueError("init returned non-finite weights.")
            W[...] = value
        for b in self.intercepts:
            b[...] = 0
        for gamma, beta, mean, var in self.normalization():
            gamma[...], beta[...], mean[...], var[...] = 1, 0, 0, 1
        return self

    def set_parameters(self, coefs, intercepts, normalization=None):
        """Copy the given weights and biases into ``theta``.

        ``normalization``: one ``(gamma, beta, running_mean, running_var)``
        per hidden layer, with batch normalization.
        """
        for W, value in zip(self.coefs, coefs):
            W[...] = value
        for b, value in zip(self.intercepts, intercepts):
            b[...] = value
        for views, values in zip(self.normalization(), normalization or []):
            for view, value in zip(views, values):
                view[...] = value
        return self

    def normalization(self):
        """Return one ``(gamma, beta, running_mean, running_var)`` view per
        hidden layer (an empty list without batch normalization)."""
        return list(zip(self.gammas, self.betas, self.running_means, self.running_vars))

    def snapshot(self):
        """Return a copy of everything training changes: ``theta`` and the
        running statistics."""
        return self.theta.copy(), self.running.copy()

    def restore(self, snapshot):
        """Set ``theta`` and the running statistics back to a ``snapshot()``."""
        self.theta[...], self.running[...] = snapshot

    def update_running_statistics(self):
        """``run = momentum * run + (1 - momentum) * batch`` for the means and
        variances of the last training forward pass."""
        self.running *= self.batch_norm_momentum
        self.running += (1 - self.batch_norm_momentum) * self._batch_stats

    # -- prediction ---------------------------------------------------------

    def forward(self, X):
        """Return the output activations for ``X`` (no dropout, no caching).

        Batch normalization uses the running statistics.
        """
        return forward(
            self.coefs,
            self.intercepts,
            X,
            self.activation,
            self.out_activation,
            batch_norm=self.normalization() if self.batch_norm else None,
            batch_norm_epsilon=self.batch_norm_epsilon,
        )

    def hidden_activations(self, X):
        """Return the hidden activations ``A[1..L-1]`` for ``X`` as the cost
        sees them (no dropout; batch statistics of ``X`` with batch norm)."""
        m = X.shape[0]
        self._forward_train(X, None, self._batch_weights(m, None))
        return [A[:m].copy() for A in self._acts[:-1]]

    # -- cost and gradient --------------------------------------------------

    def _ensure_buffers(self, m):
        if m <= self._capacity:
            return
        units = self.layer_units[1:]
        self._acts = [np.empty((m, n), dtype=self.dtype) for n in units]
        self._deltas = [np.empty((m, n), dtype=self.dtype) for n in units]
        self._dropped = [
            np.empty((m, n), dtype=self.dtype) if p < 1.0 else None
            for n, p in zip(units[:-1], self.keep_prob)
        ]
        self._output = np.empty((m, units[-1]), dtype=self.dtype)
        self._ones = np.ones(m, dtype=self.dtype)
        if self.batch_norm:
            hidden = units[:-1]
            self._centered = [np.empty((m, n), dtype=self.dtype) for n in hidden]
            self._bn_scratch = np.empty(m * max(hidden), dtype=self.dtype)
            self._inv_stds = [np.empty(n, dtype=self.dtype) for n in hidden]
            self._scales = [np.empty(n, dtype=self.dtype) for n in hidden]
        self._capacity = m

    def _batch_weights(self, m, sample_weight):
        """Each row's share ``p_i`` of the batch statistics: the float
        ``1 / m`` without weights, an array otherwise; None without batch
        normalization."""
        if not self.batch_norm:
            return None
        if sample_weight is None:
            return 1.0 / m
        return (sample_weight / np.sum(sample_weight)).astype(self.dtype, copy=False)

    def _scratch(self, m, n):
        return self._bn_scratch[: m * n].reshape(m, n)

    def _weighted_mean(self, shares, A, out):
        """``out = sum_i p_i A_i``, one BLAS product."""
        if isinstance(shares, float):
            np.matmul(self._ones[: A.shape[0]], A, out=out)
            out *= shares
        else:
            np.matmul(shares, A, out=out)

    def _normalize_train(self, l, Z, shares):
        """Batch-normalize ``Z`` in place with its (weighted) batch statistics.

        Keeps ``Z - mu``, ``1 / sigma`` (``sigma = sqrt(var + epsilon)``) and
        ``gamma / sigma`` for backprop; ``Z <- (Z - mu) * gamma / sigma + beta``.
        """
        m, n = Z.shape
        mean, var = self._batch_means[l], self._batch_vars[l]
        inv_std, scale = self._inv_stds[l], self._scales[l]
        centered = self._centered[l][:m]
        self._weighted_mean(shares, Z, mean)
        np.subtract(Z, mean, out=centered)
        squares = np.multiply(centered, centered, out=self._scratch(m, n))
        self._weighted_mean(shares, squares, var)
        np.add(var, self.batch_norm_epsilon, out=inv_std)
        np.sqrt(inv_std, out=inv_std)
        np.reciprocal(inv_std, out=inv_std)
        np.multiply(self.gammas[l], inv_std, out=scale)
        np.multiply(centered, scale, out=Z)
        Z += self.betas[l]

    def _normalize_backward(self, l, delta, shares):
        """Turn ``delta = dJ/d(gamma Z_norm + beta)`` into ``dJ/dZ`` in place,
        filling ``dgamma`` and ``dbeta``.

        ``dZ = gamma / sigma * (delta - p * (dbeta + Z_norm * dgamma))``, with
        ``p`` each row's share of the weighted batch statistics and
        ``Z_norm = (Z - mu) / sigma``.
        """
        m, n = delta.shape
        centered, inv_std = self._centered[l][:m], self._inv_stds[l]
        dgamma, dbeta = self.gamma_grads[l], self.beta_grads[l]
        ones, scratch = self._ones[:m], self._scratch(m, n)
        np.matmul(ones, delta, out=dbeta)
        np.matmul(ones, np.multiply(delta, centered, out=scratch), out=dgamma)
        dgamma *= inv_std
        correction = np.multiply(centered, dgamma * inv_std, out=scratch)
        correction += dbeta
        correction *= shares if isinstance(shares, float) else shares[:, np.newaxis]
        delta -= correction
        delta *= self._scales[l]

    def _forward_train(self, X, rng, shares=None, *, batch_statistics=True):
        """Forward pass filling the buffers.

        Returns the inputs of each layer, the dropout masks, the logits, the
        output and, for a softmax output, the log-sum-exp of the logits.
        ``shares`` weigh the rows in the batch statistics of batch
        normalization; ``batch_statistics=False`` uses the running ones.
        """
        m = X.shape[0]
        self._ensure_buffers(m)
        hidden = HIDDEN_ACTIVATIONS[self.activation][0]
        layer_inputs, masks = [X], []
        A = X
        for l in range(self.n_weight_layers):
            Z = self._acts[l][:m]
            _matmul_into(A, self.coefs[l], Z)
            if l == self.n_weight_layers - 1:
                np.add(Z, self.intercepts[l], out=Z)
                break
            if not self.batch_norm:
                np.add(Z, self.intercepts[l], out=Z)
            elif batch_statistics:
                self._normalize_train(l, Z, shares)
            else:
                normalize_inference(
                    Z, *self.normalization()[l], self.batch_norm_epsilon
                )
            hidden(Z)
            mask = None
            if rng is not None:
                mask = draw_mask(Z.shape, self.keep_prob[l], rng, self.dtype)
            masks.append(mask)
            if mask is None:
                A = Z
            else:
                A = np.multiply(Z, mask, out=self._dropped[l][:m])
            layer_inputs.append(A)
        output = self._output[:m]
        np.copyto(output, Z)
        _, lse = output_activation(output, self.out_activation)
        return layer_inputs, masks, Z, output, lse

    def _example_weights(self, m, sample_weight):
        if sample_weight is None:
            return None, float(m)
        return sample_weight, float(np.sum(sample_weight))

    def _cost_from_output(self, logits, output, lse, Y, sample_weight, m_eff):
        if self.loss == "log_loss" and sample_weight is None:
            # The cross-entropy of a softmax, sum(log-sum-exp(Z)) - <Y, Z>,
            # from the log-sum-exp the softmax has already computed; <Y, Z>
            # is one BLAS dot product over the whole batch.
            total = float(np.add.reduce(lse, dtype=np.float64))
            data_cost = (total - float(np.vdot(Y, logits))) / m_eff
        else:
            if self.loss == "log_loss":
                losses = lse - np.einsum("ij,ij->i", Y, logits)
            else:
                losses = LOSSES[self.loss][1](logits, output, Y)
            if sample_weight is None:
                data_cost = float(np.add.reduce(losses, dtype=np.float64)) / m_eff
            else:
                data_cost = float(np.dot(sample_weight, losses)) / m_eff
        return data_cost + penalty_value(
            self.coefs,
            self.penalty,
            self.alpha,
            self.l1_ratio,
            m_eff,
            self._penalty_scratch,
        )

    def cost(self, X, Y, sample_weight=None, *, batch_statistics=True):
        """Return the cost J at the current ``theta`` (no dropout).

        With batch normalization, ``X`` is one batch and its statistics are
        used; ``batch_statistics=False`` uses the running ones (as predicting).
        """
        m = X.shape[0]
        shares = self._batch_weights(m, sample_weight)
        sample_weight, m_eff = self._example_weights(m, sample_weight)
        _, _, logits, output, lse = self._forward_train(
            X, None, shares, batch_statistics=batch_statistics
        )
        return self._cost_from_output(logits, output, lse, Y, sample_weight, m_eff)

    def cost_magnitude(self, X, Y, sample_weight=None):
        """Return the sum of the absolute values of the terms ``J`` adds up.

        Each example's loss is counted by the terms it is computed from (a
        cross-entropy is a difference of a log-sum-exp and a logit, both
        much larger than their difference on a trained network), weighted
        as in ``J``, plus the penalty. Machine epsilon times this is the
        scale of the rounding error of ``J`` (no dropout).
        """
        m = X.shape[0]
        shares = self._batch_weights(m, sample_weight)
        weights, m_eff = self._example_weights(m, sample_weight)
        _, _, logits, output, _ = self._forward_train(X, None, shares)
        terms = LOSS_MAGNITUDES[self.loss](logits, output, Y)
        total = np.sum(terms) if weights is None else np.dot(weights, terms)
        penalty = penalty_value(
            self.coefs, self.penalty, self.alpha, self.l1_ratio, m_eff,
            self._penalty_scratch,
        )  # fmt: skip
        return float(total) / m_eff + abs(float(penalty))

    def cost_and_grad(self, X, Y, sample_weight=None, rng=None):
        """Return J and fill ``self.grad`` with dJ/dtheta by backpropagation.

        Dropout masks are drawn from ``rng`` for layers whose keep probability
        is below 1; with ``rng=None`` dropout is off.
        """
        m = X.shape[0]
        shares = self._batch_weights(m, sample_weight)
        sample_weight, m_eff = self._example_weights(m, sample_weight)
        layer_inputs, masks, logits, output, lse = self._forward_train(X, rng, shares)
        J = self._cost_from_output(logits, output, lse, Y, sample_weight, m_eff)
        self._backward(layer_inputs, masks, output, Y, sample_weight, m_eff, shares)
        return J

    def _backward(self, layer_inputs, masks, output, Y, sample_weight, m_eff, shares):
        m = output.shape[0]
        hidden_backward = HIDDEN_ACTIVATIONS[self.activation][1]
        ones = self._ones[:m]
        delta = self._deltas[-1][:m]
        np.subtract(output, Y, out=delta)
        if sample_weight is None:
            delta /= m_eff
        else:
            delta *= (sample_weight / m_eff)[:, np.newaxis]
        for l in range(self.n_weight_layers - 1, -1, -1):
            A_in = layer_inputs[l]
            if sp.issparse(A_in):
                self.coef_grads[l][...] = A_in.T @ delta
            else:
                np.matmul(A_in.T, delta, out=self.coef_grads[l])
            if self.batch_norm and l < self.n_weight_layers - 1:
                self.intercept_grads[l][...] = 0  # b[l] is not used
            else:
                # The column sums of delta, as a BLAS product with a row of ones.
                np.matmul(ones, delta, out=self.intercept_grads[l])
            if l == 0:
                break
            previous = self._deltas[l - 1][:m]
            np.matmul(delta, self.coefs[l].T, out=previous)
            if masks[l - 1] is not None:
                previous *= masks[l - 1]
            hidden_backward(self._acts[l - 1][:m], previous)
            if self.batch_norm:
                self._normalize_backward(l - 1, previous, shares)
            delta = previous
        add_penalty_gradient(
            self.coefs,
            self.coef_grads,
            self.penalty,
            self.alpha,
            self.l1_ratio,
            m_eff,
            self._penalty_scratch,
        )
