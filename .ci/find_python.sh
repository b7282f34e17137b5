#!/bin/sh
# Print the path of a Python >= 3.12 interpreter, or explain on stderr and exit 1.
# Order: $PYTHON, python3.12/python3.13 on PATH, python3 if new enough, then pyenv's versions (3.12 first:
# LIBS.md Set B was verified on it).
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
for candidate in "${PYTHON:-}" python3.12 python3.13 python3; do
    [ -n "$candidate" ] || continue
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if ok "$path"; then echo "$path"; exit 0; fi
done
for root in "${PYENV_ROOT:-$HOME/.pyenv}" /root/.pyenv /usr/local/pyenv; do
    for path in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V); do
        if ok "$path"; then echo "$path"; exit 0; fi
    done
done
echo "错误：没有找到 Python 3.12 或更高版本（本项目需要 Python >= 3.12）。" >&2
echo "Error: no Python >= 3.12 found (checked \$PYTHON, python3.13, python3.12, python3 and pyenv's versions/)." >&2
echo "Install one (e.g. 'pyenv install 3.12' or your distribution's python3.12) or set PYTHON=/path/to/python3.12." >&2
exit 1
