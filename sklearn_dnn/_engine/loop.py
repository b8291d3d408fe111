"""The epoch loop of the stochastic solvers (sgd, rmsprop, adam).

Three parts, each readable alone: ``MiniBatches`` yields an epoch's training
batches (shuffled, gathered, augmented), ``train_step`` runs one
forward/backward pass and one optimizer step, and ``run_epochs`` is the epoch
loop, which leaves every decision (recording, clipping, stopping, printing)
to the callbacks of ``_callbacks``.
"""

import functools
import threading
from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp
from threadpoolctl import ThreadpoolController

#: Below this many multiply-adds in a mini-batch's largest product, BLAS runs
#: single-threaded: waking a second thread costs more than it saves there
#: (measured: a 200 x 64 x 100 float32 product takes 30 us on one thread and
#: 45-80 us on two), and the whole small-network fit gets 25% faster.
SINGLE_THREAD_MACS = 4_000_000


@functools.cache
def _blas_controller():
    return ThreadpoolController()


@contextmanager
def _blas_threads_for(net, batch_size):
    """Hold BLAS to one thread while the network's products are small.

    Only in the main thread: threadpoolctl's limits are process-wide, and
    fits running in several threads at once would restore each other's.
    """
    widest = max(a * b for a, b in zip(net.layer_units[:-1], net.layer_units[1:]))
    small = batch_size * widest < SINGLE_THREAD_MACS
    if not small or threading.current_thread() is not threading.main_thread():
        yield
        return
    with _blas_controller().limit(limits=1, user_api="blas"):
        yield


class MiniBatches:
    """An epoch's mini-batches of ``(X, Y, sample_weight)``.

    ``Y`` is an ``EncodedTargets``: each batch's float targets are expanded
    into a buffer.  ``rows``, when given, are the rows of the data to train
    on (in that order); otherwise all of them.  With ``shuffle`` the rows are
    drawn in a new order each epoch and gathered into buffers allocated once;
    without it, batches are slices of the data (or gathered, with ``rows``).
    Batches of zero total weight are skipped (there is nothing to learn from
    them).  ``augment`` sees a batch it may edit: never the caller's rows.
    ``n_seen`` counts the examples of the epochs run.
    """

    def __init__(
        self, X, Y, sample_weight, batch_size, *, shuffle, rng, augment, rows=None
    ):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.shuffle, self.rng, self.augment = shuffle, rng, augment
        self._gathered = shuffle or rows is not None
        # 4-byte indices where they fit: half the memory of the shuffled order
        # (the same permutation: shuffling depends only on the length).
        n_rows = X.shape[0]
        index_dtype = np.int32 if n_rows <= np.iinfo(np.int32).max else np.intp
        if rows is None:
            self.indices = np.arange(n_rows, dtype=index_dtype)
        else:
            self.indices = np.array(rows, dtype=index_dtype)
        n = self.n_samples = len(self.indices)
        self.slices = [
            slice(i, min(i + batch_size, n)) for i in range(0, n, batch_size)
        ]
        self.batch_rows = min(batch_size, n)
        self._dense = not sp.issparse(X)
        self._X_buffer = (
            np.empty((self.batch_rows, X.shape[1]), X.dtype) if self._dense else None
        )
        self._Y_buffer = np.empty((self.batch_rows, Y.n_outputs), Y.dtype)
        self.n_seen = 0

    def __iter__(self):
        if self.shuffle:
            self.rng.shuffle(self.indices)
        for batch in self.slices:
            X_batch, Y_batch, sw_batch = self._gather(batch)
            if sw_batch is not None and not np.sum(sw_batch) > 0:
                continue
            if self.augment is not None:
                X_batch = _augmented(self.augment, X_batch, self.X, self.rng)
            yield X_batch, Y_batch, sw_batch
        self.n_seen += self.n_samples

    def _gather(self, batch):
        sw = self.sample_weight
        if not self._gathered:
            Y_batch = self.Y.rows(batch, out=self._Y_buffer)
            return self.X[batch], Y_batch, None if sw is None else sw[batch]
        rows = self.indices[batch]
        m = len(rows)
        # mode="clip" (the rows are valid anyway): with the default
        # mode="raise", np.take gathers into a temporary and copies.
        if self._dense:
            X_batch = np.take(self.X, rows, axis=0, out=self._X_buffer[:m], mode="clip")
        else:
            X_batch = self.X[rows]
        Y_batch = self.Y.rows(rows, out=self._Y_buffer)
        return X_batch, Y_batch, None if sw is None else sw[rows]


def train_step(net, optimizer, X_batch, Y_batch, sw_batch, rng, callbacks):
    """One forward/backward pass and one optimizer step; returns the batch's J.

    Batch normalization's running statistics then take in the batch's.
    """
    J = net.cost_and_grad(X_batch, Y_batch, sw_batch, rng=rng)
    for callback in callbacks:
        callback.on_gradient(net, J)
    # The gradient is spent: the optimizer may use it as scratch.
    optimizer.update(net.theta, net.grad, overwrite_grad=True)
    net.update_running_statistics()
    return J


def run_epochs(net, optimizer, batches, callbacks, *, n_epochs, epoch_start=0):
    """Train ``net`` in place for at most ``n_epochs`` epochs.

    Returns the history: one dict per epoch, ``{"epoch", "loss"}`` (the mean
    J over the epoch's examples) and what the callbacks add.  Training stops
    early after an epoch whose ``on_epoch_end`` returned True for any callback.
    BLAS runs single-threaded while the network's products are small.
    """
    history = []
    with _blas_threads_for(net, batches.batch_rows):
        for epoch in range(epoch_start, epoch_start + n_epochs):
            for callback in callbacks:
                callback.on_epoch_begin(epoch, net)
            total = 0.0
            for X_batch, Y_batch, sw_batch in batches:
                J = train_step(
                    net, optimizer, X_batch, Y_batch, sw_batch, batches.rng, callbacks
                )
                total += J * X_batch.shape[0]
            # The one transfer of the epoch: its cost (a 0-d device array
            # when the network trains in another array namespace).
            record = {"epoch": epoch, "loss": float(total) / batches.n_samples}
            history.append(record)
            optimizer.iteration_ends(batches.n_seen)
            stops = [cb.on_epoch_end(epoch, record, net) for cb in callbacks]
            if any(stops):
                break
    for callback in callbacks:
        callback.on_train_end(net, history)
    return history


def _augmented(augment, X_batch, X, rng):
    """Return ``augment.augment`` of a batch the augmenter may edit freely.

    A batch that shares memory with the caller's ``X`` (a slice when
    ``shuffle=False``) is copied first, so an augmenter that edits its input
    in place never changes the caller's data.
    """
    if sp.issparse(X_batch) or np.may_share_memory(X_batch, X):
        X_batch = X_batch.copy()
    new = augment.augment(X_batch, rng)
    new = np.asarray(new.toarray() if sp.issparse(new) else new, dtype=X_batch.dtype)
    if new.shape != X_batch.shape:
        raise ValueError(
            f"augment.augment returned shape {new.shape} for a batch of shape "
            f"{X_batch.shape}; it must keep the shape."
        )
    return new
