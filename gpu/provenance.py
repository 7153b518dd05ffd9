"""Where a result came from: the commit of the tree the GPU suite and the benchmark ran from."""
import os
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def commit():
    """$ATTNC_COMMIT (set by gpu/run.sh from a staged tree without .git), else git, else "unknown"."""
    if os.environ.get("ATTNC_COMMIT"):
        return os.environ["ATTNC_COMMIT"]
    try:
        return subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except Exception:
        return "unknown"
