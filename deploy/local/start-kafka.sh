#!/usr/bin/env bash
# Starts KAFKA_BROKERS Kafka nodes (KRaft, combined broker and controller) as separate processes
# and creates Hivestream's topics with KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS.
# With KAFKA_SECURED=1 (environment or cluster.conf) clients must use SASL_SSL with SCRAM-SHA-512,
# and the StandardAuthorizer allows only what ACLs grant: the broker's user is the super user, and
# the job's user "hivestream" gets exactly the job's ACLs. See docs/security.md.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
KAFKA_SECURED="${KAFKA_SECURED:-0}"
sec="$CLUSTER_DIR/kafka-security"
kafka_config=()
if [ "$KAFKA_SECURED" = 1 ]; then
  mkdir -p "$sec"
  chmod 700 "$sec"
  secrets="$sec/secrets.properties"
  if [ ! -f "$secrets" ]; then
    rnd() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
    (umask 077 && printf 'store.password=%s\nbroker.password=%s\njob.password=%s\n' "$(rnd)" "$(rnd)" "$(rnd)" >"$secrets")
  fi
  secret() { sed -n "s/^$1=//p" "$secrets"; }
  if [ ! -f "$sec/truststore.p12" ]; then
    keytool="${JAVA_HOME:+$JAVA_HOME/bin/}keytool"
    export HIVESTREAM_STOREPASS; HIVESTREAM_STOREPASS="$(secret store.password)"
    rm -f "$sec/broker.p12" "$sec/broker.pem"
    "$keytool" -genkeypair -alias broker -keyalg RSA -keysize 2048 -dname CN=hivestream-broker \
      -ext SAN=ip:127.0.0.1,dns:localhost -validity 365 -storetype PKCS12 -keystore "$sec/broker.p12" \
      -storepass:env HIVESTREAM_STOREPASS >"$sec/keytool.log" 2>&1
    "$keytool" -exportcert -rfc -alias broker -keystore "$sec/broker.p12" -storepass:env HIVESTREAM_STOREPASS \
      -file "$sec/broker.pem" >>"$sec/keytool.log" 2>&1
    "$keytool" -importcert -noprompt -alias hivestream-local-ca -file "$sec/broker.pem" -storetype PKCS12 \
      -keystore "$sec/truststore.p12" -storepass:env HIVESTREAM_STOREPASS >>"$sec/keytool.log" 2>&1
    unset HIVESTREAM_STOREPASS
  fi
  # Client configurations for --kafka-config: the passwords stay in secrets.properties, read by
  # Kafka's file config provider where each client runs.
  for user in broker job; do
    name="$user"; [ "$user" = job ] && name=hivestream
    cat >"$sec/$([ "$user" = broker ] && echo admin || echo job).properties" <<CLIENT
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
config.providers=file
config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$name" password="\${file:$secrets:$user.password}";
ssl.truststore.type=PKCS12
ssl.truststore.location=$sec/truststore.p12
ssl.truststore.password=\${file:$secrets:store.password}
CLIENT
  done
  kafka_config=(--kafka-config "$sec/admin.properties")
fi
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
  listener=PLAINTEXT
  [ "$KAFKA_SECURED" = 1 ] && listener=SASL_SSL
  (umask 077 && cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=$i
listeners=$listener://127.0.0.1:$((KAFKA_BASE_PORT + i)),CONTROLLER://127.0.0.1:$((KAFKA_CONTROLLER_BASE_PORT + i))
advertised.listeners=$listener://127.0.0.1:$((KAFKA_BASE_PORT + i))
controller.listener.names=CONTROLLER
inter.broker.listener.name=$listener
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
  )
  scram=()
  if [ "$KAFKA_SECURED" = 1 ]; then
    cat >>"$dir/server.properties" <<PROPS
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$(secret broker.password)";
ssl.keystore.type=PKCS12
ssl.keystore.location=$sec/broker.p12
ssl.keystore.password=$(secret store.password)
ssl.key.password=$(secret store.password)
ssl.truststore.type=PKCS12
ssl.truststore.location=$sec/truststore.p12
ssl.truststore.password=$(secret store.password)
listener.name.controller.ssl.client.auth=required
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:broker;User:CN=hivestream-broker
allow.everyone.if.no.acl.found=false
PROPS
    scram=(--add-scram "SCRAM-SHA-512=[name=broker,password=$(secret broker.password)]"
      --add-scram "SCRAM-SHA-512=[name=hivestream,password=$(secret job.password)]")
  else
    echo "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT" >>"$dir/server.properties"
  fi
  if [ ! -f "$dir/data/meta.properties" ]; then
    "$JAVA" -cp "$cp" kafka.tools.StorageTool format -t "$(cat "$cluster_id_file")" -c "$dir/server.properties" "${scram[@]}" >"$dir/format.log" 2>&1
  fi
  start_process --port $((KAFKA_BASE_PORT + i)) "$dir/pid" "$dir/console.log" "$JAVA" "-Xmx$KAFKA_HEAP" -XX:+UseG1GC \
    -Dlog4j2.configurationFile="$ROOT/deploy/local/log4j2-kafka.properties" -Dkafka.logs.dir="$dir" \
    -cp "$cp" kafka.Kafka "$dir/server.properties"
done
bootstrap=""
for ((i = 0; i < KAFKA_BROKERS; i++)); do
  wait_port $((KAFKA_BASE_PORT + i)) "kafka-$i" "$CLUSTER_DIR/kafka-$i/pid"
  bootstrap+="${bootstrap:+,}127.0.0.1:$((KAFKA_BASE_PORT + i))"
done
echo "$bootstrap" >"$CLUSTER_DIR/bootstrap"
"$ROOT/hivestream" topics --bootstrap "$bootstrap" "${kafka_config[@]}" --replication-factor "$KAFKA_REPLICATION_FACTOR" --min-insync-replicas "$KAFKA_MIN_INSYNC_REPLICAS"
if [ "$KAFKA_SECURED" = 1 ]; then
  "$ROOT/hivestream" acls --bootstrap "$bootstrap" "${kafka_config[@]}" --principal User:hivestream
  echo "kafka client configs: $sec/admin.properties (super user), $sec/job.properties (the job's user)"
fi
echo "kafka bootstrap: $bootstrap"
