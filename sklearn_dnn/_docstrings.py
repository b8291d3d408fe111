"""How the estimators present themselves: shared docstring text and the
subclasses' constructor signatures."""

import inspect

__all__ = ["constructor_for", "fill_docstring"]


def fill_docstring(cls):
    """Put the shared parameter and attribute text into ``cls``'s docstring.

    Parameters
    ----------
    cls : type
        A class whose docstring has ``{parameters}`` and ``{attributes}``
        fields. Under ``python -OO`` docstrings are stripped (``__doc__`` is
        None) and the class is left as it is.

    Returns
    -------
    cls : type
        The same class.
    """
    if cls.__doc__ is not None:
        cls.__doc__ = cls.__doc__.format(
            parameters=NETWORK_PARAMETERS, attributes=FITTED_ATTRIBUTES
        )
    return cls


NETWORK_PARAMETERS = """\
hidden_layer_sizes : array-like of int, default=(100,)
        The ``i``-th element is the number of units of the ``i``-th hidden
        layer; an empty sequence gives a network with no hidden layer.

    activation : {"relu", "leaky_relu", "tanh", "logistic", "identity"}, \
default="relu"
        Activation of the hidden layers (``leaky_relu`` has slope 0.01 below 0).

    init : {"auto", "he", "xavier", "glorot_uniform", "zeros", "normal"} or \
callable, default="auto"
        Weight initialisation. ``"he"``: ``N(0, 2/n[l-1])``; ``"xavier"``:
        ``N(0, 1/n[l-1])``; ``"glorot_uniform"``: scikit-learn's MLP scheme,
        ``U(-b, b)`` with ``b = sqrt(6 / (n[l-1] + n[l]))`` (2 in place of
        6 for "logistic"); ``"zeros"``: all zeros (symmetry is never
        broken); ``"normal"``: ``0.01 * N(0, 1)``; ``"auto"``:
        ``"glorot_uniform"``, chosen by measurement (with the default network
        on digits, breast cancer, wine, diabetes and a synthetic 10-class
        set, raw and standardized, it beat He by up to 8 points and was
        never below it by more than one standard deviation). A
        callable ``init(n_in, n_out, rng) -> W`` returns the ``(n_in, n_out)``
        weights of one layer. Biases start at zero, except a regressor's
        output biases, which start at the mean target (its log for
        "poisson").

    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        Weight penalty added to the cost ``J`` (biases are never penalised),
        with ``m`` the (weighted) number of examples of the mini-batch:
        ``alpha/(2m) sum ||W||_F^2`` (l2), ``alpha/m sum ||W||_1`` (l1),
        ``alpha/m (l1_ratio sum ||W||_1 + (1 - l1_ratio)/2 sum ||W||_F^2)``
        (elasticnet).

    alpha : float, default=1e-4
        The regularization strength lambda (non-negative).

    l1_ratio : float, default=0.15
        Mix of L1 in the elastic-net penalty; used only with
        ``penalty="elasticnet"``.

    keep_prob : float or array-like of float, default=1.0
        Keep probability of inverted dropout on the hidden activations during
        training: ``a = a * d / keep_prob`` with ``d = rand < keep_prob``. One
        value for all hidden layers or one per hidden layer, each in (0, 1].
        Prediction never drops units, and a layer with ``keep_prob=1`` draws
        no mask. Needs a stochastic solver ("sgd", "rmsprop" or "adam").

    solver : {"sgd", "rmsprop", "adam", "lbfgs"}, default="adam"
        The optimizer. "rmsprop": ``s = rho s + (1 - rho) g**2``,
        ``theta -= lr g / (sqrt(s) + epsilon)``. "lbfgs" is full-batch
        (scipy's L-BFGS-B); it ignores the mini-batch options,
        ``early_stopping``, ``max_grad_norm`` and ``augment``, and does not
        take ``batch_norm``.

    batch_size : int or "auto", default="auto"
        Mini-batch size of the stochastic solvers; "auto" is
        ``min(200, n_samples)``.

    learning_rate : {"constant", "invscaling", "adaptive", "inverse_time", \
"exponential"}, default="constant"
        Learning-rate schedule. "invscaling" and "adaptive" are
        scikit-learn's, for ``solver="sgd"`` only. The decays apply to every
        stochastic solver, with ``epoch`` the number of completed epochs
        (counting on through ``partial_fit`` and ``warm_start``):
        "inverse_time" is ``learning_rate_init / (1 + decay_rate * epoch)``
        and "exponential" is ``learning_rate_init * decay_rate ** epoch``
        (for "adam", the rate its bias correction scales).

    learning_rate_init : float, default=1e-3
        Initial learning rate of the stochastic solvers.

    power_t : float, default=0.5
        Exponent of the "invscaling" schedule.

    max_iter : int, default=200
        Maximum number of epochs (iterations for "lbfgs").

    shuffle : bool, default=True
        Whether to shuffle the examples at each epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation, the dev split, shuffling, dropout masks and
        augmentation, drawn in that order from one random state. Pass an int
        for reproducible, bit-identical results.

    tol : float, default=1e-4
        The improvement that counts. Without ``early_stopping``, training has
        stalled when, over the last ``n_iter_no_change`` epochs, no cost fell
        below the best cost by ``tol`` (scikit-learn's rule) and their mean
        cost is not below the mean of the ``n_iter_no_change`` epochs before
        them by ``tol`` (so that a cost that oscillates while it falls is not
        taken for a plateau); with ``early_stopping``, an epoch whose dev
        score does not beat the best by ``tol`` counts as no improvement. The
        gradient tolerance of "lbfgs".

    verbose : int, default=0
        Print the cost after every epoch when positive.

    warm_start : bool, default=False
        Start ``fit`` from the previous solution (with a new optimizer that
        uses the current ``learning_rate_init``).

    momentum : float, default=0.9
        Momentum of "sgd", in [0, 1].

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with "sgd".

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data as a dev set
        (stratified for single-output classifiers), stop after
        ``n_iter_no_change`` epochs without an improvement of the dev score
        by ``tol``, and restore the parameters of the epoch with the best dev
        score.

    validation_fraction : float, default=0.1
        Fraction of the training data held out with ``early_stopping``.

    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of Adam's first and second moment estimates, in [0, 1).

    epsilon : float, default=1e-8
        The numerical-stability constant of "adam" and "rmsprop".

    n_iter_no_change : int, default=10
        The window of epochs over which improvement is judged (see ``tol``).

    max_grad_norm : float or None, default=None
        If set, the whole gradient is rescaled before each update so that its
        global L2 norm is at most this value (against exploding gradients).

    augment : object with an ``augment(X_batch, random_state)`` method or None, \
default=None
        Applied to each training mini-batch only, never to the dev set nor in
        ``predict``; for example :class:`~sklearn_dnn.ImageAugmenter`.

    batch_norm : bool, default=False
        Batch-normalize each hidden layer's ``Z`` before its activation:
        ``Z_norm = (Z - mu_B) / sqrt(var_B + batch_norm_epsilon)`` with the
        mini-batch's (sample-weighted, biased) mean and variance, then
        ``gamma * Z_norm + beta``. The hidden biases are not used (their
        ``intercepts_`` stay 0); ``gamma`` starts at 1 and ``beta`` at 0,
        neither penalized. Prediction uses running statistics. Needs a
        stochastic solver.

    batch_norm_momentum : float, default=0.9
        After every training step, ``run = batch_norm_momentum * run +
        (1 - batch_norm_momentum) * batch`` for the running mean and variance
        (which start at 0 and 1).

    batch_norm_epsilon : float, default=1e-5
        Added to the variance before its square root (positive).

    rho : float, default=0.9
        Decay rate of RMSprop's mean of squared gradients, in [0, 1); used by
        ``solver="rmsprop"`` only.

    decay_rate : float or None, default=None
        Decay rate of the "inverse_time" and "exponential" schedules; None
        means 1.0 and 0.95 respectively."""

FITTED_ATTRIBUTES = """\
loss_ : float
        The cost J (penalty included) of the last epoch.

    best_loss_ : float or None
        The lowest cost reached; with early stopping, the cost of the best
        epoch.

    loss_curve_ : ndarray of shape (`n_iter_`,)
        The cost J, penalty included, averaged over each epoch's mini-batches
        (one value per iteration for "lbfgs").

    validation_scores_ : ndarray of shape (`n_iter_`,) or None
        Dev-set score after each epoch (``early_stopping`` only).

    validation_loss_curve_ : ndarray of shape (`n_iter_`,) or None
        Dev-set cost J after each epoch (``early_stopping`` only).

    best_validation_score_ : float or None
        The best dev-set score; the restored model scores exactly this on the
        dev set.

    best_epoch_ : int or None
        Index (from 0, into ``loss_curve_``) of the epoch whose parameters
        were restored by early stopping.

    gradient_norms_ : ndarray of shape (`n_iter_`, `n_layers_` - 1)
        Mean L2 norm of each layer's ``dW`` per epoch, before clipping.

    t_ : int
        Number of training examples seen by the solver.

    coefs_ : list of ndarray of shape (n[l-1], n[l])
        ``W[l]`` is ``coefs_[l-1]``.

    intercepts_ : list of ndarray of shape (n[l],)
        ``b[l]`` is ``intercepts_[l-1]``.

    batch_norm_gamma_, batch_norm_beta_ : list of ndarray of shape (n[l],) or None
        Batch normalization's scale and shift of each hidden layer (None
        without ``batch_norm``).

    batch_norm_mean_, batch_norm_var_ : list of ndarray of shape (n[l],) or None
        The running mean and variance of each hidden layer's ``Z``, used for
        prediction (None without ``batch_norm``).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when they are all strings.

    n_iter_ : int
        Number of epochs (iterations for "lbfgs") run.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units.

    out_activation_ : str
        Activation of the output layer."""


def constructor_for(cls, base_init, extra_parameters):
    """Return ``base_init`` as ``cls.__init__``, with ``extra_parameters``.

    The subclasses share ``BaseDNN``'s parameters; ``extra_parameters``
    (name -> default) adds keyword-only ones of their own, such as the
    regressor's ``loss``.  The signature is what scikit-learn's ``get_params``
    reads, and a mistyped parameter is reported under the subclass's name,
    not ``BaseDNN``'s.
    """
    base_signature = inspect.signature(base_init)
    parameters = list(base_signature.parameters.values())
    first_keyword = next(
        i for i, p in enumerate(parameters) if p.kind is p.KEYWORD_ONLY
    )
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
        for name, default in extra_parameters.items()
    ]
    signature = base_signature.replace(
        parameters=[*parameters[:first_keyword], *extra, *parameters[first_keyword:]]
    )

    def __init__(self, *args, **kwargs):
        try:
            arguments = signature.bind(self, *args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{cls.__name__}.__init__() {exc}") from None
        arguments.apply_defaults()
        arguments = dict(arguments.arguments)
        for name in extra_parameters:
            setattr(self, name, arguments.pop(name))
        base_init(**arguments)

    __init__.__signature__ = signature
    __init__.__qualname__ = f"{cls.__name__}.__init__"
    __init__.__doc__ = base_init.__doc__
    return __init__
