"""The base class of the book's ipywidgets widgets, and what every widget shares.

The widgets whose front end is JavaScript (the arithmetic widgets) are
anywidgets instead (``_anywidget.BookAnyWidget``), which reuse the settings
here: the stand-in switch, the projector scale and the error style.

A widget here is a plain Python object that owns an ipywidgets container
(``self.ui``). Displaying it sends two representations at once:

- the live widget view (``application/vnd.jupyter.widget-view+json``), which
  JupyterLab, Jupyter Notebook, VS Code and Colab render with their widget
  manager;
- a static ``text/html`` stand-in (:meth:`BookWidget.standin_html`: an
  animation, or HTML+JavaScript that recomputes in the page), which the HTML
  book shows instead (``_config.yml`` ranks ``text/html`` first for the HTML
  builder), so the page teaches without a kernel.

The stand-in costs up to a second to draw and nobody sees it in a live
notebook, so it is built only where it will be seen: when the environment
variable ``CNNBOOK_STANDINS`` is ``1`` (the book build and ``nbtool execute``
set it), after :func:`build_standins`, or by calling
:meth:`BookWidget.standin_html`. Otherwise the ``text/html`` part is a
one-line placeholder.

What every widget shares lives here:

- quiet updates (:meth:`BookWidget._quietly`), so that setting a control
  from code does not run its handler;
- guarded observers (:meth:`BookWidget._observe`): no control value can
  raise out of a handler; a refused value shows one error message, which the
  next good input clears, and the controls go back to the state the widget
  holds, so what is shown always equals what is held;
- the stand-in cache, keyed by the widget's state, with ids derived from the
  content (re-executing an unchanged notebook writes identical HTML);
- the stand-in's building blocks: :meth:`BookWidget._animation` (frames for
  the data widgets) and ``_json_for_script`` (data inlined in a page);
- a projector scale (:func:`set_projector_scale`) that enlarges text and
  figures for live teaching.

This works the same under ipywidgets 7.7 (Colab) and 8.
"""

import contextlib
import hashlib
import html
import json
import os
import re

import numpy as np

from .. import _checks

__all__ = ["BookWidget", "InputError", "build_standins", "set_projector_scale", "projector_scale", "STANDIN_ENV"]

#: Environment variable that makes every display build the static stand-in.
STANDIN_ENV = "CNNBOOK_STANDINS"
_SETTINGS = {"standins": None, "scale": 1.0}
_ID = "CNNBOOKID"  # replaced by a content hash once the stand-in is built
_ERROR_STYLE = "color:#b00020;border-left:3px solid #b00020;padding:2px 8px;margin:4px 0"


class InputError(ValueError):
    """A control value the widget cannot use; the message names the value and what is allowed."""


def build_standins(enabled=True):
    """Build the static stand-in on every display (``True``), never (``False``) or as the environment says (``None``).

    The book build and ``tools/nbtool.py execute`` set ``CNNBOOK_STANDINS=1``
    instead; this is for a notebook that is to be saved with its stand-ins.

    Examples
    --------
    >>> build_standins(True); build_standins(None)
    """
    if enabled is not None and not isinstance(enabled, bool):
        raise TypeError(f"enabled must be True, False or None; got {enabled!r}")
    _SETTINGS["standins"] = enabled


def _standins_wanted():
    if _SETTINGS["standins"] is not None:
        return _SETTINGS["standins"]
    return os.environ.get(STANDIN_ENV, "").strip().lower() in ("1", "true", "yes")


def set_projector_scale(scale=1.0):
    """Enlarge every widget's text and pictures ``scale`` times (1 to 3), e.g. 1.6 on a projector.

    Applies to widgets displayed afterwards and to their stand-ins.

    Examples
    --------
    >>> set_projector_scale(1.6); set_projector_scale(1)
    """
    _SETTINGS["scale"] = _checks.number(scale, "scale", minimum=1, maximum=3)


def projector_scale():
    """The scale set by :func:`set_projector_scale` (1 by default)."""
    return _SETTINGS["scale"]


def _json_for_script(data):
    """``data`` as JSON that is safe inside an HTML ``<script>`` element."""
    return json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


def _error_html(text):
    """The one red error box of every widget."""
    return f'<div class="cnnbook-error" style="{_ERROR_STYLE}"><b>Not applied:</b> {html.escape(text)}</div>'


def _shown_value(value):
    """A control value as an error message quotes it: repr, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _QuietUpdates:
    """The quiet flag of both widget bases: while it is set, observers ignore changes made from code."""

    _quiet = False

    @contextlib.contextmanager
    def _quietly(self):
        """Change controls or traits from code without their observers reacting (the values must be good)."""
        before = self._quiet
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = before


class BookWidget(_QuietUpdates):
    """Base class: subclasses build their controls, then call :meth:`_assemble`.

    Subclasses implement :meth:`state` (what the widget holds),
    :meth:`_build_standin`, :meth:`example` and :meth:`benchmark_actions`;
    they may implement :meth:`_controls` (controls that mirror the state) so
    that a refused value puts the controls back. They update by setting
    ``.value`` of existing ``ipywidgets.HTML``/``Image`` children, never by
    rebuilding figures.
    """

    ui = None
    _error = ""
    _message_widget = None

    # -- error display ---------------------------------------------------------

    @property
    def error(self):
        """The error message shown now ("" when none)."""
        return self._error

    def _error_widget(self):
        if self._message_widget is None:
            import ipywidgets as widgets

            self._message_widget = widgets.HTML(value="")
        return self._message_widget

    def _show_error(self, text):
        self._error = str(text)
        self._error_widget().value = _error_html(self._error) if self._error else ""

    def _clear_error(self):
        if self._error:
            self._show_error("")

    # -- quiet updates and guarded observers ----------------------------------

    def _set_quietly(self, control, value, **traits):
        with self._quietly():
            for name, trait_value in traits.items():
                setattr(control, name, trait_value)
            control.value = value

    def _observe(self, control, handler, names="value"):
        """Call ``handler(change)`` when ``control`` changes, never letting an exception out.

        A handler refuses a value by raising :class:`InputError` (or any
        ValueError/TypeError); then the message is shown, the controls are put
        back to the state held (:meth:`_restore_controls`) and nothing else
        changes. A handler that returns normally clears the message.
        """

        def run(change):
            if self._quiet:
                return
            self._guarded(handler, change)

        control.observe(run, names=names)

    def _on_click(self, button, handler):
        """Like :meth:`_observe` for a button."""
        button.on_click(lambda _button: self._guarded(handler, None))

    def _guarded(self, handler, change):
        try:
            handler(change)
        except (ValueError, TypeError, ArithmeticError) as error:
            self._show_error(str(error))
            self._restore_controls()
        except Exception as error:  # a widget must never raise into the notebook
            self._show_error(f"could not update ({type(error).__name__}: {error})")
            self._restore_controls()
        else:
            self._clear_error()

    def _controls(self):
        """``{state key: control}`` for the controls that show a part of :meth:`state`."""
        return {}

    def shown_state(self):
        """What the controls show now, by the keys of :meth:`state`."""
        return {key: control.value for key, control in self._controls().items()}

    def _restore_controls(self):
        """Put every control of :meth:`_controls` back to the state held."""
        held = self.state()
        with self._quietly():
            for key, control in self._controls().items():
                if control.value != held[key]:
                    control.value = held[key]

    def state(self):
        """What the widget holds now (the settings its pictures show), as a dict."""
        raise NotImplementedError

    # -- layout ------------------------------------------------------------------

    def _assemble(self, *children):
        """``self.ui``: the children, the error message, and the projector scale."""
        import ipywidgets as widgets

        scale = projector_scale()
        style = widgets.HTML(value=f"<style>.cnnbook-widget{{zoom:{scale:g}}}</style>" if scale != 1 else "")
        self.ui = widgets.VBox([style, *children, self._error_widget()])
        self.ui.add_class("cnnbook-widget")

    # -- the static stand-in -------------------------------------------------

    def _standin_key(self):
        """What the stand-in depends on (default: the state); equal keys reuse the cached stand-in."""
        return repr(sorted((key, _hashable(value)) for key, value in self.state().items()))

    def _build_standin(self):
        """The stand-in's HTML; every ``CNNBOOKID`` in it becomes the content hash."""
        raise NotImplementedError

    def standin_html(self):
        """The static stand-in for the HTML book (built once per state, then cached).

        Its element ids derive from its content, so an unchanged widget writes
        identical HTML on every execution.
        """
        key = (self._standin_key(), projector_scale())
        cache = self.__dict__.setdefault("_standins", {})
        if key not in cache:
            body = self._build_standin()
            uid = hashlib.sha1(body.encode("utf-8")).hexdigest()[:12]
            zoom = f' style="zoom:{projector_scale():g}"' if projector_scale() != 1 else ""
            cache[key] = (
                f'<div class="cnnbook-fallback" data-widget="{type(self).__name__}"{zoom}>'
                f"{body.replace(_ID, uid)}</div>"
            )
        return cache[key]

    def _animation(self, frames, interval, title, alt):
        """``_media.animation_html`` with a content-derived id instead of a random one."""
        from ._media import animation_html

        player = animation_html(frames, interval=interval, title=title, alt=alt)
        return re.sub(r"cnnbook-anim-[0-9a-f]+", f"cnnbook-anim-{_ID}", player)

    def _repr_mimebundle_(self, include=None, exclude=None):
        if self.ui is None:
            raise RuntimeError(f"{type(self).__name__} did not build its user interface (self.ui)")
        name = type(self).__name__
        if _standins_wanted():
            standin = self.standin_html()
        else:
            standin = (
                f'<div class="cnnbook-fallback cnnbook-placeholder" data-widget="{name}"><p>{name}: an '
                f"interactive widget; run the notebook to use it (its static view is built with "
                f"{STANDIN_ENV}=1).</p></div>"
            )
        return {
            "text/plain": f"{name} (interactive widget: run the notebook to use it)",
            "text/html": standin,
            "application/vnd.jupyter.widget-view+json": {
                "version_major": 2,
                "version_minor": 0,
                "model_id": self.ui.model_id,
            },
        }

    @classmethod
    def example(cls):
        """An instance on bundled data, for the benchmark and the tests."""
        raise NotImplementedError

    def benchmark_actions(self):
        """Zero-argument callables, each one control change through to the new picture."""
        raise NotImplementedError


def _hashable(value):
    if isinstance(value, np.ndarray):
        return (value.shape, str(value.dtype), hashlib.sha1(np.ascontiguousarray(value).tobytes()).hexdigest())
    return value
