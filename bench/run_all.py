"""Run every benchmark in bench/ and print its figures (`make bench`)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    status = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name} ===", flush=True)
        # Our own scripts, run with our own interpreter.
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)  # noqa: S603
        status = status or result.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
