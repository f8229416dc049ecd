#!/usr/bin/env bash
# Run by ./mvnw verify before the integration tests that drive programs from Debian packages (the
# console's browser test: chromium and chromedriver; the monitoring test: prometheus and promtool).
# Installs the packages where a program is missing and this user may (root with apt-get); otherwise
# says how to install them.
#   ensure-packages.sh TEST "PACKAGE..." "-Dproperty=PATH..." PROGRAM...
set -euo pipefail
test_name="$1" packages="$2" properties="$3"
shift 3
missing() {
  for program in "$@"; do [ -x "$program" ] || return 0; done
  return 1
}
missing "$@" || exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's $packages for $test_name ..."
  apt-get update -qq || true
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >/dev/null || true
  missing "$@" || exit 0
fi
echo "error: $test_name needs $*, which are missing and could not be installed here." >&2
echo "Install them (Debian or Ubuntu: sudo apt-get install $packages), or name others with $properties." >&2
exit 1
