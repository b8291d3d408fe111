"""scikit-learn's callback API (``sklearn.callback``) around our training.

The fit is the root task; each epoch is an ``"epoch"`` subtask, and each
L-BFGS iteration an ``"lbfgs-iter"`` subtask, as in scikit-learn's
``LogisticRegression``.  Every task end passes ``reconstruction_attributes``
(the fitted attributes as they are at that point) so that a callback such as
``ScoringMonitor`` can score the model after every epoch.
"""

from .callbacks import Callback


class _TaskReporter:
    """Begin and end scikit-learn tasks named ``task_name`` under ``context``.

    ``examples.callback_data`` (``X``, ``y``, ``metadata``) are handed to
    the hooks; ``fitted_attributes(net)`` returns what a copy of the estimator needs to
    predict with ``net``'s current parameters (its reconstruction attributes).
    """

    task_name = None

    def __init__(self, context, estimator, examples, fitted_attributes):
        self.context = context
        self.estimator = estimator
        self.data = examples.callback_data
        self.fitted_attributes = fitted_attributes

    def _begin(self):
        task = self.context.subcontext(task_name=self.task_name)
        task.call_on_fit_task_begin(estimator=self.estimator, **self.data)
        return task

    def _end(self, task, net):
        return task.call_on_fit_task_end(
            estimator=self.estimator,
            **self.data,
            reconstruction_attributes=lambda: self.fitted_attributes(net),
        )


class EpochTasks(_TaskReporter, Callback):
    """Report each epoch as an ``"epoch"`` task; a scikit-learn callback whose
    ``on_fit_task_end`` returns True stops training after that epoch."""

    task_name = "epoch"

    def on_epoch_begin(self, epoch, net):
        self._task = self._begin()

    def on_epoch_end(self, epoch, record, net):
        return self._end(self._task, net)


class LbfgsIterationTasks(_TaskReporter):
    """Report each L-BFGS iteration as an ``"lbfgs-iter"`` task.

    ``iteration_ended(net)`` is called after each iteration (from scipy's
    ``callback``); the task begun after the final iteration is closed empty
    by ``close``, so that every begin has its end.
    """

    task_name = "lbfgs-iter"

    def __init__(self, *args):
        super().__init__(*args)
        self._task = self._begin()

    def iteration_ended(self, net):
        self._end(self._task, net)
        self._task = self._begin()

    def close(self):
        self._task.call_on_fit_task_end(estimator=self.estimator)
