"""Named random streams, all derived from the model's generator.

Rule: every stochastic decision draws from its own named stream, so that two
policy arms run with the same seed differ only where a policy acts (common
random numbers). A stream's seed comes from the model's root seed and a CRC32
of the stream's name: it never depends on Python's hash seed, on dict order,
or on which other streams exist.
"""

from __future__ import annotations

import zlib

import numpy as np


class Streams:
    """A lazily created ``numpy.random.Generator`` per decision name."""

    def __init__(self, root: np.random.Generator):
        # One draw from the model's generator fixes every stream.
        self._entropy = int(root.integers(0, 2**63 - 1))
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._streams.get(name)
        if gen is None:
            seq = np.random.SeedSequence(self._entropy, spawn_key=(zlib.crc32(name.encode()),))
            gen = np.random.Generator(np.random.PCG64(seq))
            self._streams[name] = gen
        return gen
