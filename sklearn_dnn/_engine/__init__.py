"""The training engine: the network's maths and the loop that trains it.

Leaves that import nothing from the rest of the package: the estimators
(``sklearn_dnn._multilayer``) turn scikit-learn inputs into the engine's
arrays and its results into fitted attributes.
"""
