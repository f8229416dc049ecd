package io.hivestream.client;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.codec.Codecs;
import io.hivestream.schemas.codec.TaskKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A service's way into Hivestream: publishes tasks and completes a future with each task's result,
 * hands every result to subscribers, and registers and retires agents.
 *
 * <p>Tasks are written to the tasks topic as Avro single-object records, keyed by their {@code
 * sessionId} when they have one (so that the turns of a session stay in one partition, in order)
 * and by their task id otherwise. A task without an id gets a random UUID. Results are read from
 * the results topic with {@code read_committed}, so a future completes only with a result whose
 * checkpoint has committed, and they are matched to futures by task id.
 *
 * <p>Memory is bounded: at most {@link Builder#maxPending(int) maxPending} futures wait for their
 * result at a time. {@link #submit(Task)} blocks while the limit is reached, and gives up with an
 * {@link IllegalStateException} naming the limit if no slot frees within the timeout. Each future
 * completes exceptionally with a {@link TimeoutException} naming its task id if no result arrives
 * within the timeout; the task itself is not withdrawn and its result, when it comes, still reaches
 * the subscribers of {@link #results(Consumer)}.
 *
 * <p>One thread reads the results; futures complete and subscribers run on it, so what they do
 * should be quick (or hand the work to an executor of their own). Instances are thread-safe.
 */
public final class HivestreamClient implements AutoCloseable {
    private final Builder settings;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Semaphore slots;
    private final List<Consumer<TaskResult>> subscribers = new CopyOnWriteArrayList<>();
    private final ScheduledThreadPoolExecutor timer;
    private final Thread reader;
    private final CountDownLatch readerStarted = new CountDownLatch(1);
    private volatile boolean closed;

    /** A future waiting for its result, and the timer that fails it. */
    private static final class Pending {
        final CompletableFuture<TaskResult> future = new CompletableFuture<>();
        volatile ScheduledFuture<?> timeout;

        void cancelTimeout() {
            ScheduledFuture<?> scheduled = timeout;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
    }

    private HivestreamClient(Builder builder) {
        this.settings = builder;
        this.slots = new Semaphore(builder.maxPending);
        this.producer =
                new KafkaProducer<>(
                        producerProperties(builder),
                        new ByteArraySerializer(),
                        new ByteArraySerializer());
        this.consumer =
                new KafkaConsumer<>(
                        consumerProperties(builder),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        this.timer = new ScheduledThreadPoolExecutor(1, daemon("hivestream-client-timeouts"));
        timer.setRemoveOnCancelPolicy(true);
        try {
            startFromTheEnd(consumer, builder.resultsTopic, builder.timeout);
        } catch (RuntimeException e) {
            consumer.close();
            producer.close();
            timer.shutdownNow();
            throw new IllegalStateException(
                    "cannot read the results topic '"
                            + builder.resultsTopic
                            + "' at "
                            + builder.bootstrapServers
                            + " ("
                            + e.getMessage()
                            + "); check that the broker runs and that the topic exists"
                            + " (./hivestream topics creates it).",
                    e);
        }
        this.reader = daemon("hivestream-client-results").newThread(this::readResults);
        reader.start();
        try {
            readerStarted.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A builder; only {@link Builder#bootstrapServers(String)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Publishes a task and returns the future of its result, completed when the job's result for it
     * is committed, or exceptionally after the client's timeout.
     *
     * @throws IllegalStateException if {@code maxPending} results are awaited and none arrives
     *     within the timeout, or the client is closed
     * @throws IllegalArgumentException if a task with the same id is already awaited
     */
    public CompletableFuture<TaskResult> submit(Task task) {
        return submit(task, settings.timeout);
    }

    /** As {@link #submit(Task)}, with this timeout for this task's result. */
    public CompletableFuture<TaskResult> submit(Task task, Duration timeout) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(timeout, "timeout");
        ensureOpen();
        Task toSend =
                task.getTaskId() == null || task.getTaskId().isBlank()
                        ? Task.newBuilder(task).setTaskId(UUID.randomUUID().toString()).build()
                        : task;
        String id = toSend.getTaskId();
        acquireSlot(id);
        Pending waiting = new Pending();
        if (pending.putIfAbsent(id, waiting) != null) {
            slots.release();
            throw new IllegalArgumentException(
                    "task " + id + " is already awaiting its result; give each task its own id.");
        }
        waiting.timeout =
                timer.schedule(
                        () ->
                                fail(
                                        id,
                                        new TimeoutException(
                                                "no result for task "
                                                        + id
                                                        + " within "
                                                        + timeout.toMillis()
                                                        + " ms; the task may still be running"
                                                        + " (is the job up, and does an agent"
                                                        + " offer what it needs?)")),
                        timeout.toMillis(),
                        TimeUnit.MILLISECONDS);
        producer.send(
                new ProducerRecord<>(
                        settings.tasksTopic, TaskKeys.of(toSend), Codecs.TASK.encodeAvro(toSend)),
                (metadata, error) -> {
                    if (error != null) {
                        fail(
                                id,
                                new IllegalStateException(
                                        "could not publish task "
                                                + id
                                                + " to "
                                                + settings.tasksTopic
                                                + ": "
                                                + error.getMessage(),
                                        error));
                    }
                });
        return waiting.future;
    }

    /**
     * Publishes tasks in one go (the producer batches them) and returns their futures in the same
     * order; blocks as {@link #submit(Task)} does while {@code maxPending} results are awaited.
     */
    public List<CompletableFuture<TaskResult>> submitAll(List<Task> tasks) {
        List<CompletableFuture<TaskResult>> futures = new ArrayList<>(tasks.size());
        for (Task task : tasks) {
            futures.add(submit(task));
        }
        producer.flush();
        return futures;
    }

    /**
     * Hands every result committed from now on to {@code subscriber}, on the client's reading
     * thread, whoever submitted the task. Closing the returned handle unsubscribes.
     */
    public Subscription results(Consumer<TaskResult> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        ensureOpen();
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    /** A subscription to the results; closing it unsubscribes. */
    @FunctionalInterface
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** How many futures are waiting for their result. */
    public int pending() {
        return pending.size();
    }

    /** Registers (or replaces) an agent in the registry and waits for the broker's ack. */
    public void register(AgentEvent agent) {
        Objects.requireNonNull(agent, "agent");
        if (agent.getAgentId() == null || agent.getAgentId().isBlank()) {
            throw new IllegalArgumentException("an agent needs an agentId to be registered.");
        }
        publishAgent(AgentEvent.newBuilder(agent).setType(AgentEventType.REGISTER).build());
    }

    /** Takes an agent out of the rotation and waits for the broker's ack. */
    public void retire(String agentId) {
        Objects.requireNonNull(agentId, "agentId");
        publishAgent(
                AgentEvent.newBuilder()
                        .setAgentId(agentId)
                        .setType(AgentEventType.RETIRE)
                        .setTimestamp(System.currentTimeMillis())
                        .build());
    }

    /**
     * The agents registered now, by id, as the job sees them: the agents topic read to its end, a
     * retire removing the agent, an update or a heartbeat keeping the last registration.
     */
    public Map<String, AgentEvent> agents() {
        ensureOpen();
        Properties props = consumerProperties(settings);
        Map<String, AgentEvent> agents = new LinkedHashMap<>();
        try (KafkaConsumer<byte[], byte[]> registry =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    partitions(registry, settings.agentsTopic, settings.timeout);
            registry.assign(partitions);
            registry.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(registry.endOffsets(partitions));
            long deadline = System.nanoTime() + settings.timeout.toNanos();
            while (!reached(registry, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read the agents topic '"
                                    + settings.agentsTopic
                                    + "' to its end within "
                                    + settings.timeout.toMillis()
                                    + " ms; check that the broker is reachable.");
                }
                for (ConsumerRecord<byte[], byte[]> record :
                        registry.poll(Duration.ofMillis(200))) {
                    apply(agents, record);
                }
            }
        }
        return agents;
    }

    private static void apply(Map<String, AgentEvent> agents, ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            if (r.key() != null) {
                agents.remove(new String(r.key(), StandardCharsets.UTF_8));
            }
            return;
        }
        AgentEvent event;
        try {
            event = Codecs.AGENT_EVENT.decode(r.value());
        } catch (RuntimeException notAnAgent) {
            // The job dead-letters such a record; it changes nothing in the registry.
            return;
        }
        switch (event.getType()) {
            case RETIRE -> agents.remove(event.getAgentId());
            case HEARTBEAT -> {}
            default -> agents.put(event.getAgentId(), event);
        }
    }

    /**
     * Stops reading, fails every future still waiting with a {@link
     * java.util.concurrent.CancellationException}, and closes the Kafka clients and the timer.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        consumer.wakeup();
        try {
            reader.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String id : List.copyOf(pending.keySet())) {
            fail(
                    id,
                    new java.util.concurrent.CancellationException(
                            "the client was closed before the result of task " + id + " came"));
        }
        subscribers.clear();
        producer.close(settings.timeout);
        timer.shutdownNow();
    }

    private void readResults() {
        readerStarted.countDown();
        try {
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    TaskResult result;
                    try {
                        result = Codecs.TASK_RESULT.decode(record.value());
                    } catch (RuntimeException notAResult) {
                        continue;
                    }
                    Pending waiting = pending.remove(result.getTaskId());
                    if (waiting != null) {
                        waiting.cancelTimeout();
                        slots.release();
                        waiting.future.complete(result);
                    }
                    for (Consumer<TaskResult> subscriber : subscribers) {
                        try {
                            subscriber.accept(result);
                        } catch (RuntimeException e) {
                            // A subscriber's failure is its own; the others still get the result.
                        }
                    }
                }
            }
        } catch (WakeupException closing) {
            // close() woke the poll up.
        } finally {
            consumer.close();
        }
    }

    private void fail(String id, Throwable error) {
        Pending waiting = pending.remove(id);
        if (waiting != null) {
            waiting.cancelTimeout();
            slots.release();
            waiting.future.completeExceptionally(error);
        }
    }

    private void acquireSlot(String id) {
        try {
            if (!slots.tryAcquire(settings.timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(
                        "task "
                                + id
                                + " not sent: the client still awaited maxPending ("
                                + settings.maxPending
                                + ") result(s) after "
                                + settings.timeout.toMillis()
                                + " ms; wait for some before submitting more, or raise"
                                + " maxPending.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to send task " + id, e);
        }
        if (closed) {
            slots.release();
            throw new IllegalStateException("the client is closed; task " + id + " not sent.");
        }
    }

    private void publishAgent(AgentEvent event) {
        ensureOpen();
        try {
            producer.send(
                            new ProducerRecord<>(
                                    settings.agentsTopic,
                                    event.getAgentId().getBytes(StandardCharsets.UTF_8),
                                    Codecs.AGENT_EVENT.encodeAvro(event)))
                    .get(settings.timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing an agent record", e);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "could not publish agent "
                            + event.getAgentId()
                            + " to "
                            + settings.agentsTopic
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the client is closed.");
        }
    }

    private static void startFromTheEnd(
            KafkaConsumer<byte[], byte[]> consumer, String topic, Duration timeout) {
        List<TopicPartition> partitions = partitions(consumer, topic, timeout);
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // Resolve the positions now, so that no result written after this constructor returns is
        // skipped.
        for (TopicPartition partition : partitions) {
            consumer.position(partition, timeout);
        }
    }

    private static List<TopicPartition> partitions(
            KafkaConsumer<?, ?> consumer, String topic, Duration timeout) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic '" + topic + "' does not exist");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : infos) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        return partitions;
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> entry : end.entrySet()) {
            if (consumer.position(entry.getKey()) < entry.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static Properties producerProperties(Builder builder) {
        Properties props = new Properties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.putAll(builder.properties);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, builder.bootstrapServers);
        return props;
    }

    private static Properties consumerProperties(Builder builder) {
        Properties props = new Properties();
        props.putAll(builder.properties);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, builder.bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return props;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The settings of a client. */
    public static final class Builder {
        private String bootstrapServers;
        private final Map<String, Object> properties = new HashMap<>();
        private String tasksTopic = "hivestream.tasks";
        private String resultsTopic = "hivestream.results";
        private String agentsTopic = "hivestream.agents";
        private Duration timeout = Duration.ofSeconds(60);
        private int maxPending = 10_000;

        private Builder() {}

        private Builder copy() {
            Builder copy = new Builder();
            copy.bootstrapServers = bootstrapServers;
            copy.properties.putAll(properties);
            copy.tasksTopic = tasksTopic;
            copy.resultsTopic = resultsTopic;
            copy.agentsTopic = agentsTopic;
            copy.timeout = timeout;
            copy.maxPending = maxPending;
            return copy;
        }

        /** Kafka bootstrap servers, HOST:PORT[,HOST:PORT...]; required. */
        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /**
         * A Kafka client property for both the producer and the consumer (security, TLS, SASL,
         * ...). The client keeps its own bootstrap servers, read_committed and serializers.
         */
        public Builder property(String key, Object value) {
            properties.put(key, value);
            return this;
        }

        /** Kafka client properties, as {@link #property(String, Object)} for each. */
        public Builder properties(Map<String, ?> properties) {
            this.properties.putAll(properties);
            return this;
        }

        /** Where tasks are published (default {@code hivestream.tasks}). */
        public Builder tasksTopic(String topic) {
            this.tasksTopic = topic;
            return this;
        }

        /** Where results are read (default {@code hivestream.results}). */
        public Builder resultsTopic(String topic) {
            this.resultsTopic = topic;
            return this;
        }

        /** The agent registry (default {@code hivestream.agents}). */
        public Builder agentsTopic(String topic) {
            this.agentsTopic = topic;
            return this;
        }

        /**
         * How long a future waits for its result, and how long {@code submit} waits for a free slot
         * and the client for the broker (default 60 s).
         */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("the timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** How many results may be awaited at a time (default 10,000). */
        public Builder maxPending(int maxPending) {
            if (maxPending < 1) {
                throw new IllegalArgumentException(
                        "maxPending must be at least 1, got " + maxPending);
            }
            this.maxPending = maxPending;
            return this;
        }

        /**
         * Connects: finds the results topic's partitions and starts reading them from their end.
         *
         * @throws IllegalStateException if the broker or the results topic cannot be reached within
         *     the timeout
         */
        public HivestreamClient build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException(
                        "bootstrapServers is required: the Kafka cluster the job reads, HOST:PORT.");
            }
            return new HivestreamClient(copy());
        }
    }
}
