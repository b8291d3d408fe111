"""The network, its targets and its mini-batches in any array API namespace
(scikit-learn's array API dispatch: torch, cupy, ...), and the move of an
optimizer's state there.

The numpy engine (``network.py``, ``loop.py``) works in place through
numpy's ``out=`` arguments and BLAS; the array API has neither, so this is the
same network written with the standard's functions, one array per result.
The activations (``activations.py``) and the optimizers' updates
(``optimizers.py``) are the numpy engine's own, written for both.
``ArrayNetwork`` wraps a numpy ``Network`` that fixes its layout and initial
parameters (drawn with numpy, then moved), and keeps ``theta``,
``grad`` and the running statistics of batch normalization in the namespace
``xp`` on ``device``.  Costs are returned as 0-d arrays of that namespace, so
a training step never waits for the device: the loop converts the epoch's
cost once per epoch.
"""

import math

import numpy as np

from .activations import HIDDEN_ACTIVATIONS, output_activation


def normalize_inference(xp, Z, gamma, beta, mean, var, epsilon):
    """``gamma * (Z - mean) / sqrt(var + epsilon) + beta``."""
    scale = gamma / xp.sqrt(var + epsilon)
    return Z * scale + (beta - mean * scale)


def forward(xp, coefs, intercepts, X, activation, out_activation, **normalization):
    """The prediction path of ``network.forward`` in namespace ``xp``."""
    batch_norm = normalization.get("batch_norm")
    epsilon = normalization.get("batch_norm_epsilon", 1e-5)
    hidden = HIDDEN_ACTIVATIONS[activation][0]
    A, last = X, len(coefs) - 1
    for l, (W, b) in enumerate(zip(coefs, intercepts)):
        Z = A @ W
        if l < last and batch_norm is not None:
            Z = normalize_inference(xp, Z, *batch_norm[l], epsilon)
        else:
            Z = Z + b
        A = hidden(Z, xp) if l < last else output_activation(Z, out_activation, xp)[0]
    return A


def to_numpy(array):
    """A numpy copy of an array of any namespace (through DLPack, from the
    host memory of a device array)."""
    if isinstance(array, np.ndarray):
        return array
    if hasattr(array, "cpu"):
        array = array.cpu()
    try:
        return np.from_dlpack(array)
    except (TypeError, RuntimeError, BufferError):
        return np.asarray(array)


class ArrayTargets:
    """``EncodedTargets`` on the device: codes, indicator or values.

    Class codes are one-hot encoded per batch on the device.
    """

    def __init__(self, targets, xp, device):
        self.xp, self.device = xp, device
        self.kind, self.n_outputs = targets.kind, targets.n_outputs
        self.host = targets  # the host encoding, for statistics taken once
        self.dtype = xp.float32 if targets.dtype == np.float32 else xp.float64
        array = targets.array
        array = array.astype(np.int64) if targets.kind == "codes" else array
        self.array = xp.asarray(array, device=device)
        self._classes = xp.arange(self.n_outputs, device=device)

    def __len__(self):
        return self.array.shape[0]

    def rows(self, rows):
        """The float ``Y`` of ``rows`` (a device index array or a slice)."""
        xp = self.xp
        part = (
            self.array[rows, ...] if isinstance(rows, slice) else self.array_take(rows)
        )
        if self.kind == "codes":
            part = part[:, None] == self._classes[None, :]
        return xp.astype(part, self.dtype)

    def array_take(self, rows):
        return self.xp.take(self.array, rows, axis=0)

    def dense(self):
        return self.rows(slice(None))

    def subset(self, rows):
        new = object.__new__(ArrayTargets)
        new.__dict__.update(self.__dict__)
        new.array = self.array_take(self.xp.asarray(rows, device=self.device))
        return new


def take_rows(X, rows, xp=None, device=None):
    """``X[rows]`` for a numpy array, or a gather on the device."""
    if xp is None or isinstance(X, np.ndarray):
        return X[rows]
    return xp.take(
        X, xp.asarray(np.asarray(rows, dtype=np.int64), device=device), axis=0
    )


class ArrayNetwork:
    """A ``Network`` whose parameters and computations live in ``xp``.

    Parameters
    ----------
    net : Network
        The numpy network giving the layout, the settings and the current
        parameters (copied to the device).
    xp : module
        The array API namespace.
    device : object
        The device of the training data.
    seed : int, default=0
        Seed of the dropout masks' generator on the device (torch) or on the
        host (other namespaces, masks then moved).
    """

    def __init__(self, net, xp, device, seed=0):
        for name in (
            "layer_units", "n_weight_layers", "activation", "loss",
            "out_activation", "penalty", "alpha", "l1_ratio", "keep_prob",
            "batch_norm", "batch_norm_momentum", "batch_norm_epsilon",
            "n_params", "_shapes", "_normalized",
        ):  # fmt: skip
            setattr(self, name, getattr(net, name))
        self.host_dtype = net.dtype
        self.xp, self.device = xp, device
        self.dtype = xp.float32 if net.dtype == np.float32 else xp.float64
        self.theta = xp.asarray(net.theta, device=device, copy=True)
        self.grad = xp.zeros_like(self.theta)
        self.running = xp.asarray(net.running, device=device, copy=True)
        self._batch_stats = xp.zeros_like(self.running)
        self._masks = _MaskSource(xp, device, self.dtype, seed)

    # -- layout ---------------------------------------------------------------

    def parameter_views(self, flat):
        """``(coefs, intercepts, gammas, betas)`` cut out of ``flat``."""
        return self._cut(flat, self._shapes, self._normalized)

    def running_views(self, flat):
        return self._cut(flat, [], self._normalized)[2:]

    def _cut(self, flat, shapes, normalized):
        xp, start, parts = self.xp, 0, []
        for shape in [*shapes, *[(n_out,) for _, n_out in shapes]]:
            size = math.prod(shape)
            parts.append(xp.reshape(flat[start : start + size], shape))
            start += size
        for n in [*normalized, *normalized]:
            parts.append(flat[start : start + n])
            start += n
        k, h = len(shapes), len(normalized)
        return parts[:k], parts[k : 2 * k], parts[2 * k : 2 * k + h], parts[2 * k + h :]

    @property
    def coefs(self):
        return self.parameter_views(self.theta)[0]

    @property
    def coef_grads(self):
        return self.parameter_views(self.grad)[0]

    def normalization(self):
        _, _, gammas, betas = self.parameter_views(self.theta)
        return list(zip(gammas, betas, *self.running_views(self.running)))

    def snapshot(self):
        xp = self.xp
        return xp.asarray(self.theta, copy=True), xp.asarray(self.running, copy=True)

    def restore(self, snapshot):
        self.theta, self.running = (self.xp.asarray(a, copy=True) for a in snapshot)

    def update_running_statistics(self):
        if self.batch_norm:
            momentum = self.batch_norm_momentum
            self.running = momentum * self.running + (1 - momentum) * self._batch_stats

    def all_finite(self):
        return bool(self.xp.all(self.xp.isfinite(self.theta)))

    def layer_grad_norms(self):
        """Each layer's ``||dW||_2``, a 1-D array on the device."""
        xp = self.xp
        return xp.stack([xp.sqrt(xp.sum(dW * dW)) for dW in self.coef_grads])

    def clip_gradient(self, max_norm):
        """Rescale ``grad`` to a global norm of at most ``max_norm``, on the
        device (no comparison on the host)."""
        xp = self.xp
        total = xp.sqrt(xp.sum(self.grad * self.grad))
        self.grad = self.grad * xp.minimum(max_norm / total, xp.ones_like(total))

    # -- prediction -------------------------------------------------------------

    def forward(self, X):
        coefs, intercepts, _, _ = self.parameter_views(self.theta)
        return forward(
            self.xp, coefs, intercepts, X, self.activation, self.out_activation,
            batch_norm=self.normalization() if self.batch_norm else None,
            batch_norm_epsilon=self.batch_norm_epsilon,
        )  # fmt: skip

    # -- cost and gradient ------------------------------------------------------

    def _shares(self, m, sample_weight):
        if not self.batch_norm:
            return None
        return (
            1.0 / m
            if sample_weight is None
            else sample_weight / self.xp.sum(sample_weight)
        )

    def _weighted_mean(self, shares, A):
        if isinstance(shares, float):
            return self.xp.sum(A, axis=0) * shares
        return shares @ A

    def _normalize_train(self, l, Z, shares, gamma, beta):
        """Batch-normalize ``Z``; return it and what backprop needs."""
        xp = self.xp
        mean = self._weighted_mean(shares, Z)
        centered = Z - mean
        var = self._weighted_mean(shares, centered * centered)
        inv_std = 1 / xp.sqrt(var + self.batch_norm_epsilon)
        scale = gamma * inv_std
        return centered * scale + beta, (mean, var, centered, inv_std, scale)

    def _forward_train(self, X, rng, shares, batch_statistics=True):
        xp = self.xp
        coefs, intercepts, gammas, betas = self.parameter_views(self.theta)
        hidden = HIDDEN_ACTIVATIONS[self.activation][0]
        cache = {"inputs": [X], "acts": [], "masks": [], "bn": []}
        A, last = X, self.n_weight_layers - 1
        for l in range(self.n_weight_layers):
            Z = A @ coefs[l]
            if l == last:
                Z = Z + intercepts[l]
                break
            if not self.batch_norm:
                Z = Z + intercepts[l]
            elif batch_statistics:
                Z, bn = self._normalize_train(l, Z, shares, gammas[l], betas[l])
                cache["bn"].append(bn)
            else:
                Z = normalize_inference(
                    xp, Z, *self.normalization()[l], self.batch_norm_epsilon
                )
            A = hidden(Z, xp)
            cache["acts"].append(A)
            mask = (
                None
                if rng is None
                else self._masks.draw(A.shape, self.keep_prob[l], rng)
            )
            cache["masks"].append(mask)
            A = A if mask is None else A * mask
            cache["inputs"].append(A)
        if cache["bn"]:
            stats = [bn[0] for bn in cache["bn"]] + [bn[1] for bn in cache["bn"]]
            self._batch_stats = xp.concat(stats)
        output, lse = output_activation(Z, self.out_activation, xp)
        return cache, Z, output, lse

    def _data_cost(self, logits, output, lse, Y, sample_weight, m_eff):
        xp = self.xp
        if self.loss == "log_loss":
            if sample_weight is None:
                return (xp.sum(lse) - xp.sum(Y * logits)) / m_eff
            losses = lse - xp.sum(Y * logits, axis=1)
        elif self.loss == "binary_log_loss":
            losses = xp.sum(
                xp.logaddexp(xp.zeros_like(logits), logits) - Y * logits, axis=1
            )
        elif self.loss == "squared_error":
            losses = 0.5 * xp.sum((output - Y) ** 2, axis=1)
        else:
            safe = xp.where(Y > 0, Y, xp.ones_like(Y))
            xlogy = xp.where(Y > 0, Y * xp.log(safe), xp.zeros_like(Y))
            losses = xp.sum(xlogy - Y * logits - Y + output, axis=1)
        if sample_weight is None:
            return xp.sum(losses) / m_eff
        return xp.sum(sample_weight * losses) / m_eff

    def _penalty_weights(self, m_eff):
        alpha, r = self.alpha, self.l1_ratio
        if self.penalty is None or alpha == 0:
            return 0.0, 0.0
        return {
            "l2": (0.0, alpha / m_eff),
            "l1": (alpha / m_eff, 0.0),
            "elasticnet": (alpha / m_eff * r, alpha / m_eff * (1 - r)),
        }[self.penalty]

    def _penalty_value(self, coefs, m_eff):
        xp = self.xp
        l1_weight, l2_weight = self._penalty_weights(m_eff)
        total = 0.0
        for W in coefs:
            if l1_weight:
                total = total + l1_weight * xp.sum(xp.abs(W))
            if l2_weight:
                total = total + l2_weight / 2 * xp.sum(W * W)
        return total

    def _m_eff(self, m, sample_weight):
        # The weighted count stays on the device: no synchronisation.
        return float(m) if sample_weight is None else self.xp.sum(sample_weight)

    def cost(self, X, Y, sample_weight=None, *, batch_statistics=True):
        """J at the current ``theta`` (no dropout), a 0-d array."""
        m_eff = self._m_eff(X.shape[0], sample_weight)
        shares = self._shares(X.shape[0], sample_weight)
        _, logits, output, lse = self._forward_train(
            X, None, shares, batch_statistics=batch_statistics
        )
        J = self._data_cost(logits, output, lse, Y, sample_weight, m_eff)
        return J + self._penalty_value(self.coefs, m_eff)

    def cost_and_grad(self, X, Y, sample_weight=None, rng=None):
        """J (a 0-d array) and ``self.grad`` by backpropagation."""
        m_eff = self._m_eff(X.shape[0], sample_weight)
        shares = self._shares(X.shape[0], sample_weight)
        cache, logits, output, lse = self._forward_train(X, rng, shares)
        J = self._data_cost(logits, output, lse, Y, sample_weight, m_eff)
        J = J + self._penalty_value(self.coefs, m_eff)
        self._backward(cache, output, Y, sample_weight, m_eff, shares)
        return J

    def _backward(self, cache, output, Y, sample_weight, m_eff, shares):
        xp = self.xp
        coefs = self.coefs
        hidden_backward = HIDDEN_ACTIVATIONS[self.activation][1]
        L = self.n_weight_layers
        dWs, dbs, dgammas, dbetas = [None] * L, [None] * L, [], []
        delta = output - Y
        delta = (
            delta / m_eff
            if sample_weight is None
            else delta * (sample_weight / m_eff)[:, None]
        )
        for l in range(L - 1, -1, -1):
            dWs[l] = cache["inputs"][l].T @ delta
            if self.batch_norm and l < L - 1:
                dbs[l] = xp.zeros(delta.shape[1], dtype=self.dtype, device=self.device)
            else:
                dbs[l] = xp.sum(delta, axis=0)
            if l == 0:
                break
            delta = delta @ coefs[l].T
            if cache["masks"][l - 1] is not None:
                delta = delta * cache["masks"][l - 1]
            delta = hidden_backward(cache["acts"][l - 1], delta, xp)
            if self.batch_norm:
                delta, dgamma, dbeta = self._normalize_backward(
                    cache["bn"][l - 1], delta, shares
                )
                dgammas.insert(0, dgamma)
                dbetas.insert(0, dbeta)
        l1_weight, l2_weight = self._penalty_weights(m_eff)
        for l, W in enumerate(coefs):
            if l2_weight:
                dWs[l] = dWs[l] + W * l2_weight
            if l1_weight:
                dWs[l] = dWs[l] + xp.sign(W) * l1_weight
        parts = [xp.reshape(dW, (-1,)) for dW in dWs] + dbs + dgammas + dbetas
        self.grad = xp.concat(parts)

    def _normalize_backward(self, bn, delta, shares):
        xp = self.xp
        _, _, centered, inv_std, scale = bn
        dbeta = xp.sum(delta, axis=0)
        dgamma = xp.sum(delta * centered, axis=0) * inv_std
        correction = centered * (dgamma * inv_std) + dbeta
        correction = correction * (
            shares if isinstance(shares, float) else shares[:, None]
        )
        return (delta - correction) * scale, dgamma, dbeta

    def hidden_activations(self, X):
        cache, *_ = self._forward_train(X, None, self._shares(X.shape[0], None))
        return cache["acts"]


class _MaskSource:
    """Dropout masks ``(u < keep_prob) / keep_prob`` drawn on the device.

    torch draws on the device from its own generator, seeded once from the
    fit's random state; other namespaces draw with numpy and move the mask.
    """

    def __init__(self, xp, device, dtype, seed):
        self.xp, self.device, self.dtype = xp, device, dtype
        self._generator = None
        if "torch" in getattr(xp, "__name__", ""):
            import torch

            self._generator = torch.Generator(device=device)
            self._generator.manual_seed(int(seed))

    def draw(self, shape, keep_prob, rng):
        if keep_prob >= 1.0:
            return None
        xp = self.xp
        if self._generator is not None:
            import torch

            u = torch.rand(
                shape, generator=self._generator, device=self.device, dtype=self.dtype
            )
        else:
            u = xp.asarray(
                rng.random_sample(shape), dtype=self.dtype, device=self.device
            )
        return xp.astype(u < keep_prob, self.dtype) / keep_prob


class ArrayMiniBatches:
    """``MiniBatches`` of data on the device.

    The shuffled order is drawn on the host (the same permutation as the
    numpy loop's) and moved to the device once per epoch; each batch is a
    gather on the device.  Zero-weight batches are found from a host copy of
    the weights, so nothing waits for the device.
    """

    def __init__(self, X, Y, sample_weight, batch_size, *, shuffle, rng, rows=None):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.shuffle, self.rng = shuffle, rng
        self.xp, self.device = Y.xp, Y.device
        self._gathered = shuffle or rows is not None
        n_rows = X.shape[0]
        self.indices = (
            np.arange(n_rows, dtype=np.int32)
            if rows is None
            else (np.array(rows, dtype=np.int32))
        )
        n = self.n_samples = len(self.indices)
        self.slices = [
            slice(i, min(i + batch_size, n)) for i in range(0, n, batch_size)
        ]
        self.batch_rows = min(batch_size, n)
        self._host_weights = None if sample_weight is None else to_numpy(sample_weight)
        self.n_seen = 0

    def __iter__(self):
        xp = self.xp
        if self.shuffle:
            self.rng.shuffle(self.indices)
        order = xp.asarray(self.indices.astype(np.int64), device=self.device)
        sw = self.sample_weight
        for batch in self.slices:
            if sw is not None:
                if not np.sum(self._host_weights[self.indices[batch]]) > 0:
                    continue
            if not self._gathered:
                yield (
                    self.X[batch, ...],
                    self.Y.rows(batch),
                    (None if sw is None else sw[batch]),
                )
                continue
            rows = order[batch]
            yield (
                xp.take(self.X, rows, axis=0),
                self.Y.rows(rows),
                (None if sw is None else xp.take(sw, rows)),
            )
        self.n_seen += self.n_samples


def on_device(optimizer, xp, device):
    """The optimizer ``optimizer`` (fresh, numpy state) with its state moved
    to ``device``; its update then runs in ``xp``, in one piece."""
    for name in ("velocity", "square_average", "first_moment", "second_moment"):
        if hasattr(optimizer, name):
            setattr(
                optimizer,
                name,
                xp.asarray(getattr(optimizer, name), device=device, copy=True),
            )
    optimizer._scratch = None
    return optimizer
