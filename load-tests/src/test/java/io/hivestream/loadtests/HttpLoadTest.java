package io.hivestream.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.connectors.loopback.ChatCompletionsServer;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpLoadTest {
    @Test
    void everyCallIsMadeOnceAndAnswered() throws Exception {
        try (ChatCompletionsServer server = new ChatCompletionsServer(user -> "4", user -> 0)) {
            HttpLoad.Outcome outcome =
                    HttpLoad.drive(
                            URI.create(server.baseUrl() + "/chat/completions"),
                            Map.of("x-test", "1"),
                            HttpBench.requestBody(),
                            4,
                            500,
                            Duration.ofMinutes(1));

            assertThat(outcome.calls()).isEqualTo(500);
            assertThat(outcome.failures()).isZero();
            assertThat(outcome.firstFailure()).isNull();
            assertThat(server.total()).isEqualTo(500);
            assertThat(server.received()).containsOnlyKeys("What is 2 + 2?");
        }
    }

    @Test
    void callsNotAnsweredWith2xxCountAsFailures() throws Exception {
        try (ChatCompletionsServer server = new ChatCompletionsServer(user -> "4", user -> 0)) {
            HttpLoad.Outcome outcome =
                    HttpLoad.drive(
                            URI.create(server.baseUrl() + "/nowhere"),
                            Map.of(),
                            HttpBench.requestBody(),
                            2,
                            10,
                            Duration.ofMinutes(1));

            assertThat(outcome.calls()).isEqualTo(10);
            assertThat(outcome.failures()).isEqualTo(10);
            assertThat(outcome.firstFailure()).startsWith("HTTP 404: ");
            assertThat(server.total()).isZero();
        }
    }

    @Test
    void theLoopbackServerRunsInAProcessOfItsOwnAndCountsItsCalls() throws Exception {
        try (LoopbackServer server = LoopbackServer.start()) {
            assertThat(server.pid()).isNotEqualTo(ProcessHandle.current().pid());
            assertThat(server.calls()).isZero();

            HttpLoad.Outcome outcome =
                    HttpLoad.drive(
                            URI.create(server.baseUrl() + "/chat/completions"),
                            Map.of(),
                            HttpBench.requestBody(),
                            2,
                            50,
                            Duration.ofMinutes(1));

            assertThat(outcome.failures()).isZero();
            assertThat(server.calls()).isEqualTo(50);
            assertThat(server.cpuNanos()).isPositive();
        }
    }
}
