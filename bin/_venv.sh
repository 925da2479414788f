# Sourced by bin/*: create ./venv from requirements.txt when it is missing or stale.
# A stamp holding the requirements' hash makes a second run free.
set -euo pipefail
PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$PROJECT_ROOT/venv"
STAMP="$VENV/.requirements.sha256"
wanted="$(sha256sum "$PROJECT_ROOT/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$wanted" ]; then
  echo "Setting up $VENV from requirements.txt (first run only)..." >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$PROJECT_ROOT/requirements.txt" >&2
  echo "$wanted" > "$STAMP"
fi
PYTHON="$VENV/bin/python"
