"""Sphinx configuration of the course as a book: `python scripts/build_book.py` builds it (see book/README.md).

The build script stages the pages in build/book-src/ (the front page, the executed lectures, the assignments'
student versions, BENCHMARKS.md) and runs Sphinx on them with this folder as the configuration folder. Nothing is
executed here and nothing is fetched: MathJax comes from the sphinx-mathjax-offline package, the theme's assets
from sphinx-book-theme.
"""
project = "Deep learning, run rather than read"
author = "the dl-course maintainers"
copyright = "the dl-course maintainers, MIT licence"

extensions = ["myst_nb", "sphinx-mathjax-offline"]  # the second serves MathJax from _static/mathjax/
exclude_patterns = ["_front.md", "**/.ipynb_checkpoints"]

nb_execution_mode = "off"  # scripts/build_book.py passes executed copies (build/executed/)
nb_merge_streams = True
# tqdm's widget needs the ipywidgets JavaScript from a CDN: show its plain-text form instead, load nothing
nb_ipywidgets_js = {}
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
myst_dmath_double_inline = True  # `$$ ... $$` inside a paragraph, as Jupyter renders it

html_theme = "sphinx_book_theme"
html_title = project
html_copy_source = False  # no _sources/ copies of the notebooks: the site stays small
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": True,
    "home_page_in_toc": True,
}
