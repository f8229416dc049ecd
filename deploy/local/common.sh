# Shared by the deploy/local scripts: configuration, classpaths, process helpers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CONF="${HIVESTREAM_CLUSTER_CONF:-$ROOT/deploy/local/cluster.conf}"
# shellcheck source=cluster.conf
source "$CONF"
case "$CLUSTER_DIR" in /*) ;; *) CLUSTER_DIR="$ROOT/$CLUSTER_DIR" ;; esac
mkdir -p "$CLUSTER_DIR"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# What Flink's own start scripts give every JVM on Java 17 (config.yaml's env.java.opts.all there).
FLINK_JVM_OPTS=(--add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED)

# The classpath of a dist pom (flink or kafka), resolved once with the Maven wrapper.
dist_classpath() {
  local name="$1" file="$CLUSTER_DIR/$1.classpath"
  if [ ! -s "$file" ] || [ "$ROOT/deploy/local/dist/$name/pom.xml" -nt "$file" ] || [ "$ROOT/pom.xml" -nt "$file" ]; then
    (cd "$ROOT" && ./mvnw -q -B -f "deploy/local/dist/$name/pom.xml" dependency:build-classpath -Dmdep.outputFile="$file") >&2
  fi
  cat "$file"
}

# The JVM flags, then the dynamic options, of a JobManager (GET_JM_RESOURCE_PARAMS) or TaskManager
# (GET_TM_RESOURCE_PARAMS), as Flink's start scripts compute them from the configuration.
flink_resources() {
  "$JAVA" -cp "$(dist_classpath flink)" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" \
    --configDir "$CLUSTER_DIR/flink-conf" 2>/dev/null | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p'
}

# Whether a pid is a live process (a killed one may linger as a zombie until reaped).
is_running() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state="$(ps -o stat= -p "$1" 2>/dev/null)"
  [ -n "$state" ] && [ "${state:0:1}" != "Z" ]
}

# Whether a TCP port on localhost accepts connections.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Starts a background process with a pid file; its output goes to LOG. With --port P, the process
# is to listen on P: another process listening there already is an error, not a success.
start_process() {
  local port=""
  if [ "$1" = --port ]; then port="$2"; shift 2; fi
  local pidfile="$1" log="$2"; shift 2
  if [ -f "$pidfile" ] && is_running "$(cat "$pidfile")"; then
    echo "already running: $pidfile (pid $(cat "$pidfile"))" >&2
    return 0
  fi
  if [ -n "$port" ] && port_open "$port"; then
    echo "port $port is in use by another process; stop it, or choose another port in $CONF" >&2
    return 1
  fi
  nohup "$@" >"$log" 2>&1 &
  echo $! >"$pidfile"
}

# Stops the processes of pid files together: SIGTERM to each, up to 30 s for all of them, then
# SIGKILL to those left. Nodes of one cluster (Kafka's) stop faster together than one by one: the
# last one left alone waits for a quorum that is gone.
stop_process() {
  local pidfile pid pids=() files=()
  for pidfile in "$@"; do
    [ -f "$pidfile" ] || continue
    files+=("$pidfile")
    pid="$(cat "$pidfile")"
    if is_running "$pid"; then
      kill "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  for _ in $(seq 1 60); do
    local left=()
    for pid in "${pids[@]}"; do is_running "$pid" && left+=("$pid"); done
    pids=("${left[@]}")
    [ "${#pids[@]}" -eq 0 ] && break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -f "${files[@]}"
}

# Waits until a TCP port on localhost accepts connections; with a pid file, fails as soon as that
# process has exited.
wait_port() {
  local port="$1" what="$2" pidfile="${3:-}"
  for _ in $(seq 1 120); do
    if [ -n "$pidfile" ] && ! is_running "$(cat "$pidfile")"; then
      echo "$what exited before it opened port $port; see the logs in $CLUSTER_DIR" >&2
      return 1
    fi
    port_open "$port" && return 0
    sleep 0.5
  done
  echo "$what did not open port $port; see the logs in $CLUSTER_DIR" >&2
  return 1
}

# Kills the process of a pid file with SIGKILL, as a crash would, and waits until it is gone.
kill_process() {
  local pidfile="$1" pid
  pid="$(cat "$pidfile")"
  kill -9 "$pid" 2>/dev/null || true
  for _ in $(seq 1 120); do is_running "$pid" || return 0; sleep 0.25; done
  echo "process $pid did not die" >&2
  return 1
}

# The number N of the JobManager (jobmanager-N) that leads, as ZooKeeper records it: the address
# of the leader's REST endpoint, whose port is FLINK_REST_PORT+N. A dead leader stays recorded until
# ZooKeeper expires its session (ZOOKEEPER_SESSION_TIMEOUT), and a replacement may have started
# with its number meanwhile: a record counts only when it is no older than the live process it
# names. Waits up to two minutes for one.
leading_jobmanager() {
  [ "${JOBMANAGERS:-1}" -gt 1 ] || { echo 0; return 0; }
  local zk; zk="$(dist_classpath zookeeper)"
  local deadline=$((SECONDS + 120))
  while [ "$SECONDS" -lt "$deadline" ]; do
    local record port n pid written started
    record="$("$JAVA" -cp "$zk" org.apache.zookeeper.ZooKeeperMain -server "127.0.0.1:$ZOOKEEPER_PORT" \
      get -s /hivestream/local/leader/rest_server/connection_info 2>/dev/null | tr -d '\0' || true)"
    port="$(grep -ao 'http://[a-z0-9.]*:[0-9]*' <<<"$record" | sed 's/.*://' | head -1 || true)"
    written="$(sed -n 's/^mtime = //p' <<<"$record" | head -1)"
    if [ -n "$port" ] && [ -n "$written" ]; then
      n=$((port - FLINK_REST_PORT))
      pid="$(cat "$CLUSTER_DIR/jobmanager-$n/pid" 2>/dev/null || echo 0)"
      if is_running "$pid"; then
        started="$(date -d "$(ps -o lstart= -p "$pid")" +%s)"
        if [ "$(date -d "$written" +%s)" -ge "$started" ]; then
          echo "$n"
          return 0
        fi
      fi
    fi
    sleep 1
  done
  echo "no JobManager leads; see the logs in $CLUSTER_DIR/jobmanager-*" >&2
  return 1
}
