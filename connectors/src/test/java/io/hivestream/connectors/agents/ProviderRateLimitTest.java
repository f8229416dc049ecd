package io.hivestream.connectors.agents;

import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.request;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hivestream.operators.execute.AgentRuntime;
import io.hivestream.operators.execute.AgentRuntimeFactory;
import io.hivestream.operators.execute.ExecuteOperator;
import io.hivestream.operators.execute.ExecuteOperatorFactory;
import io.hivestream.operators.execute.ExecuteSettings;
import io.hivestream.operators.route.SessionKeys;
import io.hivestream.operators.testing.MutableClock;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An OpenAI-compatible provider on loopback that answers 429 to every request beyond {@value #RPM}
 * in the last 60 seconds, on a clock the test moves, and the execute stage with the real OpenAI
 * runtime calling it: with the agent's {@code rateLimitRpm} set to the provider's limit, five
 * minutes' worth of tasks get no 429; without it, the provider refuses most of them.
 */
@Timeout(120)
class ProviderRateLimitTest {
    private static final int RPM = 20;
    private static final int TASKS = 100;
    private static final long START = 1_000_000;

    /** Calls the execute stage started, counted as its runtimes are asked to make them. */
    private static final java.util.concurrent.atomic.AtomicInteger STARTED =
            new java.util.concurrent.atomic.AtomicInteger();

    /** The real runtimes, counting the calls they are asked to make. */
    static final class CountingRuntimes implements AgentRuntimeFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public AgentRuntime create(AgentEvent agent) {
            AgentRuntime runtime = new AgentRuntimes().create(agent);
            return call -> {
                STARTED.incrementAndGet();
                return runtime.call(call);
            };
        }
    }

    private final MutableClock clock = new MutableClock(START);
    private long processingTime;
    private HttpServer server;

    /** The provider's view: when each request came, by the test's clock, and what it answered. */
    private final Deque<Long> window = new ArrayDeque<>();

    private final Map<Long, Integer> acceptedAt = new TreeMap<>();
    private int received;
    private int answered;
    private int tooMany;

    @BeforeEach
    void startProvider() throws IOException {
        STARTED.set(0);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    @AfterEach
    void stopProvider() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        int status;
        String body;
        synchronized (this) {
            received++;
            long now = clock.millis();
            while (!window.isEmpty() && window.peekFirst() <= now - 60_000) {
                window.pollFirst();
            }
            if (window.size() >= RPM) {
                tooMany++;
                status = 429;
                body = "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}";
            } else {
                window.addLast(now);
                acceptedAt.merge(now - START, 1, Integer::sum);
                status = 200;
                body =
                        "{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"m\","
                                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                                + "\"content\":\"ok\"},\"finish_reason\":\"stop\"}],"
                                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,"
                                + "\"total_tokens\":4}}";
            }
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        if (status == 429) {
            exchange.getResponseHeaders().add("Retry-After", "60");
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
        synchronized (this) {
            answered++;
        }
    }

    private AgentEvent agent(Integer rateLimitRpm) {
        return AgentEvent.newBuilder()
                .setAgentId("provider")
                .setRuntime("openai")
                .setBaseUrl("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/")
                .setModel("m")
                .setCapabilities(List.of("chat"))
                .setTier(Tier.CLOUD)
                .setTimeoutMs(10_000)
                .setMaxConcurrency(TASKS)
                .setRateLimitRpm(rateLimitRpm)
                .build();
    }

    private KeyedOneInputStreamOperatorTestHarness<
                    String, Either<CallRequest, AgentView>, CallReply>
            harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new ExecuteOperatorFactory(
                        new CountingRuntimes(),
                        ExecuteSettings.builder().build(),
                        ExecuteOperator.ToolPolicy.allowAll(),
                        clock),
                SessionKeys::of,
                Types.STRING);
    }

    private static CallRequest work(int i, AgentEvent agent) {
        return request(
                analyzed(task("t" + i, "chat", "hello " + i).build(), 1, 1), 0, List.of(agent));
    }

    /**
     * Runs the operator's mail until every call started has reached the provider and has its reply
     * (a 429 is retried later).
     */
    private void settle(
            KeyedOneInputStreamOperatorTestHarness<
                            String, Either<CallRequest, AgentView>, CallReply>
                    h) {
        await().pollInSameThread()
                .pollInterval(Duration.ofMillis(5))
                .atMost(Duration.ofSeconds(30))
                .until(
                        () -> {
                            drain(h);
                            synchronized (this) {
                                return STARTED.get() == received
                                        && received == answered
                                        && h.extractOutputValues().size() + tooMany == answered;
                            }
                        });
    }

    private static void drain(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> harness)
            throws Exception {
        TaskMailbox mailbox = harness.getTaskMailbox();
        java.util.Optional<Mail> mail;
        while ((mail = mailbox.tryTake(TaskMailbox.MIN_PRIORITY)).isPresent()) {
            mail.get().run();
        }
    }

    @Test
    void withTheProvidersLimitSetFiveMinutesOfTasksGetNo429() throws Exception {
        AgentEvent limited = agent(RPM);
        try (var harness = harness()) {
            harness.open();
            for (int i = 0; i < TASKS; i++) {
                harness.processElement(Either.Left(work(i, limited)), 0);
            }
            settle(harness);
            for (int second = 1;
                    second <= 300 && harness.extractOutputValues().size() < TASKS;
                    second++) {
                clock.advance(1_000);
                processingTime += 1_000;
                harness.setProcessingTime(processingTime);
                settle(harness);
            }

            assertThat(tooMany).isZero();
            assertThat(harness.extractOutputValues())
                    .hasSize(TASKS)
                    .allSatisfy(r -> assertThat(r.getAnswer().getOutput()).isEqualTo("ok"));
            // Each minute, exactly the provider's limit, at the moment the minute before ends.
            assertThat(acceptedAt)
                    .containsExactly(
                            entry(0L, RPM),
                            entry(60_000L, RPM),
                            entry(120_000L, RPM),
                            entry(180_000L, RPM),
                            entry(240_000L, RPM));
        }
    }

    @Test
    void withoutItTheProviderRefusesAllButItsLimit() throws Exception {
        try (var harness = harness()) {
            harness.open();
            for (int i = 0; i < TASKS; i++) {
                harness.processElement(Either.Left(work(i, agent(null))), 0);
            }
            settle(harness);

            assertThat(received).isEqualTo(TASKS);
            assertThat(tooMany).isEqualTo(TASKS - RPM);
            assertThat(harness.extractOutputValues()).hasSize(RPM);
        }
    }
}
