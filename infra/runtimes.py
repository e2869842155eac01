"""Fetch server runtimes into the cache once: Maven jars, npm packages, apt programs."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

INFRA_DIR = Path(__file__).resolve().parent
INSTALL_SYSTEM_DEPS = INFRA_DIR / "install-system-deps.sh"
STAMP = ".complete"


def require(program: str) -> str:
    """The path of `program`; installs the system packages (apt) once when it is missing."""
    found = shutil.which(program)
    if found is None:
        print(f"{program} not found: running {INSTALL_SYSTEM_DEPS}", flush=True)
        subprocess.run(["bash", str(INSTALL_SYSTEM_DEPS)], check=True)
        found = shutil.which(program)
    if found is None:
        raise RuntimeError(f"{program} is still missing after {INSTALL_SYSTEM_DEPS}")
    return found


def _run(argv: list[str], cwd: Path | None = None) -> None:
    """Runs a fetch quietly; on failure the error carries its output."""
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()[-4000:]
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}:\n{output}")


def _digest(*files: Path) -> str:
    sha = hashlib.sha256()
    for path in files:
        sha.update(path.read_bytes())
    return sha.hexdigest()[:12]


def _publish(tmp: Path, target: Path, digest: str) -> Path:
    """Move a finished download into place atomically (a concurrent fetch may win)."""
    (tmp / STAMP).write_text(digest + "\n")
    if target.exists():
        shutil.rmtree(target, ignore_errors=True)
    try:
        tmp.rename(target)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not _complete(target, digest):
            raise
    return target


def _complete(target: Path, digest: str) -> bool:
    stamp = target / STAMP
    return stamp.is_file() and stamp.read_text().strip() == digest


def pom_version(pom: Path, prop: str) -> str:
    match = re.search(rf"<{re.escape(prop)}>([^<]+)</", pom.read_text())
    if match is None:
        raise RuntimeError(f"{pom} has no <{prop}> property")
    return match.group(1).strip()


def maven_jars(pom: Path, target: Path) -> Path:
    """`mvn dependency:copy-dependencies` of `pom` into `target` (reused while the pom is same)."""
    digest = _digest(pom)
    if _complete(target, digest):
        return target
    mvn = require("mvn")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    print(f"fetching {target.name} jars from Maven Central into {target}", flush=True)
    _run(
        [mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
         f"-DoutputDirectory={tmp}", "-DincludeScope=runtime"],
    )
    return _publish(tmp, target, digest)


def npm_version(package_dir: Path, dependency: str) -> str:
    manifest = json.loads((package_dir / "package.json").read_text())
    return str(manifest["dependencies"][dependency])


def npm_packages(package_dir: Path, target: Path) -> Path:
    """`npm ci` of the committed package.json + package-lock.json into `target`."""
    files = [package_dir / "package.json", package_dir / "package-lock.json"]
    digest = _digest(*files)
    if _complete(target, digest):
        return target
    npm = require("npm")
    require("node")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    for file in files:
        shutil.copy2(file, tmp / file.name)
    print(f"installing {target.name} from npm into {target}", flush=True)
    _run([npm, "ci", "--no-audit", "--no-fund", "--omit=dev", "--loglevel=error"], cwd=tmp)
    return _publish(tmp, target, digest)
