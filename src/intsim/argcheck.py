"""One argument-checking layer for every entry point (decision 59).

Recorded in docs/decisions/0059-output-directories-owned-and-locked.md.

The ``intsim`` command, the experiment scripts (``experiments/*.py``) and the benchmarks
(``benchmarks/*.py``) build their parsers with :class:`Parser` and the value types below, and
scripts run their ``main`` through :func:`run_main`. The contract:

* a user error (a bad option value, an unknown option, a missing file, an invalid scenario or
  experiment file, an output folder that cannot be written) prints **one line**
  ``<prog>: error: <option>: <what was given>; <what is allowed>`` on standard error and exits
  with status **2**, before anything is written and without a traceback;
* a value is never silently replaced: ``0`` seeds or months is an error, not "the default"
  (an option's default is what you get by leaving the option out, and ``--help`` says it);
* anything else is a bug: Python's traceback and exit status 1.

The value types raise :class:`argparse.ArgumentTypeError`, which :class:`Parser` reports as
``argument --seeds: expected a whole number >= 1, got -1``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from intsim import outdir

EXIT_USER = 2
EXIT_INTERRUPTED = 130


class InvalidInputError(ValueError):
    """An invalid input file (a scenario, an experiment file): the user's to fix.

    The base of :class:`intsim.params.scenario.ScenarioError`; defined here so this bottom
    layer can recognise input errors without importing the layers above it.
    """


class UsageError(Exception):
    """A user error found after parsing (exit status 2, one line, no traceback).

    The message should start with the option or key it is about, e.g.
    ``--out results/x: exists and is not a directory``.
    """


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line on standard error and exit status 2."""

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        """Print ``<prog>: error: <message> (see --help)`` and exit 2."""
        line = " ".join(message.split())  # argparse messages may wrap
        self.exit(EXIT_USER, f"{self.prog}: error: {line} (see --help)\n")


# --------------------------------------------------------------------------- value types


def int_at_least(minimum: int, what: str = "a whole number") -> Callable[[str], int]:
    """A type accepting whole numbers ``>= minimum`` (``"1e3"`` or ``"2.0"`` are refused)."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {what} >= {minimum}, got {text!r}"
            ) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {what} >= {minimum}, got {value}")
        return value

    parse.__name__ = f"int_at_least_{minimum}"
    return parse


#: Whole numbers >= 1: counts of seeds, runs, replications, workers, months, chunk sizes.
positive_int = int_at_least(1)
#: Number of seeds 1..N (>= 1).
seed_count = int_at_least(1, "a number of seeds")
#: A root seed (>= 1).
seed = int_at_least(1, "a seed (whole number)")
#: A horizon in months (>= 1).
months = int_at_least(1, "a number of months")


def power_of_two(text: str) -> int:
    """A power of 2 >= 2 (a Sobol' base sample size)."""
    value = positive_int(text)
    if value < 2 or value & (value - 1):
        raise argparse.ArgumentTypeError(f"expected a power of 2 >= 2, got {value}")
    return value


def finite_float(text: str) -> float:
    """Any finite number (``nan`` and ``inf`` are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0."""
    value = finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    """A finite number >= 0 (an amount of money, a duration)."""
    value = finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def unit_interval(text: str) -> float:
    """A number in [0, 1] (a share or an annual rate)."""
    value = finite_float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}")
    return value


def open_unit_interval(text: str) -> float:
    """A number strictly between 0 and 1 (a probability or confidence level)."""
    value = finite_float(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), got {text!r}")
    return value


def name_list(text: str) -> list[str]:
    """Comma-separated names (parameter paths, outputs): at least one, no empty item."""
    names = [item.strip() for item in text.split(",")]
    if not text.strip() or any(not n for n in names):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated names such as a.b,c.d (no empty item), got {text!r}"
        )
    return names


def existing_file(text: str) -> Path:
    """A path to an existing regular file."""
    path = Path(text)
    if not path.is_file():
        state = "is a directory" if path.is_dir() else "does not exist"
        raise argparse.ArgumentTypeError(f"expected an existing file, got {text!r} ({state})")
    return path


def existing_dir(text: str) -> Path:
    """A path to an existing directory."""
    path = Path(text)
    if not path.is_dir():
        state = "is a file" if path.exists() else "does not exist"
        raise argparse.ArgumentTypeError(f"expected an existing directory, got {text!r} ({state})")
    return path


#: Address schemes of a Dask scheduler (``tls://`` for an encrypted, authenticated connection).
SCHEDULER_SCHEMES = ("tcp", "tls")


def scheduler_address(text: str) -> str:
    """A Dask scheduler address ``tcp://HOST:PORT`` or ``tls://HOST:PORT``."""
    scheme, sep, rest = text.partition("://")
    host, colon, port = rest.rpartition(":")
    if (
        not sep
        or scheme not in SCHEDULER_SCHEMES
        or not colon
        or not host.strip("[]")
        or not port.isdigit()
        or not 0 < int(port) < 65536
    ):
        raise argparse.ArgumentTypeError(
            f"expected tcp://HOST:PORT or tls://HOST:PORT, got {text!r}"
        )
    return text


def new_file(text: str) -> Path:
    """A file to write: not a directory, in an existing directory."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder; expected a file name")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"{str(path.parent)!r} is not an existing folder")
    return path


def out_dir(text: str) -> Path:
    """An output folder: missing, or a directory (not a file); its contents are checked later."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} exists and is not a folder")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise argparse.ArgumentTypeError(f"{parent} is not a folder")
            break
    return path


# --------------------------------------------------------------------------- output folders


def claim_out(out: Path, option: str = "--out") -> None:
    """Lock an output folder and check it can be replaced, before any work (exit 2 if not).

    Raises:
        UsageError: Another command writes it, it is a file, or it holds files that intsim
            did not write (they are named; nothing is touched). See :mod:`intsim.outdir`.
    """
    try:
        outdir.claim(out)
    except OSError as exc:
        raise UsageError(f"{option} {exc}") from None


@contextmanager
def staged_out(out: Path, option: str = "--out") -> Iterator[Path]:
    """A temporary sibling of ``out`` that replaces it when the block succeeds.

    ``manifest.json`` records the command line and lists the files written with their SHA-256,
    so a later run may replace the folder (:func:`intsim.outdir.staged_directory`).

    Raises:
        UsageError: The folder cannot be written or replaced (nothing is touched).
    """
    try:
        with outdir.staged_directory(out) as tmp:
            command = [Path(sys.argv[0]).name, *sys.argv[1:]]
            (tmp / outdir.MANIFEST_NAME).write_text(
                json.dumps({"command": command}, indent=2) + "\n", encoding="utf-8"
            )
            yield tmp
    except OSError as exc:
        raise UsageError(f"{option} {out}: cannot write the outputs ({exc})") from None


# --------------------------------------------------------------------------- running a script


def user_error_types() -> tuple[type[BaseException], ...]:
    """Exceptions that are the user's to fix: :class:`UsageError` and invalid input files."""
    return (UsageError, InvalidInputError)


def run_main(main: Callable[[Sequence[str] | None], int], prog: str | None = None) -> NoReturn:
    """Run a script's ``main(argv)`` under the error contract and exit with its status.

    User errors (:func:`user_error_types`) print one line and exit 2; Ctrl-C exits 130; any
    other exception propagates (traceback, exit status 1).
    """
    name = prog or Path(sys.argv[0]).name
    try:
        status = main(None)
    except user_error_types() as exc:
        message = " ".join(str(exc).split())
        print(f"{name}: error: {message}", file=sys.stderr)
        sys.exit(EXIT_USER)
    except KeyboardInterrupt:
        print(f"{name}: interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        outdir.release_all_locks()  # output folders claimed by a script that stopped early
    sys.exit(status)
