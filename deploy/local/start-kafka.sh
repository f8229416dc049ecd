#!/usr/bin/env bash
# Starts KAFKA_BROKERS Kafka nodes (KRaft, combined broker and controller) as separate processes
# and creates Hivestream's topics with KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cp="$(dist_classpath kafka)"
voters=""
for ((i = 0; i < KAFKA_BROKERS; i++)); do
  voters+="${voters:+,}$i@127.0.0.1:$((KAFKA_CONTROLLER_BASE_PORT + i))"
done
rf=$((KAFKA_BROKERS < 3 ? KAFKA_BROKERS : 3))
isr=$((KAFKA_BROKERS < 2 ? KAFKA_BROKERS : 2))
cluster_id_file="$CLUSTER_DIR/kafka-cluster-id"
[ -f "$cluster_id_file" ] || "$JAVA" -cp "$cp" kafka.tools.StorageTool random-uuid >"$cluster_id_file"
for ((i = 0; i < KAFKA_BROKERS; i++)); do
  dir="$CLUSTER_DIR/kafka-$i"
  mkdir -p "$dir"
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=$i
listeners=PLAINTEXT://127.0.0.1:$((KAFKA_BASE_PORT + i)),CONTROLLER://127.0.0.1:$((KAFKA_CONTROLLER_BASE_PORT + i))
advertised.listeners=PLAINTEXT://127.0.0.1:$((KAFKA_BASE_PORT + i))
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.quorum.voters=$voters
log.dirs=$dir/data
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
  if [ ! -f "$dir/data/meta.properties" ]; then
    "$JAVA" -cp "$cp" kafka.tools.StorageTool format -t "$(cat "$cluster_id_file")" -c "$dir/server.properties" >"$dir/format.log" 2>&1
  fi
  start_process "$dir/pid" "$dir/console.log" "$JAVA" "-Xmx$KAFKA_HEAP" -XX:+UseG1GC \
    -Dlog4j2.configurationFile="$ROOT/deploy/local/log4j2-kafka.properties" -Dkafka.logs.dir="$dir" \
    -cp "$cp" kafka.Kafka "$dir/server.properties"
done
bootstrap=""
for ((i = 0; i < KAFKA_BROKERS; i++)); do
  wait_port $((KAFKA_BASE_PORT + i)) "kafka-$i"
  bootstrap+="${bootstrap:+,}127.0.0.1:$((KAFKA_BASE_PORT + i))"
done
echo "$bootstrap" >"$CLUSTER_DIR/bootstrap"
"$ROOT/hivestream" topics --bootstrap "$bootstrap" --replication-factor "$KAFKA_REPLICATION_FACTOR" --min-insync-replicas "$KAFKA_MIN_INSYNC_REPLICAS"
echo "kafka bootstrap: $bootstrap"
