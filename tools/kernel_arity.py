"""List the compiled (numba ``@njit``) functions of intsim with many parameters.

Issue 12 item 4 asks kernels to take small structured arguments rather than long positional
lists; this script (and ``tests/test_kernel_arity.py``) counts what is left::

    python tools/kernel_arity.py          # functions with >= 10 parameters
    python tools/kernel_arity.py --min 5  # another threshold
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "intsim"


def _is_njit(decorator: ast.expr) -> bool:
    """Whether a decorator is ``njit`` or ``njit(...)``."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return name == "njit"


def njit_arities(root: Path = SRC) -> list[tuple[str, str, int]]:
    """Every ``@njit`` function under ``root``: (module path, function name, parameter count)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(map(_is_njit, node.decorator_list)):
                a = node.args
                count = len(a.posonlyargs) + len(a.args) + len(a.kwonlyargs)
                found.append((str(path.relative_to(root.parent)), node.name, count))
    return found


def main() -> None:
    """Print the ``@njit`` functions with at least ``--min`` parameters, most first."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=int, default=10, help="parameter threshold (default 10)")
    args = parser.parse_args()
    rows = [r for r in njit_arities() if r[2] >= args.min]
    for module, name, count in sorted(rows, key=lambda r: (-r[2], r[0], r[1])):
        print(f"{count:3d}  {module}:{name}")
    print(f"{len(rows)} @njit functions with >= {args.min} parameters")


if __name__ == "__main__":
    main()
