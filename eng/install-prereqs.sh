#!/usr/bin/env bash
# Installs the native prerequisites of Rlhf (the site's training jobs and the test suite), idempotently.
# eng/run.sh and eng/test.sh call it first.
#
# 1. TorchSharp 0.107 (libtorch 2.10) needs libstdc++ with GLIBCXX_3.4.32 (GCC 13+).
#    Debian 12 ships GCC 12's libstdc++. Only there, and only when the symbol is missing, this
#    adds the Debian 13 ("trixie") suite with a low pin priority (so nothing else moves to it)
#    and installs libstdc++6 from it. Ubuntu 24.04+, Debian 13+, Fedora 39+ already have it.
# 2. Debian's chromium, driven by the Playwright browser tests (never `playwright install`).
# 3. Debian's postgresql (server binaries) for the test suite's PostgreSQL pass.
#
# A second run changes nothing and says so. Root (or sudo) is needed only when something is missing.
set -euo pipefail

say() { echo "[install-prereqs] $*"; }

INSTALLED=0
# Runs a command as root: directly when root, else through sudo; without sudo, says what is missing and stops.
as_root() {
  INSTALLED=1
  if [ "$(id -u)" = "0" ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else
    say "ERROR: installing needs root, and this user is not root and has no sudo: run this script as root once"
    exit 1
  fi
}

ID="unknown"; VERSION_ID=""
if [ -r /etc/os-release ]; then . /etc/os-release; fi

libstdcxx_path() {
  local p
  p=$( (ldconfig -p 2>/dev/null || true) | awk '/libstdc\+\+\.so\.6 .*x86-64|libstdc\+\+\.so\.6 .*AArch64/ {print $NF; exit}')
  if [ -z "$p" ]; then
    for c in /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib/aarch64-linux-gnu/libstdc++.so.6 /usr/lib64/libstdc++.so.6; do
      [ -e "$c" ] && { p="$c"; break; }
    done
  fi
  echo "$p"
}

has_glibcxx_3_4_32() {
  local lib; lib=$(libstdcxx_path)
  [ -n "$lib" ] && grep -qa 'GLIBCXX_3\.4\.32' "$(readlink -f "$lib")"
}

APT_UPDATED=0
apt_update_once() {
  if [ "$APT_UPDATED" = "0" ]; then
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
}

# ---- 1. libstdc++ for TorchSharp -------------------------------------------------------------
if has_glibcxx_3_4_32; then
  say "libstdc++ ($(readlink -f "$(libstdcxx_path)")) has GLIBCXX_3.4.32: nothing to do"
elif [ "$ID" = "debian" ] && [ "${VERSION_ID%%.*}" = "12" ]; then
  say "libstdc++ lacks GLIBCXX_3.4.32 on Debian 12: installing libstdc++6 from trixie (pinned low)"
  if [ ! -f /etc/apt/sources.list.d/rlhf-trixie.sources ]; then
    as_root tee /etc/apt/sources.list.d/rlhf-trixie.sources >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    say "added /etc/apt/sources.list.d/rlhf-trixie.sources"
  fi
  if [ ! -f /etc/apt/preferences.d/rlhf-trixie-low ]; then
    as_root tee /etc/apt/preferences.d/rlhf-trixie-low >/dev/null <<'PIN'
# Added by Rlhf eng/install-prereqs.sh: trixie only for what is asked for with -t trixie.
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
    say "added /etc/apt/preferences.d/rlhf-trixie-low (priority 100)"
  fi
  APT_UPDATED=0; apt_update_once
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t trixie libstdc++6
  if has_glibcxx_3_4_32; then say "libstdc++ now has GLIBCXX_3.4.32"; else
    say "ERROR: libstdc++ still lacks GLIBCXX_3.4.32 after the upgrade"; exit 1; fi
else
  say "ERROR: libstdc++ lacks GLIBCXX_3.4.32 and this is $ID $VERSION_ID, not Debian 12."
  say "Install libstdc++ from GCC 13 or newer (Ubuntu 24.04+, Debian 13+, Fedora 39+ have it)."
  exit 1
fi

# ---- 2. chromium for the browser tests --------------------------------------------------------
if [ -x /usr/bin/chromium ]; then
  say "chromium present ($(/usr/bin/chromium --version 2>/dev/null || echo unknown version)): nothing to do"
elif [ "$ID" = "debian" ] || [ "$ID" = "ubuntu" ] || [ "${ID_LIKE:-}" = "debian" ]; then
  say "installing Debian's chromium for the Playwright browser tests"
  apt_update_once
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  say "chromium installed: $(/usr/bin/chromium --version 2>/dev/null || echo unknown version)"
else
  say "ERROR: /usr/bin/chromium missing; install your distribution's chromium package"
  exit 1
fi

# ---- 3. PostgreSQL server binaries for the test suite's PostgreSQL pass --------------------------
# (eng/postgres-cluster.sh runs initdb/pg_ctl from them in a temp folder; the package's own cluster is not used.)
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
  say "PostgreSQL server binaries present ($(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | head -1)): nothing to do"
elif [ "$ID" = "debian" ] || [ "$ID" = "ubuntu" ] || [ "${ID_LIKE:-}" = "debian" ]; then
  say "installing Debian's postgresql for the test suite's PostgreSQL pass"
  apt_update_once
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
  say "postgresql installed: $(ls -d /usr/lib/postgresql/*/bin | head -1)"
else
  say "ERROR: PostgreSQL's initdb is missing; install your distribution's postgresql server package"
  exit 1
fi

# ---- 4. the .NET SDK is a prerequisite, not installed here ------------------------------------
if command -v dotnet >/dev/null 2>&1; then
  say "dotnet SDK $(dotnet --version) present"
else
  say "ERROR: the .NET 10 SDK is not on PATH (https://dot.net); this script does not install it"
  exit 1
fi
if [ "$INSTALLED" = "0" ]; then say "every prerequisite is present: nothing to do"; else say "done"; fi
