#!/usr/bin/env bash
# Starts a Flink session cluster on this machine: one JobManager and TASKMANAGERS TaskManagers,
# each its own process, from Flink's Maven artifacts (no flink-dist tarball needed).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cp="$(dist_classpath flink)"
conf="$CLUSTER_DIR/flink-conf"
mkdir -p "$conf" "$CLUSTER_DIR/checkpoints" "$CLUSTER_DIR/savepoints" "$CLUSTER_DIR/flink-uploads"
cat >"$conf/config.yaml" <<YAML
jobmanager.rpc.address: localhost
jobmanager.rpc.port: $FLINK_RPC_PORT
jobmanager.bind-host: localhost
jobmanager.memory.process.size: $JOBMANAGER_MEMORY
taskmanager.bind-host: localhost
taskmanager.host: localhost
taskmanager.numberOfTaskSlots: $TASK_SLOTS
taskmanager.cpu.cores: $TASK_SLOTS
taskmanager.memory.process.size: $TASKMANAGER_MEMORY
rest.port: $FLINK_REST_PORT
rest.address: localhost
rest.bind-address: localhost
web.upload.dir: $CLUSTER_DIR/flink-uploads
state.backend.type: rocksdb
execution.checkpointing.incremental: true
execution.checkpointing.interval: $CHECKPOINT_INTERVAL
execution.checkpointing.dir: file://$CLUSTER_DIR/checkpoints
execution.checkpointing.savepoint-dir: file://$CLUSTER_DIR/savepoints
execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION
restart-strategy.type: exponential-delay
pipeline.generic-types: false
metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
metrics.reporter.prom.port: ${PROMETHEUS_PORTS:-9249-9260}
YAML
resources() { # prints the JVM flags, then the dynamic options, of a JobManager or TaskManager
  "$JAVA" -cp "$cp" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$conf" 2>/dev/null \
    | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p'
}
mapfile -t jm < <(resources GET_JM_RESOURCE_PARAMS)
# shellcheck disable=SC2086
start_process "$CLUSTER_DIR/jobmanager.pid" "$CLUSTER_DIR/jobmanager.out" "$JAVA" "${FLINK_JVM_OPTS[@]}" ${jm[0]} \
  -Dlog.file="$CLUSTER_DIR/jobmanager.log" -Dlog4j.configurationFile="$ROOT/deploy/local/log4j2-flink.properties" \
  -cp "$cp" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$conf" ${jm[1]}
wait_port "$FLINK_REST_PORT" "the JobManager"
for ((i = 0; i < TASKMANAGERS; i++)); do
  "$(dirname "${BASH_SOURCE[0]}")/start-taskmanager.sh" "$i"
done
for _ in $(seq 1 120); do
  registered="$(curl -s "http://localhost:$FLINK_REST_PORT/overview" | sed -n 's/.*"taskmanagers":\([0-9]*\).*/\1/p')"
  [ "${registered:-0}" -ge "$TASKMANAGERS" ] && break
  sleep 0.5
done
echo "flink web ui and rest: http://localhost:$FLINK_REST_PORT ($registered taskmanagers)"
echo "prometheus metrics: http://localhost:<port>/metrics, one port of ${PROMETHEUS_PORTS:-9249-9260} per Flink process"
