#!/usr/bin/env bash
# Installs the system libraries and tools linkaudit needs, only when missing.
# Debian/Ubuntu: apt-get (with sudo when not root). Safe to run repeatedly.
set -euo pipefail

packages=(pkg-config libsqlite3-dev libxlsxwriter-dev libpsl-dev libidn2-dev publicsuffix zlib1g-dev sqlite3)
missing=()
have_pc() { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1"; }
have_pc sqlite3 || missing+=(libsqlite3-dev)
have_pc xlsxwriter || missing+=(libxlsxwriter-dev)
have_pc libpsl || missing+=(libpsl-dev)
have_pc libidn2 || missing+=(libidn2-dev)
have_pc zlib || missing+=(zlib1g-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
[ -f /usr/share/publicsuffix/public_suffix_list.dafsa ] || missing+=(publicsuffix)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "deps: installing ${missing[*]}" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "deps: apt-get not found; install these packages by hand: ${packages[*]}" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
