#!/usr/bin/env bash
# Validates a report folder's notebook with nbformat and executes it with nbconvert (pandas, scipy, matplotlib),
# writing report.executed.ipynb beside it. Needs PyPI; the venv goes to work-data/notebook-venv. Not part of CI.
# Usage: scripts/check-report-notebook.sh notebooks-export/groundtruth-baselines
set -euo pipefail
cd "$(dirname "$0")/.."
folder=${1:?usage: $0 REPORT_FOLDER}
venv=work-data/notebook-venv
[ -x "$venv/bin/jupyter" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q nbformat nbconvert ipykernel pandas scipy matplotlib; }
"$venv/bin/python" -c "import nbformat, sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4)); print('nbformat: valid')" "$folder/report.ipynb"
(cd "$folder" && "../../$venv/bin/jupyter" nbconvert --to notebook --execute report.ipynb --output report.executed.ipynb)
"$venv/bin/python" - "$folder/report.executed.ipynb" <<'PY'
import json, sys
for cell in json.load(open(sys.argv[1]))["cells"]:
    for output in cell.get("outputs", []):
        text = output.get("text") or output.get("data", {}).get("text/plain", "")
        print("".join(text) if isinstance(text, list) else text)
PY
