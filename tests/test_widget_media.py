"""cnnbook.widgets._media: the widgets' PNG encoding and animated stand-ins."""

import io
import re

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from cnnbook.widgets import _media


def test_array_to_png_scales_and_maps_colours():
    png = _media.array_to_png(np.array([[0.0, 1.0], [0.5, 0.25]]), scale=4)
    image = Image.open(io.BytesIO(png))
    assert image.size == (8, 8)
    pixels = np.asarray(image.convert("L"))
    assert pixels[0, 0] == 0 and pixels[0, 7] == 255


def _pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_array_to_png_follows_the_one_image_convention():
    colours = np.array([[[0, 128, 255], [255, 255, 255]]])
    expected = _pixels(_media.array_to_png(colours.astype(np.uint8), scale=1))
    # int64 0-255 and float 0-1 give the same picture as uint8 (not a white one)
    np.testing.assert_array_equal(_pixels(_media.array_to_png(colours, scale=1)), expected)
    np.testing.assert_allclose(_pixels(_media.array_to_png(colours / 255.0, scale=1)), expected, atol=1)
    # bool grey and bool colour images draw instead of crashing
    grey = _pixels(_media.array_to_png(np.array([[True, False]]), scale=1))
    assert grey[0, 0].tolist() == [255, 255, 255] and grey[0, 1].tolist() == [0, 0, 0]
    mask = _pixels(_media.array_to_png(np.ones((2, 2, 3), dtype=bool), scale=1))
    assert (mask == 255).all()


def test_animation_html_embeds_every_frame_and_a_player():
    frames = [np.full((4, 6, 3), i * 40, dtype=np.uint8) for i in range(5)]
    page = _media.animation_html(frames, interval=100, title="steps")
    assert len(re.findall(r'<img class="cnnbook-frame"', page)) == 5
    assert 'data-frames="5"' in page and "steps" in page and "setInterval" in page


def test_animation_html_accepts_figures():
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    page = _media.animation_html([fig])
    assert page.count("data:image/png;base64,") == 1


def test_animation_frames_are_palette_pngs_that_keep_a_figures_colours():
    import base64
    import io

    from PIL import Image

    rng = np.random.default_rng(0)
    colours = rng.integers(0, 256, (40, 3), dtype=np.uint8)  # a figure's few flat colours
    frame = colours[rng.integers(0, 40, (30, 50))]
    page = _media.animation_html([frame])
    png = base64.b64decode(re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page).group(1))
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P"
    np.testing.assert_array_equal(np.asarray(image.convert("RGB")), frame)
