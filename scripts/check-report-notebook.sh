#!/usr/bin/env bash
# Validates a report folder's notebook with nbformat and executes it with nbconvert (pandas, scipy, matplotlib),
# writing NAME.executed.ipynb beside it. Needs PyPI; the venv goes to work-data/notebook-venv. Not part of CI.
# Usage: scripts/check-report-notebook.sh notebooks-export/groundtruth-baselines [report.ipynb]
set -euo pipefail
cd "$(dirname "$0")/.."
folder=${1:?usage: $0 REPORT_FOLDER [NOTEBOOK]}
notebook=${2:-report.ipynb}
executed=${notebook%.ipynb}.executed.ipynb
venv=work-data/notebook-venv
[ -x "$venv/bin/jupyter" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q nbformat nbconvert ipykernel pandas scipy matplotlib; }
"$venv/bin/python" -c "import nbformat, sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4)); print('nbformat: valid')" "$folder/$notebook"
(cd "$folder" && "$OLDPWD/$venv/bin/jupyter" nbconvert --to notebook --execute "$notebook" --output "$executed")
"$venv/bin/python" - "$folder/$executed" <<'PY'
import json, sys
for cell in json.load(open(sys.argv[1]))["cells"]:
    for output in cell.get("outputs", []):
        text = output.get("text") or output.get("data", {}).get("text/plain", "")
        print("".join(text) if isinstance(text, list) else text)
PY
