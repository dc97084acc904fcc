#!/usr/bin/env bash
# Installs the Debian packages briefpress needs, only those that are missing.
# Safe to run again; run as root (or with sudo) on Debian/Ubuntu.
set -euo pipefail

packages=(
  fontconfig            # fc-list: font lookup and the glyph coverage check
  fonts-noto-cjk        # Noto Serif/Sans CJK SC: the Chinese faces
  fonts-noto-core       # Noto Serif/Sans: the matching Latin faces
  libpango-1.0-0        # WeasyPrint's text layout
  libpangoft2-1.0-0
  libharfbuzz-subset0   # WeasyPrint's font subsetting
  poppler-utils         # pdftotext/pdffonts/pdftoppm: the tests read and draw the PDFs
  ghostscript           # the print shops' engine: the render tests draw every PDF with it too
  mupdf-tools           # mutool draw: the third PDF engine of the render tests
  default-jre-headless  # Java for EPUBCheck, used by the tests
  zbar-tools            # zbarimg: the tests read the QR code off the rendered page
  spamassassin          # the tests score the newsletter and Kindle mails (local rules, no network)
  chromium              # the reading checks lay out the editions in a real browser engine
  nodejs                # DAISY Ace and axe-core (scripts/node), run by the reading checks
  npm
  python3-venv
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# Java may come from elsewhere (a JDK in the image); any working java will do.
if command -v java >/dev/null 2>&1; then
  missing=("${missing[@]/default-jre-headless}")
fi
# Node.js may come from elsewhere too (NodeSource, nvm): any node with npm will do.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}")
  missing=("${missing[@]/npm}")
fi
# A Python with venv built in (pyenv, python.org) does not need python3-venv.
if python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  missing=("${missing[@]/python3-venv}")
fi
read -r -a missing <<< "${missing[*]}"

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

echo "system packages: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=sudo
  else
    echo "error: run as root, or install: apt-get install ${missing[*]}" >&2
    exit 1
  fi
else
  sudo=
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Build the font cache now, not during the first render.
fc-cache -f >/dev/null 2>&1 || true
