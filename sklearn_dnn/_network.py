"""A fully connected network in pure numpy: forward, cost J and backprop.

Parameters live in one flat vector ``theta`` in a fixed order,
``W[1], ..., W[L], b[1], ..., b[L]``; ``coefs`` and ``intercepts`` are views
into it, and the gradient ``grad`` has the same layout.  Optimizers, L-BFGS,
early stopping and gradient checking all work on ``theta`` directly.

Activation and delta buffers are allocated once for the largest batch seen and
reused, so a training step allocates nothing weight-sized.  Every product is a
BLAS call writing into its buffer: transposes are passed as views (BLAS gets a
transpose flag, nothing is copied) and the bias gradients are a product with a
row of ones.  A softmax output computes its cross-entropy from the log-sum-exp
of the softmax itself.
"""

import numpy as np
import scipy.sparse as sp

from ._activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, softmax_logsumexp
from ._dropout import draw_mask
from ._losses import LOSSES
from ._penalties import add_penalty_gradient, penalty_value


def _matmul_into(A, W, out):
    """``out[...] = A @ W`` without allocating when ``A`` is dense."""
    if sp.issparse(A):
        out[...] = A @ W
    else:
        np.matmul(A, W, out=out)


def forward(coefs, intercepts, X, activation, out_activation):
    """Return the output activations of the network ``(coefs, intercepts)``.

    This is the prediction path: no dropout, no cached activations.
    """
    hidden = HIDDEN_ACTIVATIONS[activation][0]
    A = X
    n_layers = len(coefs)
    for l, (W, b) in enumerate(zip(coefs, intercepts)):
        Z = A @ W
        Z += b
        if l < n_layers - 1:
            hidden(Z)
        else:
            OUTPUT_ACTIVATIONS[out_activation](Z)
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

        shapes = list(zip(self.layer_units[:-1], self.layer_units[1:]))
        sizes = [n_in * n_out for n_in, n_out in shapes] + [
            n_out for _, n_out in shapes
        ]
        self.n_params = int(sum(sizes))
        self.theta = np.zeros(self.n_params, dtype=self.dtype)
        self.grad = np.zeros(self.n_params, dtype=self.dtype)
        self.coefs, self.intercepts = self._views(self.theta, shapes)
        self.coef_grads, self.intercept_grads = self._views(self.grad, shapes)
        self._capacity = 0

    @staticmethod
    def _views(flat, shapes):
        coefs, intercepts, start = [], [], 0
        for n_in, n_out in shapes:
            coefs.append(flat[start : start + n_in * n_out].reshape(n_in, n_out))
            start += n_in * n_out
        for _, n_out in shapes:
            intercepts.append(flat[start : start + n_out])
            start += n_out
        return coefs, intercepts

    def parameter_slices(self):
        """Return ``{"W[1]": slice, ..., "b[1]": slice, ...}`` into ``theta``."""
        slices, start = {}, 0
        for l, W in enumerate(self.coefs, start=1):
            slices[f"W[{l}]"] = slice(start, start + W.size)
            start += W.size
        for l, b in enumerate(self.intercepts, start=1):
            slices[f"b[{l}]"] = slice(start, start + b.size)
            start += b.size
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
        return self

    def set_parameters(self, coefs, intercepts):
        """Copy the given weights and biases into ``theta``."""
        for W, value in zip(self.coefs, coefs):
            W[...] = value
        for b, value in zip(self.intercepts, intercepts):
            b[...] = value
        return self

    # -- prediction ---------------------------------------------------------

    def forward(self, X):
        """Return the output activations for ``X`` (no dropout, no caching)."""
        return forward(
            self.coefs, self.intercepts, X, self.activation, self.out_activation
        )

    def hidden_activations(self, X):
        """Return the list of hidden activations ``A[1..L-1]`` for ``X``."""
        hidden = HIDDEN_ACTIVATIONS[self.activation][0]
        activations, A = [], X
        for W, b in zip(self.coefs[:-1], self.intercepts[:-1]):
            A = A @ W
            A += b
            hidden(A)
            activations.append(A)
        return activations

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
        self._capacity = m

    def _forward_train(self, X, rng):
        """Forward pass filling the buffers.

        Returns the inputs of each layer, the dropout masks, the logits, the
        output and, for a softmax output, the log-sum-exp of the logits.
        """
        m = X.shape[0]
        self._ensure_buffers(m)
        hidden = HIDDEN_ACTIVATIONS[self.activation][0]
        layer_inputs, masks = [X], []
        A = X
        for l in range(self.n_weight_layers):
            Z = self._acts[l][:m]
            _matmul_into(A, self.coefs[l], Z)
            np.add(Z, self.intercepts[l], out=Z)
            if l == self.n_weight_layers - 1:
                break
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
        lse = None
        if self.out_activation == "softmax":
            lse = softmax_logsumexp(output)
        else:
            OUTPUT_ACTIVATIONS[self.out_activation](output)
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
            self.coefs, self.penalty, self.alpha, self.l1_ratio, m_eff
        )

    def cost(self, X, Y, sample_weight=None):
        """Return the cost J at the current ``theta`` (no dropout)."""
        m = X.shape[0]
        sample_weight, m_eff = self._example_weights(m, sample_weight)
        _, _, logits, output, lse = self._forward_train(X, None)
        return self._cost_from_output(logits, output, lse, Y, sample_weight, m_eff)

    def cost_and_grad(self, X, Y, sample_weight=None, rng=None):
        """Return J and fill ``self.grad`` with dJ/dtheta by backpropagation.

        Dropout masks are drawn from ``rng`` for layers whose keep probability
        is below 1; with ``rng=None`` dropout is off.
        """
        m = X.shape[0]
        sample_weight, m_eff = self._example_weights(m, sample_weight)
        layer_inputs, masks, logits, output, lse = self._forward_train(X, rng)
        J = self._cost_from_output(logits, output, lse, Y, sample_weight, m_eff)
        self._backward(layer_inputs, masks, output, Y, sample_weight, m_eff)
        return J

    def _backward(self, layer_inputs, masks, output, Y, sample_weight, m_eff):
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
            # The column sums of delta, as a BLAS product with a row of ones.
            np.matmul(ones, delta, out=self.intercept_grads[l])
            if l == 0:
                break
            previous = self._deltas[l - 1][:m]
            np.matmul(delta, self.coefs[l].T, out=previous)
            if masks[l - 1] is not None:
                previous *= masks[l - 1]
            hidden_backward(self._acts[l - 1][:m], previous)
            delta = previous
        add_penalty_gradient(
            self.coefs,
            self.coef_grads,
            self.penalty,
            self.alpha,
            self.l1_ratio,
            m_eff,
        )
