"""The interactive widgets of the book.

The widgets that need Python (TensorFlow, numpy data) are core ipywidgets and
subclass ``_base.BookWidget``; the arithmetic widgets (the sliding kernel, the
gradient reach, the parameter calculator) are anywidgets, one ES module each
(``js/<name>.js``), and subclass ``_anywidget.BookAnyWidget``. The benchmark
(``make bench``) times each class listed in ``ALL_WIDGETS``.
:func:`set_projector_scale` enlarges them for live teaching;
:func:`build_standins` (or ``CNNBOOK_STANDINS=1``, the variable named by
``STANDIN_ENV``) makes a display also draw the static stand-in the HTML book
shows.
"""

from ._base import STANDIN_ENV, build_standins, set_projector_scale
from .adversarial import AdversarialExplorer
from .augmentation import AugmentationExplorer
from .feature_maps import FeatureMapViewer
from .gradient_reach import GradientReach
from .nearest_neighbours import NearestNeighbourExplorer
from .param_calculator import ParamCalculator
from .sliding_kernel import SlidingKernel

#: Every widget class of the book, by name (the benchmark times each one).
ALL_WIDGETS = {
    "adversarial": AdversarialExplorer,
    "augmentation": AugmentationExplorer,
    "feature_maps": FeatureMapViewer,
    "gradient_reach": GradientReach,
    "nearest_neighbours": NearestNeighbourExplorer,
    "param_calculator": ParamCalculator,
    "sliding_kernel": SlidingKernel,
}

__all__ = [
    "ALL_WIDGETS",
    "AdversarialExplorer",
    "AugmentationExplorer",
    "FeatureMapViewer",
    "GradientReach",
    "NearestNeighbourExplorer",
    "ParamCalculator",
    "STANDIN_ENV",
    "SlidingKernel",
    "build_standins",
    "set_projector_scale",
]
