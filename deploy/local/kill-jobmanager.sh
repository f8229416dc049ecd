#!/usr/bin/env bash
# Kills a JobManager with SIGKILL, as a crash would: number N (0-based), or by default the one that
# leads. start-jobmanager.sh N starts a replacement, which stands by.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
n="${1:-$(leading_jobmanager)}"
kill_process "$CLUSTER_DIR/jobmanager-$n/pid"
echo "jobmanager-$n killed"
