"""Compiled per-slot kernels (numba; decision 44), one module per concept.

Recorded in docs/decisions/0044-compiled-per-slot-kernels.md.

Written as chains of numpy expressions, one month costs hundreds of small array operations, each
paying Python and numpy call overhead; here the hottest rules are single loops over the slots,
compiled once (``cache=True`` keeps the machine code between processes). Two kinds:

* **patient rules** (:mod:`~intsim.sim.kernels.rules`): each rule written once as a scalar
  function, called by the arrays engine's kernels (:mod:`~intsim.sim.kernels.clinical`: onset,
  visit requests, clinical course, disengagement; :mod:`~intsim.sim.kernels.costs`: acute care)
  in their slot loops and by :mod:`intsim.sim.patient` for one agent, so the engines dock exactly;
* **organisation-side steps both engines share** (:mod:`~intsim.sim.kernels.pathways`: visit
  classification, PCBH episodes, care-manager time, end-of-month bookkeeping;
  :mod:`~intsim.sim.kernels.queues`: PCP rationing, waitlists; :mod:`~intsim.sim.kernels.counts`:
  monthly counts; :mod:`~intsim.sim.kernels.costs`: total cost of care): called by
  :mod:`intsim.sim.care`, :mod:`intsim.sim.model` and :mod:`intsim.sim.tcoc`.

Randomness comes from :mod:`~intsim.sim.kernels.rng` (counter-based, bit-identical to
:mod:`intsim.sim.streams`); state codes mirrored from the enums live in
:mod:`~intsim.sim.kernels.codes`; kernels take the population's arrays grouped by concept
(:mod:`~intsim.sim.kernels.state`: treatment, episode, person, acute events) rather than long
positional lists. Loops run over contiguous slots with branch-free common paths: on
random data a branch mispredicts often, and such loops vectorise.

Import from the concept's module (``from intsim.sim.kernels.rng import unit_uniform``); this package
re-exports nothing. The claim-line kernels stay in :mod:`intsim.money.claims_kernels`.

Cached machine code is dropped when any kernel source changes (:func:`drop_stale_machine_code`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

#: Digest of the kernel sources the cached machine code in ``__pycache__`` was compiled from.
SOURCE_STAMP = "kernels-source.sha256"


def kernel_source_digest(folder: Path) -> str:
    """SHA-256 of every module of the kernels package (names and contents, in name order)."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def drop_stale_machine_code(folder: Path) -> bool:
    """Delete the cached machine code of ``folder`` if any kernel source changed since it was built.

    numba checks a cached kernel against the file that defines it only, not against the rules
    and constants it inlines from :mod:`~intsim.sim.kernels.rules` and
    :mod:`~intsim.sim.kernels.codes`: after an edit of a rule, a kernel in another module would
    run the old rule from its cache. So the cache is kept only while the digest of all kernel
    sources (:data:`SOURCE_STAMP`) matches; a mismatch clears it and numba recompiles. Errors
    (a read-only install, a concurrent worker) leave the cache as it is.

    Returns:
        Whether the cache was cleared.
    """
    cache = folder / "__pycache__"
    stamp = cache / SOURCE_STAMP
    digest = kernel_source_digest(folder)
    try:
        if stamp.read_text() == digest:
            return False
    except OSError:
        pass
    try:
        cache.mkdir(exist_ok=True)
        for path in [*cache.glob("*.nbi"), *cache.glob("*.nbc")]:
            path.unlink(missing_ok=True)
        stamp.write_text(digest)
    except OSError:
        return False
    return True


drop_stale_machine_code(Path(__file__).parent)
