#!/bin/sh
# scripts/deps.sh - install the Debian 12 packages llmref needs to build,
# test and run locally. Does nothing when all are installed already.
set -e
PKGS="build-essential autoconf automake pkg-config
libcurl4-openssl-dev libxml2-dev libxml2-utils libjansson-dev libpq-dev
libsystemd-dev libinih-dev libssl-dev libcmark-gfm-dev libcmark-gfm-extensions-dev
libjq-dev libonig-dev
postgresql postgresql-common python3 clang-format curl ca-certificates systemd
cppcheck valgrind python3-jsonschema chromium poppler-utils"
missing=$(for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"
done)
[ -z "$missing" ] && exit 0
echo "deps.sh: installing:" $missing
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
