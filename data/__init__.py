"""Data files bundled with cnnbook (the repository's data/ folder); see data/README.md."""
