#!/usr/bin/env bash
# Installs what the browser and accessibility tests need, only when it is missing:
# Debian's chromium (never a downloaded browser), a Java runtime for the Nu HTML Checker,
# poppler-utils (pdftotext) for the print tests, Pango and a font for WeasyPrint (render --to pdf),
# and the pinned npm packages (axe-core, vnu-jar, and the cross-tool checkers fhirpath, lforms,
# ajv, ajv-formats, ical.js) with install scripts disabled.
set -euo pipefail
cd "$(dirname "$0")/.."

# `--pdf-only` (used by `make demo`): only what the site's PDF handouts need.
pdf_only=
[ "${1:-}" = "--pdf-only" ] && pdf_only=1

need_apt=()
if [ -z "$pdf_only" ]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
  command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)  # the print tests read PDFs
fi
# WeasyPrint (the pdf extra) loads Pango through ctypes and needs at least one font.
for lib in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; do
  dpkg-query -W -f='${Status}' "$lib" 2>/dev/null | grep -q "ok installed" || need_apt+=("$lib")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "setup-browser: installing ${need_apt[*]} from Debian" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
[ -n "$pdf_only" ] && exit 0
need_npm=
for f in axe-core/axe.min.js vnu-jar/build/dist/vnu.jar fhirpath/package.json \
         ajv/package.json ajv-formats/package.json ical.js/package.json; do
  [ -f "node_modules/$f" ] || need_npm=1
done
if [ -n "$need_npm" ]; then
  echo "setup-browser: installing npm packages (package-lock.json)" >&2
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi

# LHC-Forms: only its prebuilt, self-contained web-component bundle is needed (the cross-tool test
# renders exported Questionnaires in it). Its npm dependency tree (Angular, ng-zorro: hundreds of
# packages, a 15-minute peer-dependency resolution) is never used at run time, so the pinned tarball
# is fetched alone and checked against its published sha512 before it is unpacked.
LFORMS_VERSION=40.1.3
LFORMS_SHA512='WLruTm+BcVnafC0rSAQ3/cNqhxvclBUxyBG68aub/uha2NaK9H8ZZcEXTTuORuGzzCt0wa7fvhuieZtcDIdPzQ=='
if [ ! -f node_modules/lforms/dist/lforms/webcomponent/lhc-forms.js ]; then
  echo "setup-browser: fetching lforms@$LFORMS_VERSION (prebuilt bundle only)" >&2
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack "lforms@$LFORMS_VERSION" --silent >/dev/null)
  got=$(openssl dgst -sha512 -binary "$tmp/lforms-$LFORMS_VERSION.tgz" | base64 -w0)
  if [ "$got" != "$LFORMS_SHA512" ]; then
    echo "setup-browser: lforms tarball checksum mismatch" >&2; rm -rf "$tmp"; exit 1
  fi
  rm -rf node_modules/lforms && mkdir -p node_modules/lforms
  tar xzf "$tmp/lforms-$LFORMS_VERSION.tgz" -C node_modules/lforms --strip-components=1
  rm -rf "$tmp"
fi
