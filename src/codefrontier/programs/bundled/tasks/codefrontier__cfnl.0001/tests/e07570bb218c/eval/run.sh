#!/bin/bash
# Runs this branch's tests from the workspace root (ProgramBench's layout).
set -e
cd "$(dirname "$0")/.."
pip install pytest --quiet 2>/dev/null || true
python3 -m pytest eval/tests/ --junitxml=eval/results.xml -v || true
