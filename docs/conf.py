# Sphinx + MyST-NB over the same notebooks nbdev exports from (tools/build_docs.py stages them; `make docs`).
project = "reasonlab"
author = "reasonlab"
extensions = ["myst_nb", "sphinx.ext.autodoc"]
nb_execution_mode = "off"  # notebooks are shown as committed (paper pages: as last executed by `make reproduce`)
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
html_theme = "sphinx_book_theme"
html_title = "reasonlab"
html_theme_options = {"show_toc_level": 2}
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "undoc-members": False}
autodoc_typehints = "signature"
suppress_warnings = ["myst.header", "misc.highlighting_failure", "mystnb.unknown_mime_type", "toc.not_included",
                     "myst.xref_missing", "docutils"]
exclude_patterns = ["_build"]
