"""The papers' reference figures: structure and consistency, not the figures themselves."""

import re

import pytest

from cnnbook import references
from cnnbook.references import PAPERS, Evaluation, Reference


def test_every_figure_that_is_set_has_a_source():
    for name, entry in PAPERS.items():
        assert entry.name == name
        assert entry.paper and entry.venue and entry.sources["year"], name
        for figure in (
            "top1_error",
            "top5_error",
            "top1_accuracy",
            "top5_accuracy",
            "params",
            "params_text",
            "mult_adds",
            "depth",
        ):
            if getattr(entry, figure) is not None:
                assert entry.sources.get(figure), f"{name}: {figure} without a source"
        for key, (value, source) in entry.extra.items():
            assert value is not None and source, f"{name}: extra {key}"


def test_imagenet_figures_come_with_how_they_were_measured():
    with_figures = [entry for entry in PAPERS.values() if entry.has_imagenet_figure()]
    assert len(with_figures) >= 8
    for entry in with_figures:
        assert entry.trained_on == "ImageNet-1k", entry.name
        assert entry.evaluation.crops in references.CROPS and entry.evaluation.source
        assert 1 <= entry.evaluation.networks
        assert 0 < entry.top1() < 100 if entry.top1() is not None else entry.top5() is not None
        assert entry.top5() is None or entry.top1() is None or entry.top5() > entry.top1()
    for entry in PAPERS.values():
        if not entry.has_imagenet_figure():
            assert entry.evaluation is None and entry.top1() is None and entry.top5() is None


def test_year_is_the_first_public_appearance_and_the_venue_is_kept():
    for entry in PAPERS.values():
        venue_year = re.search(r"(19|20)\d\d", entry.venue)
        if entry.preprint:
            preprint_year = int(re.search(r"(19|20)\d\d$", entry.preprint).group())
            assert entry.year == preprint_year, entry.name
            assert venue_year is None or int(venue_year.group()) >= entry.year
        elif venue_year:
            assert entry.year == int(venue_year.group()), entry.name
    # The two dates chapters 8 and 9 used to disagree on.
    vgg = references.reference("VGG-16")
    assert (vgg.year, vgg.venue) == (2014, "ICLR 2015")
    assert references.reference("VGG-19").year == vgg.year
    inception = references.reference("Inception-v3")
    assert (inception.year, inception.venue) == (2015, "CVPR 2016")
    assert "December 2015" in inception.preprint
    # Places365: first public in October 2016 (arXiv), published in TPAMI later.
    assert {references.reference(n).year for n in ("AlexNet (Places365)", "Inception-v1 (Places365)")} == {2016}


def test_errors_and_accuracies_are_read_the_same_way():
    resnet = references.reference("ResNet-50")
    assert resnet.top1() == pytest.approx(100 - resnet.top1_error)
    mobilenet = references.reference("MobileNetV2")
    assert mobilenet.top1() == mobilenet.top1_accuracy and mobilenet.top1_error is None


def test_the_lectures_pretrained_models_are_all_here():
    names = [key for _, key in references.LECTURE_PRETRAINED]
    assert len(names) == 8 and all(name in PAPERS for name in names)
    places = [PAPERS[name] for name in names if PAPERS[name].trained_on == "Places365-Standard"]
    assert len(places) == 2
    for entry in places:  # same architecture as an ImageNet entry, on other data
        twin = PAPERS[entry.same_architecture_as]
        assert twin.trained_on == "ImageNet-1k" and twin.depth == entry.depth and twin.name in names
    for entry in PAPERS.values():
        assert entry.trained_on in references.DATASETS
    for dataset in references.DATASETS.values():
        assert dataset["classes"] > 1 and dataset["source"]


def test_same_protocol():
    assert references.same_protocol("Inception-v3", "DenseNet-121", "Inception-v4")
    assert not references.same_protocol("AlexNet", "Inception-v3")  # 10 crops against 1
    assert not references.same_protocol("MobileNetV2", "MobileNetV2")  # not stated
    with pytest.raises(ValueError, match="no ImageNet"):
        references.same_protocol("ResNet-50 v2")
    with pytest.raises(ValueError, match="at least one"):
        references.same_protocol()


def _reference(**fields):
    """A made-up entry: the required fields, then ``fields``."""
    required = dict(name="X", paper="p", venue="v 2020", year=2020, preprint=None, trained_on="ImageNet-1k")
    return Reference(**required, **fields)


def test_unknown_names_and_inconsistent_entries_are_refused():
    with pytest.raises(ValueError, match="name must be one of"):
        references.reference("ResNet-5000")
    with pytest.raises(ValueError, match="crops must be one of"):
        Evaluation("3 crops", 1, "validation", "nowhere")
    with pytest.raises(ValueError, match="has no source"):
        _reference(sources={"year": "v"}, params=5)
    with pytest.raises(ValueError, match="not both"):
        _reference(
            sources={"year": "v", "top1_error": "t", "top1_accuracy": "t"},
            top1_error=20.0,
            top1_accuracy=80.0,
            evaluation=Evaluation("1 crop", 1, "validation", "t"),
        )
    with pytest.raises(ValueError, match="evaluation goes with"):
        _reference(sources={"year": "v", "top1_error": "t"}, top1_error=20.0)


def test_entries_cannot_be_changed_by_accident():
    entry = references.reference("AlexNet")
    with pytest.raises(AttributeError):
        entry.top5_error = 1.0
    with pytest.raises(TypeError):
        entry.sources["top5_error"] = "elsewhere"
    with pytest.raises(TypeError):
        PAPERS["new"] = entry
