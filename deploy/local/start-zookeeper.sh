#!/usr/bin/env bash
# Starts one ZooKeeper server (from Maven artifacts) on ZOOKEEPER_PORT: where the JobManagers elect
# their leader and find the job's latest checkpoint when JOBMANAGERS is more than one.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cp="$(dist_classpath zookeeper)"
dir="$CLUSTER_DIR/zookeeper"
mkdir -p "$dir/data"
cat >"$dir/zoo.cfg" <<CFG
dataDir=$dir/data
clientPort=$ZOOKEEPER_PORT
clientPortAddress=127.0.0.1
tickTime=2000
initLimit=10
syncLimit=5
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr
CFG
start_process --port "$ZOOKEEPER_PORT" "$dir/pid" "$dir/console.log" "$JAVA" -Xmx256m \
  -Dlog4j2.configurationFile="$ROOT/deploy/local/log4j2-zookeeper.properties" -Dzookeeper.log.dir="$dir" \
  -cp "$cp" org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zoo.cfg"
wait_port "$ZOOKEEPER_PORT" "ZooKeeper" "$dir/pid"
echo "zookeeper: 127.0.0.1:$ZOOKEEPER_PORT"
