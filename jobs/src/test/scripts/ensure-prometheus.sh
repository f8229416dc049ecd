#!/usr/bin/env bash
# Run by ./mvnw verify before the integration tests: the monitoring test (LocalMonitoringIT) runs
# deploy/local/start-monitoring.sh, which starts Debian's prometheus, and checks the configuration
# with its promtool. Installs the package where it is missing and this user may (root with apt-get);
# otherwise says how to install it.
set -euo pipefail
prometheus="${1:-/usr/bin/prometheus}"
promtool="${2:-/usr/bin/promtool}"
if [ -x "$prometheus" ] && [ -x "$promtool" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's prometheus for the monitoring test (LocalMonitoringIT) ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
  if [ -x "$prometheus" ] && [ -x "$promtool" ]; then
    exit 0
  fi
fi
echo "error: the monitoring test needs $prometheus and $promtool, which are missing and could not be installed here." >&2
echo "Install them (Debian or Ubuntu: sudo apt-get install prometheus), or name others with" >&2
echo "-Dhivestream.prometheus=PATH -Dhivestream.promtool=PATH." >&2
exit 1
