#!/usr/bin/env bash
# Starts TaskManager number N (0-based) of the local Flink cluster; also replaces one that died.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
n="${1:?usage: start-taskmanager.sh N}"
cp="$(dist_classpath flink)"
conf="$CLUSTER_DIR/flink-conf"
dir="$CLUSTER_DIR/taskmanager-$n"
mkdir -p "$dir/tmp"
mapfile -t tm < <(flink_resources GET_TM_RESOURCE_PARAMS)
# shellcheck disable=SC2086
start_process "$dir/pid" "$dir/taskmanager.out" "$JAVA" "${FLINK_JVM_OPTS[@]}" ${tm[0]} \
  -Dlog.file="$dir/taskmanager.log" -Dlog4j.configurationFile="$ROOT/deploy/local/log4j2-flink.properties" \
  -cp "$cp" org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$conf" ${tm[1]} \
  -D "taskmanager.resource-id=taskmanager-$n" -D "io.tmp.dirs=$dir/tmp"
