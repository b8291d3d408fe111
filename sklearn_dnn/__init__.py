"""sklearn_dnn: build and improve deep neural networks the scikit-learn way."""

__version__ = "0.1.0"

__all__ = [
    "__version__",
]
