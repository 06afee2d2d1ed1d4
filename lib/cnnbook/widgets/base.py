"""The base class of every interactive widget in the book.

A widget here is a plain Python object that owns an ipywidgets container
(``self.ui``). Displaying it sends two representations at once:

- the live widget view (``application/vnd.jupyter.widget-view+json``), which
  JupyterLab, Jupyter Notebook, VS Code and Colab render with their widget
  manager;
- a static ``text/html`` stand-in (:meth:`BookWidget.fallback_html`: a
  precomputed animation or frame strip), which the HTML book shows instead
  (``_config.yml`` ranks ``text/html`` first for the HTML builder), so the
  page teaches without a kernel.

This works the same under ipywidgets 7.7 (Colab) and 8.
"""
import time

__all__ = ["BookWidget"]


class BookWidget:
    """Base class: subclasses build ``self.ui`` once in ``__init__``.

    Subclasses implement :meth:`fallback_html`, :meth:`example` and
    :meth:`benchmark_actions`; they update by setting ``.value`` of existing
    ``ipywidgets.HTML``/``Image`` children, never by rebuilding figures.
    """

    ui = None

    def fallback_html(self):
        """Static HTML (animation or frames) shown in place of the live widget."""
        raise NotImplementedError

    @classmethod
    def example(cls):
        """An instance on bundled data, for the benchmark and the tests."""
        raise NotImplementedError

    def benchmark_actions(self):
        """Zero-argument callables, each one control change through to the new picture."""
        raise NotImplementedError

    def _repr_mimebundle_(self, include=None, exclude=None):
        if self.ui is None:
            raise RuntimeError(f"{type(self).__name__} did not build its user interface (self.ui)")
        return {
            "text/plain": f"{type(self).__name__} (interactive widget: run the notebook to use it)",
            # The wrapper lets the browser test find every widget's stand-in.
            "text/html": f'<div class="cnnbook-fallback" data-widget="{type(self).__name__}">'
                         f"{self.fallback_html()}</div>",
            "application/vnd.jupyter.widget-view+json": {
                "version_major": 2,
                "version_minor": 0,
                "model_id": self.ui.model_id,
            },
        }

    @staticmethod
    def time_ms(action, repeat=1):
        """Milliseconds one call of ``action`` takes (median of ``repeat`` calls)."""
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            action()
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        return timings[len(timings) // 2]
