#!/usr/bin/env sh
# Print the path of a Python >= 3.12 interpreter, or explain and exit 1.
# Order: $PYTHON if set, names on PATH, then pyenv-installed versions (newest first).
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
if [ -n "${PYTHON:-}" ]; then
  if ok "$PYTHON"; then command -v "$PYTHON" || echo "$PYTHON"; exit 0; fi
  echo "PYTHON=$PYTHON is not a Python >= 3.12" >&2; exit 1
fi
for name in python3.13 python3.12 python3 python; do
  p=$(command -v "$name" 2>/dev/null) || continue
  if ok "$p"; then echo "$p"; exit 0; fi
done
root=${PYENV_ROOT:-$HOME/.pyenv}
for p in $(ls -d "$root"/versions/3.* 2>/dev/null | sort -t. -k2,2nr -k3,3nr); do
  if ok "$p/bin/python"; then echo "$p/bin/python"; exit 0; fi
done
echo "intsim needs Python >= 3.12 (Mesa >= 3.4 requires it) and none was found." >&2
echo "Looked for: python3.13, python3.12, python3, python on PATH and $root/versions/3.*." >&2
echo "Install one (e.g. 'pyenv install 3.12') or run: make PYTHON=/path/to/python3.12 ..." >&2
exit 1
