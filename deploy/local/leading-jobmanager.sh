#!/usr/bin/env bash
# Prints the number N of the JobManager (jobmanager-N) that leads, as ZooKeeper records it.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
leading_jobmanager
