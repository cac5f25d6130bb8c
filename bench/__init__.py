"""Benchmarks: `python -m bench.<name>`; each prints ratios measured in one run and the device."""
