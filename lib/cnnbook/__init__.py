"""cnnbook: the helper library of the interactive CNN textbook.

Each chapter imports what it needs from the submodules:

- :mod:`cnnbook.conv`    reference convolution and pooling (chapter 1)
- :mod:`cnnbook.grad`    the gradient of convolution and pooling (chapter 5)
- :mod:`cnnbook.numpy_cnn` a small CNN trained with numpy only (chapter 5)
- :mod:`cnnbook.data`    bundled MNIST sample, 8x8 digits, sample photos
- :mod:`cnnbook.env`     Colab/GPU detection, device report, seeding
- :mod:`cnnbook.viz`     image grids, curves, confusion matrices, animations
- :mod:`cnnbook.features` DAISY features, hand-made filter banks, nearest neighbours (chapter 2)
- :mod:`cnnbook.stats`   McNemar's test of two classifiers on one test set (chapter 2)
- :mod:`cnnbook.toy`     the X-and-O toy convnet of the Payberah lecture (chapter 3)
- :mod:`cnnbook.params`  parameters, shapes, memory and multiply-adds (chapters 4, 9)
- :mod:`cnnbook.diagrams` networks as tensor blocks and graphs, convolution as a matrix (chapters 1, 3, 9)
- :mod:`cnnbook.architectures` LeNet, AlexNet, AlphaGo policy net and block demos (chapter 9)
- :mod:`cnnbook.models`  the Keras models the chapters train
- :mod:`cnnbook.training` model progressions, result tables, mistakes (chapter 6)
- :mod:`cnnbook.augment`  the lecture's augmentation layers and numpy twins (chapter 7)
- :mod:`cnnbook.transfer` feature extraction and fine-tuning with few labels (chapter 8)
- :mod:`cnnbook.references` the papers' reference figures, each with its source (chapters 8, 9)
- :mod:`cnnbook.pretrained` EfficientNet-Lite0 with ImageNet weights, offline (chapters 8-10)
- :mod:`cnnbook.interpret` saliency, Grad-CAM, maximal inputs, FGSM (chapter 10)
- :mod:`cnnbook.widgets` the interactive widgets
"""

from importlib.metadata import version as _version

from .env import _require_gpu_if_asked

# The version lives in pyproject.toml only.
__version__ = _version("cnnbook")
# Under CNNBOOK_REQUIRE_GPU=1 (the GPU workflow) every chapter fails at its first
# import of cnnbook unless TensorFlow sees a GPU.
_require_gpu_if_asked()
