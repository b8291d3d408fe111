"""Sphinx configuration of the sklearn_dnn documentation."""

import os
import sys
import warnings

sys.path.insert(0, os.path.abspath(".."))

import sklearn_dnn  # noqa: E402

project = "sklearn_dnn"
author = "The sklearn_dnn developers"
copyright = "2026, The sklearn_dnn developers"
version = release = sklearn_dnn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
html_theme = "pydata_sphinx_theme"
html_static_path = ["_static"]
html_title = "sklearn_dnn"

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
}
# Offline builds must not fail on the inventories: keep them optional.
if os.environ.get("SKLEARN_DNN_DOCS_OFFLINE", "1") == "1":
    intersphinx_mapping = {}

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "run_stale_examples": True,
    # The examples run side by side on sphinx-build's -j workers.
    "parallel": True,
    "plot_gallery": os.environ.get("SKLEARN_DNN_DOCS_GALLERY", "True"),
    "download_all_examples": False,
    "remove_config_comments": True,
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("sklearn_dnn",),
}

warnings.filterwarnings("ignore", category=UserWarning, message="Matplotlib")
warnings.filterwarnings("ignore", message=".*ConvergenceWarning.*")
