"""Cached kernel machine code is dropped when any kernel source changes (numba checks only the
defining file, not the rules a kernel inlines from another module)."""

import shutil
from pathlib import Path

from intsim.sim import kernels
from intsim.sim.kernels import SOURCE_STAMP, drop_stale_machine_code


def _copy_of_the_kernels(tmp_path: Path) -> Path:
    folder = tmp_path / "kernels"
    folder.mkdir()
    for path in Path(kernels.__file__).parent.glob("*.py"):
        shutil.copy(path, folder / path.name)
    return folder


def test_cache_is_kept_while_the_sources_match_and_dropped_after_an_edit(tmp_path):
    folder = _copy_of_the_kernels(tmp_path)
    cache = folder / "__pycache__"
    assert drop_stale_machine_code(folder)  # no stamp yet: whatever is cached is unknown
    assert (cache / SOURCE_STAMP).exists()
    compiled = [cache / "clinical.clinical_step-1.py313.nbi", cache / "clinical.x-1.py313.1.nbc"]
    bytecode = cache / "rules.cpython-313.pyc"
    for path in [*compiled, bytecode]:
        path.write_bytes(b"machine code")
    assert not drop_stale_machine_code(folder)  # unchanged sources: cache kept
    assert all(path.exists() for path in compiled)
    rules = folder / "rules.py"
    rules.write_text(rules.read_text() + "\n# an edited rule\n")
    assert drop_stale_machine_code(folder)  # a rule changed: every kernel recompiles
    assert not any(path.exists() for path in compiled)
    assert bytecode.exists()  # only numba's files are touched
