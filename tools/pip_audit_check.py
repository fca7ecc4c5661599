"""`make lint`: known vulnerabilities in the installed Python packages (pip-audit).

Fails on a known vulnerability unless it is listed in IGNORED with a date and a reason. When
the vulnerability service cannot be reached (an offline machine, or a package index that does
not serve PyPI's JSON API), it says so plainly and does not fail: "not audited" is never
reported as "no vulnerabilities".
"""

import json
import subprocess
import sys
from pathlib import Path

# Vulnerability id -> "YYYY-MM-DD: why it does not apply / when it will be fixed".
IGNORED: dict[str, str] = {}

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def main() -> int:
    command = [str(PIP_AUDIT), "--format", "json", "--progress-spinner", "off", "--skip-editable"]
    for vuln_id in IGNORED:
        command += ["--ignore-vuln", vuln_id]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"pip-audit: NOT RUN ({error}); dependencies were not audited.")
        return 0
    try:
        report = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"pip-audit: could not reach the vulnerability service ({last}).")
        print("pip-audit: dependencies were NOT audited on this machine.")
        return 0
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    skipped = len(dependencies) - len(audited)
    if not audited:
        print(
            f"pip-audit: the vulnerability service answered for none of the {skipped} packages "
            "(PyPI's JSON API is not reachable from here): dependencies were NOT audited."
        )
        return 0
    found = [(d["name"], d["version"], v["id"]) for d in audited for v in d.get("vulns", [])]
    for name, version, vuln_id in found:
        print(f"pip-audit: {name} {version}: {vuln_id}")
    if found:
        print(f"pip-audit: {len(found)} known vulnerabilities (see above); fix or list in IGNORED.")
        return 1
    print(f"pip-audit: no known vulnerabilities in {len(audited)} packages ({skipped} skipped).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
