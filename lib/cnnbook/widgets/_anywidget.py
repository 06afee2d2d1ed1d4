"""The bridge between the book's widgets and anywidget: one ES module, live and in the static page.

A widget whose front end is JavaScript subclasses :class:`BookAnyWidget` and
names its module, ``cnnbook/widgets/js/<name>.js`` (package data; nothing is
loaded from a CDN). That module exports anywidget's ``render({model, el})``
and runs in two places:

- **live** (JupyterLab, Notebook, VS Code, Colab): anywidget's front end runs
  it with the kernel's model, whose synced traitlets the Python class declares;
- **in the static page** (the HTML book): the display's ``text/html`` part
  inlines the same module with a small local model (``get``, ``set``, ``on``,
  ``off``, ``save_changes``, ``send``; ``change:<trait>`` events fire on
  ``set`` as in anywidget) holding the widget's current state.

Before the module, every widget's ``_esm`` carries the book's prelude
(``js/_prelude.js``): ``cnnbookFrame({model, el})`` applies the projector scale
(the ``_scale`` trait) and draws the one error display (the ``error`` trait),
and returns ``{body, setError}``. A module draws into ``body`` and reports a
refused value with ``setError(text)`` ("" clears it).

Python keeps the traitlets, the input checks (through :mod:`cnnbook._checks`)
and what needs numpy. A subclass lists the traits that make its state in
``_state_traits`` and checks a whole candidate state in :meth:`_validate`;
a change to one of them, from Python or from the page, passes through it (a
guarded observer): a refused value shows the error and the traits go back to
the state held, so what is shown always equals what is held.
:meth:`_quietly` sets traits without that check running.

The ``text/html`` stand-in costs a module's size per display, so it is built
only where it will be seen (``CNNBOOK_STANDINS=1`` or
``build_standins(True)``, as for every widget); its element ids derive from
its content (module, state, scale), never at random. In Colab the custom
widget manager, which third-party widgets need, is switched on at the first
widget (:func:`_enable_colab`).
"""

import base64
import hashlib
import html
import importlib.resources
import sys

import anywidget
import traitlets

from ._base import _ERROR_STYLE, STANDIN_ENV, _json_for_script, _QuietUpdates, _standins_wanted, projector_scale

__all__ = ["BookAnyWidget"]

_COLAB = {"enabled": False}
#: The traits anywidget and ipywidgets declare for themselves: never part of a stand-in's state.
_MACHINERY = frozenset(anywidget.AnyWidget.class_trait_names()) | {"_esm", "_css", "_anywidget_id"}


def _js(name):
    """The text of ``cnnbook/widgets/js/<name>.js``."""
    return importlib.resources.files("cnnbook.widgets").joinpath("js", f"{name}.js").read_text(encoding="utf-8")


def _module_source(name):
    """A widget's ES module as anywidget and the stand-in run it: the book's prelude, then ``js/<name>.js``."""
    prelude = _js("_prelude").replace("CNNBOOK_ERROR_STYLE", _ERROR_STYLE)
    return f"{prelude}\n{_js(name)}"


def _enable_colab():
    """Switch on Colab's custom widget manager (needed by anywidget there) once, when ``google.colab`` is loaded.

    Returns True when Colab is present. Outside Colab it does nothing.
    """
    if "google.colab" not in sys.modules:
        return False
    if not _COLAB["enabled"]:
        from google.colab import output

        output.enable_custom_widget_manager()
        _COLAB["enabled"] = True
    return True


def _json_value(value):
    """A state value for the stand-in's JSON: bytes become ``{"$base64": ...}`` (a DataView in the page, as anywidget)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$base64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


class BookAnyWidget(anywidget.AnyWidget, _QuietUpdates):
    """Base class of the book's anywidgets (see the module docstring).

    Subclasses set ``_module`` (the name of their ``js/<name>.js``), declare
    their synced traits, list in ``_state_traits`` those that make the state,
    and implement :meth:`_validate`, :meth:`example` and
    :meth:`benchmark_actions`.
    """

    #: The module's name: ``cnnbook/widgets/js/<_module>.js``.
    _module = None
    #: The traits that make the widget's state (checked by :meth:`_validate` on every change).
    _state_traits = ()

    #: The error shown now ("" when none): the one error display of the widget.
    error = traitlets.Unicode("").tag(sync=True)
    _scale = traitlets.Float(1.0).tag(sync=True)

    def __init_subclass__(cls, **kwargs):
        if cls.__dict__.get("_module"):
            cls._esm = _module_source(cls._module)
        super().__init_subclass__(**kwargs)

    def __init__(self, **traits):
        _enable_colab()
        super().__init__(_scale=projector_scale(), **traits)
        self._held = {name: getattr(self, name) for name in self._state_traits}
        self.observe(self._on_state_change, names=list(self._state_traits))

    # -- quiet updates and the guarded observer ---------------------------------

    def _set_state_quietly(self, **values):
        """Set state traits to values already checked, and hold them."""
        with self._quietly(), self.hold_sync():
            for name, value in values.items():
                setattr(self, name, value)
        self._held.update(values)

    def _validate(self, state):
        """The checked state (values may be normalised), or InputError/ValueError/TypeError naming the bad value."""
        return state

    def _on_state_change(self, change):
        if self._quiet:
            return
        candidate = {**self._held, change["name"]: change["new"]}
        try:
            checked = self._validate(candidate)
        except (ValueError, TypeError, ArithmeticError) as error:
            self.error = str(error)
            self._set_state_quietly(**self._held)
        except Exception as error:  # a widget must never raise into the notebook
            self.error = f"could not update ({type(error).__name__}: {error})"
            self._set_state_quietly(**self._held)
        else:
            self._set_state_quietly(**{name: checked[name] for name in self._state_traits})
            self.error = ""

    def state(self):
        """What the widget holds now (the settings its pictures show), as a dict."""
        return dict(self._held)

    # -- the static stand-in ------------------------------------------------------

    def _standin_state(self):
        """The synced state the module reads, as JSON values (the widget's own traits, not anywidget's)."""
        names = sorted(set(self.trait_names(sync=True)) - _MACHINERY)
        return {name: _json_value(value) for name, value in self.get_state(key=names).items()}

    def standin_html(self):
        """The static stand-in: the same ES module, run in the page on a local model holding the current state.

        Element ids derive from the module, the state and the scale, so an
        unchanged widget writes identical HTML on every execution.
        """
        payload = {"esm": self._esm, "css": getattr(self, "_css", ""), "state": self._standin_state()}
        data = _json_for_script(payload)
        uid = "cnnbook-aw-" + hashlib.sha1(data.encode("utf-8")).hexdigest()[:12]
        name = type(self).__name__
        return (
            f'<div class="cnnbook-fallback cnnbook-anywidget" data-widget="{name}">'
            f'<div id="{uid}"><noscript><p>This interactive view needs JavaScript.</p></noscript></div>'
            f'<script type="application/json" id="{uid}-data">{data}</script>'
            f'<script>{_js("_local_model")}\ncnnbookAnywidget("{uid}");</script></div>'
        )

    def _repr_mimebundle_(self, **kwargs):
        """The live view (widget-view mimetype, from anywidget) plus the ``text/html`` stand-in."""
        data, metadata = super()._repr_mimebundle_(**kwargs)
        name = type(self).__name__
        if _standins_wanted():
            data["text/html"] = self.standin_html()
        else:
            data["text/html"] = (
                f'<div class="cnnbook-fallback cnnbook-placeholder" data-widget="{name}"><p>{html.escape(name)}: an '
                f"interactive widget; run the notebook to use it (its static view is built with "
                f"{STANDIN_ENV}=1).</p></div>"
            )
        data["text/plain"] = f"{name} (interactive widget: run the notebook to use it)"
        return data, metadata

    # ipywidgets 7 (Colab) displays through _ipython_display_, which would drop the stand-in:
    # without it IPython uses _repr_mimebundle_ under ipywidgets 7 and 8 alike.
    _ipython_display_ = None

    @classmethod
    def example(cls):
        """An instance on bundled data, for the benchmark and the tests."""
        raise NotImplementedError

    def benchmark_actions(self):
        """Zero-argument callables, each one state change through Python's checks."""
        raise NotImplementedError
