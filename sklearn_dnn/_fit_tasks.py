"""scikit-learn's callback API (``sklearn.callback``) around our training.

The fit is the root task; each epoch is an ``"epoch"`` subtask, and each
L-BFGS iteration an ``"lbfgs-iter"`` subtask, as in scikit-learn's
``LogisticRegression``.  Every task end passes ``reconstruction_attributes``
(the fitted attributes as they are at that point) so that a callback such as
``ScoringMonitor`` can score the model after every epoch.
"""

from ._callbacks import Callback


class EpochTasks(Callback):
    """Report each epoch to scikit-learn's callbacks as an ``"epoch"`` task.

    ``fitted_attributes(net)`` returns what a copy of the estimator needs to
    predict with ``net``'s current parameters.  A scikit-learn callback whose
    ``on_fit_task_end`` returns True stops training after that epoch.
    """

    def __init__(self, context, estimator, X, y, metadata, fitted_attributes):
        self.context = context
        self.estimator = estimator
        self.X, self.y, self.metadata = X, y, metadata
        self.fitted_attributes = fitted_attributes
        self._epoch_context = None

    def on_epoch_begin(self, epoch, net):
        self._epoch_context = self.context.subcontext(task_name="epoch")
        self._epoch_context.call_on_fit_task_begin(
            estimator=self.estimator, X=self.X, y=self.y, metadata=self.metadata
        )

    def on_epoch_end(self, epoch, record, net):
        return self._epoch_context.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes=lambda: self.fitted_attributes(net),
        )


class LbfgsIterationTasks:
    """Report each L-BFGS iteration as an ``"lbfgs-iter"`` task.

    Called with the parameters after each iteration (scipy's ``callback``);
    the last task, begun after the final iteration, is closed empty by
    ``close`` so that every begin has its end.
    """

    def __init__(self, context, estimator, X, y, metadata, fitted_attributes):
        self.context = context
        self.estimator = estimator
        self.X, self.y, self.metadata = X, y, metadata
        self.fitted_attributes = fitted_attributes
        self._task = self._begin()

    def _begin(self):
        task = self.context.subcontext(task_name="lbfgs-iter")
        task.call_on_fit_task_begin(
            estimator=self.estimator, X=self.X, y=self.y, metadata=self.metadata
        )
        return task

    def iteration_ended(self, net):
        self._task.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes=lambda: self.fitted_attributes(net),
        )
        self._task = self._begin()

    def close(self):
        self._task.call_on_fit_task_end(estimator=self.estimator)
