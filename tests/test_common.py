"""scikit-learn's common estimator checks on every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_dnn import DNNClassifier, DNNRegressor

# Small, fast settings, in the spirit of imbalanced-learn's INIT_PARAMS. The
# stochastic instances use one full batch without shuffling, so fitting with
# integer sample weights is exactly fitting on repeated rows (scikit-learn
# runs its own MLP through that check with lbfgs only); the lbfgs instances
# are listed as scikit-learn's PER_ESTIMATOR_CHECK_PARAMS asks for its MLP.
FULL_BATCH = {
    "hidden_layer_sizes": (8,),
    "max_iter": 50,
    "batch_size": 10_000,
    "shuffle": False,
    "learning_rate_init": 0.01,
    "random_state": 0,
}
LBFGS = {
    "hidden_layer_sizes": (8,),
    "solver": "lbfgs",
    "max_iter": 50,
    "random_state": 0,
}

ESTIMATORS = [
    DNNClassifier(**FULL_BATCH),
    DNNClassifier(**LBFGS),
    DNNRegressor(**FULL_BATCH),
    DNNRegressor(**LBFGS),
    DNNClassifier(**FULL_BATCH, batch_norm=True),
    DNNClassifier(**FULL_BATCH, solver="rmsprop"),
    DNNRegressor(**FULL_BATCH, solver="rmsprop"),
]


# scikit-learn itself skips two checks here: check_array_api_input (array API
# support is not claimed) and check_decision_function (no decision_function,
# as for MLPClassifier). Nothing is marked as an expected failure.
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
