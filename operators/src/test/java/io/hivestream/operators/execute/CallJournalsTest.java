package io.hivestream.operators.execute;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.internal.JournaledCall;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallJournalsTest {
    private static final Task TASK =
            Task.newBuilder().setTaskId("t-1").setTenant("acme").setInput("2+2").build();
    private static final AgentEvent AGENT =
            AgentEvent.newBuilder()
                    .setAgentId("gpt")
                    .setRuntime("openai")
                    .setModel("gpt-4o-mini")
                    .setCostPer1kInputTokens(0.5)
                    .setCostPer1kOutputTokens(1.5)
                    .build();

    @Test
    void aSuccessComesBackAsTheSameReplyWithItsMetric() {
        AgentReply reply = new AgentReply("4", "gpt-4o-mini-2024", 12, 1, 0.75, false);
        Metric metric = CallMetrics.success(TASK, AGENT, 2, 340, reply, 1_000);

        JournaledCall entry = CallJournals.success("acme/t-1/0/1/2/gpt", "t/t-1", metric, reply);

        // Every other field at its schema's default, as a builder leaves it.
        assertThat(entry)
                .isEqualTo(
                        JournaledCall.newBuilder()
                                .setCallId("acme/t-1/0/1/2/gpt")
                                .setKey("t/t-1")
                                .setMetric(metric)
                                .setOutput("4")
                                .setConfidence(0.75)
                                .build());
        assertThat(entry.getCallId()).isEqualTo("acme/t-1/0/1/2/gpt");
        assertThat(entry.getKey()).isEqualTo("t/t-1");
        assertThat(entry.getMetric()).isEqualTo(metric);
        assertThat(entry.getError()).isNull();
        assertThat(CallJournals.reply(entry)).isEqualTo(reply);
        assertThat(entry.getMetric().getCall().getCostUsd())
                .isEqualTo(12 / 1000.0 * 0.5 + 1 / 1000.0 * 1.5);
    }

    @Test
    void aRateLimitComesBackWithItsKindAndRetryAfter() {
        AgentCallException limited =
                new AgentCallException(
                        AgentCallException.Kind.RATE_LIMITED,
                        "HTTP 429",
                        Duration.ofMillis(1_500),
                        null);
        Metric metric = CallMetrics.failure(TASK, AGENT, 1, 20, limited, 1_000);

        JournaledCall entry =
                CallJournals.failure("acme/t-1/0/1/1/gpt", "t/t-1", metric, limited, "HTTP 429");
        Throwable replayed = CallJournals.cause(entry);

        assertThat(replayed).isInstanceOf(AgentCallException.class).hasMessage("HTTP 429");
        AgentCallException again = (AgentCallException) replayed;
        assertThat(again.kind()).isEqualTo(AgentCallException.Kind.RATE_LIMITED);
        assertThat(again.retryAfter()).isEqualTo(Duration.ofMillis(1_500));
        assertThat(entry.getMetric().getCall().getErrorClass()).isEqualTo("RATE_LIMITED");
    }

    @Test
    void aFailureOfAnotherKindIsNeverRetriedAgain() {
        IllegalStateException broken = new IllegalStateException("no such tool");
        Metric metric = CallMetrics.failure(TASK, AGENT, 1, 5, broken, 1_000);

        JournaledCall entry =
                CallJournals.failure("acme/t-1/0/1/1/gpt", "t/t-1", metric, broken, "no such tool");
        Throwable replayed = CallJournals.cause(entry);

        assertThat(entry.getErrorKind()).isNull();
        assertThat(replayed).hasMessage("no such tool");
        assertThat(new RetryPolicy(ExecuteSettings.builder().build()).afterFailure(replayed, 1))
                .isInstanceOf(RetryPolicy.FallBack.class);
    }

    @Test
    void theCallsSentAndAToolStepHaveIdsOfTheirOwn() {
        JournaledCall sent =
                CallJournals.sent("0-0-7", 3, List.of("acme/t-1/0/1/1/gpt", "acme/t-2/0/1/1/gpt"));
        JournaledCall step = CallJournals.step("acme/t-1/0/1/1/gpt", "t/t-1", 2, "{}", 98, 21);

        assertThat(sent.getCallId()).isEqualTo("sent/0-0-7/3");
        assertThat(sent.getSent()).containsExactly("acme/t-1/0/1/1/gpt", "acme/t-2/0/1/1/gpt");
        assertThat(sent.getMetric()).isNull();
        assertThat(CallJournals.startedId("acme/t-1/0/1/1/gpt")).isEqualTo("acme/t-1/0/1/1/gpt@");
        assertThat(step.getCallId()).isEqualTo("acme/t-1/0/1/1/gpt#2");
        assertThat(step.getTokensIn()).isEqualTo(98);
        assertThat(step.getTokensOut()).isEqualTo(21);
    }

    @Test
    void anAbandonedTryIsAnErrorPricedAsTheRequestMadeAgain() {
        Metric abandoned = CallMetrics.abandoned(TASK, AGENT, 1, 1_000, 2_000, 5);

        assertThat(abandoned.getCall().getErrorClass()).isEqualTo("AbandonedAtRestore");
        assertThat(abandoned.getCall().getCostUsd()).isEqualTo(0.5 + 3.0);
        assertThat(abandoned.getCall().getTokensIn()).isEqualTo(1_000);
        assertThat(abandoned.getAgentId()).isEqualTo("gpt");
    }
}
