package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst of tasks for one fragile HTTP agent that fails every request beyond its {@code
 * maxConcurrency} in flight, as a small self-hosted server does: the job never has more than that
 * many of its calls open at once, so the server refuses none, its breaker never opens, and every
 * task completes.
 */
class AgentConcurrencyIT extends KafkaJobCase {
    private static final int MAX_CONCURRENCY = 8;
    private static final int TASKS = 2000;

    private static FragileServer server;

    /** An OpenAI-compatible chat server that answers at most {@code limit} requests at once. */
    static final class FragileServer implements AutoCloseable {
        final HttpServer http;
        final ExecutorService handlers = Executors.newFixedThreadPool(8);
        final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        final int limit;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger mostInFlight = new AtomicInteger();
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();

        FragileServer(int limit) throws IOException {
            this.limit = limit;
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.setExecutor(handlers);
            http.createContext("/v1/chat/completions", this::handle);
            http.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/v1";
        }

        private void handle(HttpExchange exchange) throws IOException {
            exchange.getRequestBody().readAllBytes();
            int now = inFlight.incrementAndGet();
            mostInFlight.accumulateAndGet(now, Math::max);
            if (now > limit) {
                refused.incrementAndGet();
                respond(exchange, 503, "{\"error\":{\"message\":\"overloaded\"}}");
                return;
            }
            // Answers a little later, so that calls overlap as they do against a real model.
            timer.schedule(
                    () -> {
                        answered.incrementAndGet();
                        respond(
                                exchange,
                                200,
                                "{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"m\","
                                        + "\"choices\":[{\"index\":0,\"message\":{\"role\":"
                                        + "\"assistant\",\"content\":\"done\"},"
                                        + "\"finish_reason\":\"stop\"}],\"usage\":"
                                        + "{\"prompt_tokens\":5,\"completion_tokens\":1,"
                                        + "\"total_tokens\":6}}");
                    },
                    3,
                    TimeUnit.MILLISECONDS);
        }

        private void respond(HttpExchange exchange, int status, String json) {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            // Counted out before the reply leaves: the server never counts more than the job has.
            inFlight.decrementAndGet();
            try (OutputStream out = exchange.getResponseBody()) {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, body.length);
                out.write(body);
            } catch (IOException gone) {
                // The caller went away: nothing to answer.
            } finally {
                exchange.close();
            }
        }

        @Override
        public void close() {
            http.stop(0);
            timer.shutdownNow();
            handlers.shutdownNow();
        }
    }

    @BeforeAll
    static void startServer() throws Exception {
        // Replies leave at once rather than after a delayed acknowledgement (read by the JDK's
        // server when its first server starts).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = new FragileServer(MAX_CONCURRENCY);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aBurstNeverHasMoreCallsOpenThanTheAgentsMaxConcurrencyAndEveryTaskCompletes(
            @TempDir Path checkpoints) throws Exception {
        fixture.register(
                AgentEvent.newBuilder()
                        .setAgentId("fragile")
                        .setRuntime("openai")
                        .setBaseUrl(server.baseUrl())
                        .setModel("m")
                        .setCapabilities(List.of("chat"))
                        .setTier(Tier.EDGE)
                        .setMaxConcurrency(MAX_CONCURRENCY)
                        .setTimeoutMs(30_000)
                        .build());
        Configuration conf = fixture.jobConf(checkpoints, false, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        JobClient job = env.executeAsync("agent-concurrency-it");
        try {
            for (int i = 0; i < TASKS; i++) {
                String json = "{\"taskId\":\"b-" + i + "\",\"input\":\"question " + i + "\"}";
                fixture.producer.send(
                        new ProducerRecord<>(
                                KafkaJobFixture.TASKS,
                                ("b-" + i).getBytes(StandardCharsets.UTF_8),
                                json.getBytes(StandardCharsets.UTF_8)));
            }
            fixture.producer.flush();
            await().pollInterval(Duration.ofMillis(500))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> fixture.results().size() >= TASKS);
        } finally {
            stop(job);
        }

        List<TaskResult> results = fixture.results();
        assertThat(results).hasSize(TASKS);
        Map<TaskStatus, Long> byStatus =
                results.stream()
                        .collect(
                                Collectors.groupingBy(
                                        TaskResult::getStatus, Collectors.counting()));
        assertThat(byStatus).isEqualTo(Map.of(TaskStatus.COMPLETED, (long) TASKS));
        assertThat(server.refused.get()).isZero();
        assertThat(server.mostInFlight.get()).isBetween(1, MAX_CONCURRENCY);
        assertThat(server.answered.get()).isEqualTo(TASKS);
    }
}
