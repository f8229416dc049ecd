#!/usr/bin/env bash
# Starts JobManager number N (0-based) of the local Flink cluster, its REST API and web UI on
# FLINK_REST_PORT+N; also replaces one that died, which then stands by while another leads.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
n="${1:?usage: start-jobmanager.sh N}"
cp="$(dist_classpath flink)"
conf="$CLUSTER_DIR/flink-conf"
dir="$CLUSTER_DIR/jobmanager-$n"
mkdir -p "$dir"
mapfile -t jm < <(flink_resources GET_JM_RESOURCE_PARAMS)
# Its RPC port is FLINK_RPC_PORT+N; with high availability the TaskManagers learn the leader's
# address from ZooKeeper.
# shellcheck disable=SC2086
start_process --port "$((FLINK_REST_PORT + n))" "$dir/pid" "$dir/jobmanager.out" "$JAVA" "${FLINK_JVM_OPTS[@]}" ${jm[0]} \
  -Dlog.file="$dir/jobmanager.log" -Dlog4j.configurationFile="$ROOT/deploy/local/log4j2-flink.properties" \
  -cp "$cp" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$conf" ${jm[1]} \
  -D "rest.port=$((FLINK_REST_PORT + n))" -D "jobmanager.rpc.port=$((FLINK_RPC_PORT + n))"
wait_port "$((FLINK_REST_PORT + n))" "jobmanager-$n" "$dir/pid"
