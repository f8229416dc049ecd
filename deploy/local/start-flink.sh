#!/usr/bin/env bash
# Starts a Flink session cluster on this machine: JOBMANAGERS JobManagers and TASKMANAGERS
# TaskManagers, each its own process, from Flink's Maven artifacts (no flink-dist tarball needed).
# With more than one JobManager, ZooKeeper (start-zookeeper.sh) elects the leader and the others
# stand by: when the leader dies one of them takes the job over from its latest checkpoint.
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
if [ "${CHANGELOG:-false}" = true ]; then
  mkdir -p "$CLUSTER_DIR/changelog"
  cat >>"$conf/config.yaml" <<YAML
state.changelog.enabled: true
state.changelog.storage: filesystem
state.changelog.dstl.dfs.base-path: file://$CLUSTER_DIR/changelog
YAML
fi
if [ "${JOBMANAGERS:-1}" -gt 1 ]; then
  cat >>"$conf/config.yaml" <<YAML
high-availability.type: zookeeper
high-availability.zookeeper.quorum: 127.0.0.1:$ZOOKEEPER_PORT
high-availability.zookeeper.path.root: /hivestream
high-availability.cluster-id: /local
high-availability.storageDir: file://$CLUSTER_DIR/ha
high-availability.zookeeper.client.session-timeout: ${ZOOKEEPER_SESSION_TIMEOUT:-10s}
high-availability.zookeeper.client.connection-timeout: ${ZOOKEEPER_SESSION_TIMEOUT:-10s}
zookeeper.sasl.disable: true
YAML
  "$(dirname "${BASH_SOURCE[0]}")/start-zookeeper.sh"
fi
# Every process starts at once; each start script fails on its own when its process does.
starts=()
for ((i = 0; i < ${JOBMANAGERS:-1}; i++)); do
  "$(dirname "${BASH_SOURCE[0]}")/start-jobmanager.sh" "$i" &
  starts+=($!)
done
for ((i = 0; i < TASKMANAGERS; i++)); do
  "$(dirname "${BASH_SOURCE[0]}")/start-taskmanager.sh" "$i" &
  starts+=($!)
done
for start in "${starts[@]}"; do
  wait "$start"
done
for _ in $(seq 1 120); do
  registered="$(curl -s "http://localhost:$FLINK_REST_PORT/overview" | sed -n 's/.*"taskmanagers":\([0-9]*\).*/\1/p')"
  [ "${registered:-0}" -ge "$TASKMANAGERS" ] && break
  sleep 0.5
done
echo "flink web ui and rest: http://localhost:$FLINK_REST_PORT ($registered taskmanagers)"
if [ "${JOBMANAGERS:-1}" -gt 1 ]; then
  echo "jobmanagers: ports $FLINK_REST_PORT-$((FLINK_REST_PORT + JOBMANAGERS - 1)), jobmanager-$(leading_jobmanager) leads, the others stand by"
fi
echo "prometheus metrics: http://localhost:<port>/metrics, one port of ${PROMETHEUS_PORTS:-9249-9260} per Flink process"
