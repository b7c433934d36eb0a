"""Regenerates the SDK's generated layer from the app's OpenAPI document.

    python clients/python/regenerate.py          # write ticketbridge_client/_generated
    python clients/python/regenerate.py --check  # exit 1 when the committed code differs

`make sdk` runs the first; `make test` runs the second (tests/clients/test_drift.py).
Both generate into a temporary directory the same way, so they cannot disagree.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE / "ticketbridge_client" / "_generated"
CONFIG = HERE / "openapi-python-client.yaml"


def document() -> dict[str, object]:
    from ticketbridge.app import create_app

    return create_app().openapi()


def generate(into: Path) -> Path:
    """Generates the package into ``into/_generated`` and returns that directory."""
    spec = into / "openapi.json"
    spec.write_text(json.dumps(document(), indent=2, sort_keys=True))
    out = into / "_generated"
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    subprocess.run(
        [
            str(Path(bin_dir) / "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--meta",
            "none",
            "--config",
            str(CONFIG),
            "--output-path",
            str(out),
            "--overwrite",
            "--fail-on-warning",
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    return out


def differences(a: Path, b: Path) -> list[str]:
    """Relative paths that differ between two trees (missing on either side, or changed)."""
    found: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(prefix + n for n in cmp.left_only + cmp.right_only + cmp.funny_files)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        found.extend(prefix + n for n in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(a, b, ignore=["__pycache__"]), "")
    return sorted(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            fresh = generate(Path(tmp))
        except subprocess.CalledProcessError as exc:
            sys.stderr.write(exc.stdout.decode() + exc.stderr.decode())
            return 2
        if args.check:
            changed = differences(fresh, TARGET) if TARGET.exists() else ["(missing)"]
            if changed:
                print("The generated SDK is out of date; run `make sdk`. Differs:")
                print("\n".join(f"  {p}" for p in changed))
                return 1
            return 0
        shutil.rmtree(TARGET, ignore_errors=True)
        shutil.copytree(fresh, TARGET)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
