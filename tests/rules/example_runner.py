"""Runs example programs on the interpreter that runs this script (3.9 or later) and prints
their outcomes as JSON: one forked child per program, so each starts from a clean process.

Input on stdin: a JSON list of program texts. Output: a JSON list of outcomes, each
``"ok"``, ``"deprecated"`` (a DeprecationWarning turned into an error) or the last line
of the traceback.
"""

import json
import os
import sys
import traceback
import warnings


def run(source):
    warnings.simplefilter("error", DeprecationWarning)
    warnings.simplefilter("error", PendingDeprecationWarning)
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        exec(compile(source, "example.py", "exec"), namespace)
    except SystemExit as error:
        return "ok" if error.code in (None, 0) else f"SystemExit: {error.code}"
    except (DeprecationWarning, PendingDeprecationWarning):
        return "deprecated"
    except BaseException as error:  # the outcome is the point
        return traceback.format_exception_only(type(error), error)[-1].strip()
    return "ok"


def main():
    programs = json.load(sys.stdin)
    outcomes = []
    for source in programs:
        read, write = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(read)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            outcome = run(source)
            os.write(write, outcome.encode("utf-8", "replace"))
            os._exit(0)
        os.close(write)
        chunks = []
        while True:
            chunk = os.read(read, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(read)
        os.waitpid(child, 0)
        outcomes.append(b"".join(chunks).decode("utf-8", "replace") or "crashed")
    json.dump(outcomes, sys.stdout)


if __name__ == "__main__":
    main()
