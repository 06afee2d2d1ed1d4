"""Pictures for the widgets: fast array-to-PNG encoding for live updates, and
the self-contained animations that stand in for widgets in the HTML book."""

import base64
import hashlib
import html
import io

import numpy as np

from .. import _checks


def array_to_png(a, vmin=None, vmax=None, cmap="gray", scale=8, compress_level=1):
    """Encode a 2-D array (or an RGB image) as PNG bytes, fast.

    For widgets: set ``ipywidgets.Image.value`` to the result instead of
    redrawing a matplotlib figure. Grey arrays (any real values, bool too)
    are mapped through ``cmap`` between ``vmin`` and ``vmax`` (default: their
    minimum and maximum) and enlarged ``scale`` times with nearest-neighbour
    so that pixels stay sharp. Colour images ``(H, W, 3)`` or ``(H, W, 4)``
    follow the book's one image convention (:func:`cnnbook._checks.float_image`):
    integers are 0-255, floats 0-1; a float image in 0-255 is refused rather
    than drawn white. ``compress_level`` (0-9) trades speed for size: 1 suits
    live widgets, 9 the static pages.

    Raises
    ------
    TypeError
        If ``a`` is not real numeric or ``scale``/``compress_level`` are not ints.
    ValueError
        If ``a`` has another shape, looks channels-first, or is a colour
        image outside its range.

    Examples
    --------
    >>> png = array_to_png(np.array([[0, 255]], dtype=np.uint8), scale=2)
    >>> png[:4]
    b'\\x89PNG'
    >>> array_to_png(np.array([[True, False]]))[:4]
    b'\\x89PNG'
    """
    from matplotlib import colormaps
    from PIL import Image

    a = _checks.array(a, "a", (2, 3), "(H, W) or (H, W, 3) or (H, W, 4)", finite=False)
    scale = _checks.integer(scale, "scale", minimum=1)
    compress_level = _checks.integer(compress_level, "compress_level", minimum=0, maximum=9)
    if a.ndim == 2:
        grey = a.astype(np.float64)
        lo = np.nanmin(grey) if vmin is None else _checks.number(vmin, "vmin")
        hi = np.nanmax(grey) if vmax is None else _checks.number(vmax, "vmax")
        span = hi - lo if hi > lo else 1.0
        normed = np.clip((grey - lo) / span, 0.0, 1.0)
        rgb = (colormaps[cmap](normed)[..., :3] * 255).astype(np.uint8)
    else:
        _checks.channels_last(a, "a")
        if a.shape[-1] not in (3, 4):
            raise ValueError(f"a must be (H, W) or (H, W, 3) or (H, W, 4); got shape {a.shape}")
        rgb = a[..., :3]
        if rgb.dtype != np.uint8:
            rgb = np.round(_checks.float_image(rgb, "a", ndim=3) * 255).astype(np.uint8)
    if scale > 1:
        rgb = np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="png", compress_level=compress_level)
    return buffer.getvalue()


def figure_to_rgb(fig, dpi=72):
    """Render a matplotlib figure to an RGB uint8 array and close it."""
    import matplotlib.pyplot as plt

    fig.set_dpi(dpi)
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    plt.close(fig)
    return rgb


def _palette_png(frame):
    """An RGB uint8 frame (or anything :func:`array_to_png` draws) as a 256-colour palette PNG."""
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(array_to_png(frame, scale=1))).convert("RGB"))
    buffer = io.BytesIO()
    Image.fromarray(rgb).quantize(256, dither=Image.Dither.NONE).save(buffer, format="png", optimize=True)
    return buffer.getvalue()


def animation_html(frames, interval=400, title=None, alt=None):
    """A self-contained HTML animation player: the static stand-in for a widget.

    Frames are embedded as PNG images with a palette of 256 colours (half
    the bytes of full-colour PNG for rendered figures, which the static
    pages carry in every chapter that shows a widget); a few lines of JavaScript step through
    them with Play/Pause and a slider, so the HTML book teaches without a
    kernel. Without JavaScript the first frame and the full set of frames
    remain visible as images.

    Parameters
    ----------
    frames : sequence of RGB uint8 arrays or matplotlib figures
    interval : int
        Milliseconds between frames when playing.
    title : str, optional
        Caption shown above the player.
    alt : str, optional
        Alt text of the frames (default: ``title``).
    """
    frames = list(frames)
    if not frames:
        raise ValueError("frames must contain at least one frame; got an empty sequence")
    interval = _checks.integer(interval, "interval", minimum=10)
    encoded = []
    for frame in frames:
        if hasattr(frame, "canvas"):
            frame = figure_to_rgb(frame)
        encoded.append(base64.b64encode(_palette_png(np.asarray(frame))).decode("ascii"))
    # The id comes from the content, so re-executing an unchanged chapter rewrites nothing.
    digest = hashlib.sha1(f"{interval}|{title}|{alt}|{'|'.join(encoded)}".encode("ascii", "replace"))
    player = "cnnbook-anim-" + digest.hexdigest()[:10]
    alt_text = html.escape(alt or title or "animation frame")
    caption = f"<p><strong>{html.escape(title)}</strong></p>" if title else ""
    images = "".join(
        f'<img class="cnnbook-frame" src="data:image/png;base64,{data}" alt="{alt_text} ({i + 1}/{len(encoded)})"'
        f' style="max-width:100%;{"" if i == 0 else "display:none;"}">'
        for i, data in enumerate(encoded)
    )
    return f"""<div class="cnnbook-animation" id="{player}" data-frames="{len(encoded)}">{caption}
<div class="cnnbook-frames">{images}</div>
<div class="cnnbook-controls">
<button type="button" class="cnnbook-play">Play</button>
<input type="range" class="cnnbook-step" min="0" max="{len(encoded) - 1}" value="0" aria-label="frame">
<span class="cnnbook-label">frame 1 of {len(encoded)}</span>
</div>
<script>
(function () {{
  var root = document.getElementById("{player}");
  var frames = root.querySelectorAll(".cnnbook-frame");
  var slider = root.querySelector(".cnnbook-step");
  var label = root.querySelector(".cnnbook-label");
  var button = root.querySelector(".cnnbook-play");
  var current = 0, timer = null;
  function show(i) {{
    frames[current].style.display = "none";
    current = (i + frames.length) % frames.length;
    frames[current].style.display = "";
    slider.value = current;
    root.setAttribute("data-current", current);
    label.textContent = "frame " + (current + 1) + " of " + frames.length;
  }}
  slider.addEventListener("input", function () {{ show(parseInt(slider.value, 10)); }});
  button.addEventListener("click", function () {{
    if (timer) {{ clearInterval(timer); timer = null; button.textContent = "Play"; }}
    else {{ timer = setInterval(function () {{ show(current + 1); }}, {int(interval)}); button.textContent = "Pause"; }}
  }});
}})();
</script></div>"""
