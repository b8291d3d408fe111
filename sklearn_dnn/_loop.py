"""The epoch loop of the stochastic solvers (sgd, adam).

Per epoch: shuffle, then per mini-batch gather, augment, forward/backward,
gradient hooks, optimizer step; then the epoch hooks and the schedule.
"""

import functools
import threading
from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp
from threadpoolctl import ThreadpoolController

from ._progress import notify_epoch


class TrainingDiverged(ArithmeticError):
    """The cost J became non-finite during training."""


#: How many times its first value J may grow before training counts as
#: diverged.  Honest training lowers J; growth by eight orders of magnitude
#: only happens when the steps are far too large.
BLOW_UP_FACTOR = 1e8


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


def _batch_slices(n, batch_size):
    return [slice(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]


def run_epochs(net, optimizer, X, Y, sample_weight, *, batch_size, **options):
    """Train ``net`` in place for at most ``n_epochs`` epochs.

    See ``_epoch_loop`` for the options and the result; this runs it with
    BLAS single-threaded when the network's products are small.
    """
    with _blas_threads_for(net, min(batch_size, X.shape[0])):
        return _epoch_loop(
            net, optimizer, X, Y, sample_weight, batch_size=batch_size, **options
        )


def _epoch_loop(
    net,
    optimizer,
    X,
    Y,
    sample_weight,
    *,
    n_epochs,
    batch_size,
    shuffle,
    rng,
    augment,
    grad_hooks,
    epoch_hooks,
    stop_hook,
    t_start,
    epoch_start=0,
    verbose=0,
):
    """Train ``net`` in place for at most ``n_epochs`` epochs.

    Returns ``(history, t)``: one dict per epoch (``loss``, and what the epoch
    hooks add; the first also has ``start_loss``, J of the first mini-batch
    before any step) and the number of examples seen.  Raises ``TrainingDiverged``
    as soon as J is not finite or has blown up to ``BLOW_UP_FACTOR`` times
    its first value (or 1, if that was smaller): weights that large are
    finite but worthless.
    """
    n = X.shape[0]
    slices = _batch_slices(n, batch_size)
    dense = not sp.issparse(X)
    X_batch_buffer = (
        np.empty((min(batch_size, n), X.shape[1]), X.dtype) if dense else None
    )
    Y_batch_buffer = np.empty((min(batch_size, n), Y.shape[1]), Y.dtype)
    indices = np.arange(n)
    history, t = [], t_start
    blow_up_level = None
    for epoch in range(epoch_start, epoch_start + n_epochs):
        if shuffle:
            rng.shuffle(indices)
        accumulated = 0.0
        for batch in slices:
            m = batch.stop - batch.start
            if shuffle:
                rows = indices[batch]
                # mode="clip" (the rows are valid anyway): with the default
                # mode="raise", np.take gathers into a temporary and copies.
                if dense:
                    X_batch = np.take(
                        X, rows, axis=0, out=X_batch_buffer[:m], mode="clip"
                    )
                else:
                    X_batch = X[rows]
                Y_batch = np.take(Y, rows, axis=0, out=Y_batch_buffer[:m], mode="clip")
                sw_batch = None if sample_weight is None else sample_weight[rows]
            else:
                X_batch, Y_batch = X[batch], Y[batch]
                sw_batch = None if sample_weight is None else sample_weight[batch]
            if sw_batch is not None and not np.sum(sw_batch) > 0:
                continue  # zero total weight: no data to learn from (and m = 0)
            if augment is not None:
                X_batch = _augmented(augment, X_batch, X, rng)
            J = net.cost_and_grad(X_batch, Y_batch, sw_batch, rng=rng)
            if not np.isfinite(J):
                raise TrainingDiverged(f"the cost J became {J} at epoch {epoch + 1}")
            if blow_up_level is None:
                start_loss = J
                blow_up_level = BLOW_UP_FACTOR * max(J, 1.0)
            elif J > blow_up_level:
                raise TrainingDiverged(
                    f"the cost J blew up to {J:.3g} at epoch {epoch + 1}, from "
                    f"{blow_up_level / BLOW_UP_FACTOR:.3g} or less"
                )
            for hook in grad_hooks:
                hook.on_grad_computed(net)
            optimizer.update(net.theta, net.grad)
            accumulated += J * m
        t += n
        record = {"epoch": epoch, "loss": accumulated / n, "net": net}
        if not history and blow_up_level is not None:
            record["start_loss"] = start_loss
        stalled = False
        for hook in epoch_hooks:
            stalled = hook.on_epoch_end(record) or stalled
        del record["net"]
        history.append(record)
        optimizer.iteration_ends(t)
        notify_epoch(epoch - epoch_start + 1, n_epochs, record["loss"])
        if verbose:
            print(f"Iteration {epoch + 1}, loss = {record['loss']:.8f}")
        if stalled and stop_hook is not None:
            if optimizer.trigger_stopping(
                f"No improvement for {stop_hook.n_iter_no_change} consecutive epochs.",
                verbose,
            ):
                break
            stop_hook.reset()
    return history, t


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
