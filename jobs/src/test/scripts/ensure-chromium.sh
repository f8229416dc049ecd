#!/usr/bin/env bash
# Run by ./mvnw verify before the integration tests: the console's browser test (ConsoleIT) drives
# Debian's headless Chromium through its chromedriver. Installs both where they are missing and
# this user may (root with apt-get); otherwise says how to install them.
set -euo pipefail
chromium="${1:-/usr/bin/chromium}"
chromedriver="${2:-/usr/bin/chromedriver}"
if [ -x "$chromium" ] && [ -x "$chromedriver" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium and chromium-driver for the console's browser test (ConsoleIT) ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  if [ -x "$chromium" ] && [ -x "$chromedriver" ]; then
    exit 0
  fi
fi
echo "error: the console's browser test needs $chromium and $chromedriver, which are missing and could not be installed here." >&2
echo "Install them (Debian or Ubuntu: sudo apt-get install chromium chromium-driver), or name others with" >&2
echo "-Dhivestream.chromium=PATH -Dhivestream.chromedriver=PATH." >&2
exit 1
