#!/usr/bin/env bash
# Installs what the browser and accessibility tests need, only when it is missing:
# Debian's chromium (never a downloaded browser), a Java runtime for the Nu HTML Checker,
# and the pinned npm packages (axe-core, vnu-jar) with install scripts disabled.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "setup-browser: installing ${need_apt[*]} from Debian" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ]; then
  echo "setup-browser: installing npm packages (axe-core, vnu-jar)" >&2
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
