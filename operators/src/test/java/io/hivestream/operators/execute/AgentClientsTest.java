package io.hivestream.operators.execute;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.hivestream.operators.testing.MutableClock;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Tier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AgentClientsTest {
    private final List<Made> made = new ArrayList<>();
    private final MutableClock clock = new MutableClock(1_000_000);
    private final AgentClients clients =
            new AgentClients(
                    agent -> {
                        Made runtime = new Made(agent);
                        made.add(runtime);
                        return runtime;
                    },
                    ExecuteSettings.builder().breaker(50, 4, Duration.ofSeconds(10)).build(),
                    clock);

    @Test
    void aRuntimeIsMadeOncePerRecordAndAgainWhenTheRecordChanges() {
        AgentEvent agent = ExecuteOperatorTest.agent("gpt", Tier.CLOUD);
        AgentRuntime first = clients.runtime(agent);
        assertThat(clients.runtime(agent)).isSameAs(first);
        // Seen again later: the same agent.
        assertThat(clients.runtime(AgentEvent.newBuilder(agent).setTimestamp(42L).build()))
                .isSameAs(first);
        assertThat(made).hasSize(1);

        AgentRuntime changed =
                clients.runtime(AgentEvent.newBuilder(agent).setTimeoutMs(5_000).build());

        assertThat(changed).isNotSameAs(first);
        assertThat(made).hasSize(2);
        assertThat(made.get(0).closed).isTrue();
        assertThat(made.get(1).closed).isFalse();
        assertThat(made.get(1).agent.getTimeoutMs()).isEqualTo(5_000);
    }

    @Test
    void closingClosesEveryRuntime() {
        clients.runtime(ExecuteOperatorTest.agent("a", Tier.EDGE));
        clients.runtime(ExecuteOperatorTest.agent("b", Tier.CLOUD));

        clients.close();

        assertThat(made).extracting(m -> m.closed).containsExactly(true, true);
    }

    @Test
    void aBreakerOpensAtItsFailureRateAndLetsTwoProbesThroughAfterItsOpenTime() {
        CircuitBreaker breaker = clients.breaker("gpt");
        assertThat(clients.breaker("gpt")).isSameAs(breaker);
        fail(breaker, AgentCallException.Kind.UNAVAILABLE);
        fail(breaker, AgentCallException.Kind.TIMEOUT);
        succeed(breaker);
        assertThat(breaker.tryAcquirePermission()).isTrue();
        breaker.releasePermission();
        // The window of 4 calls is full at 3 failures of 4: 75%, over 50%.
        fail(breaker, AgentCallException.Kind.UNAVAILABLE);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.tryAcquirePermission()).isFalse();

        clock.advance(9_999);
        assertThat(breaker.tryAcquirePermission()).isFalse();
        clock.advance(2);
        assertThat(breaker.tryAcquirePermission()).isTrue();
        assertThat(breaker.tryAcquirePermission()).isTrue();
        assertThat(breaker.tryAcquirePermission()).isFalse();
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        // Another agent's breaker is its own.
        assertThat(clients.breaker("claude").tryAcquirePermission()).isTrue();
    }

    @Test
    void aBadRequestIsTheCallersFaultAndNeverOpensTheBreaker() {
        CircuitBreaker breaker = clients.breaker("gpt");
        for (int i = 0; i < 8; i++) {
            fail(breaker, AgentCallException.Kind.BAD_REQUEST);
        }

        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
        // Counted as successes, in the window of the last 4 calls.
        assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(4);
    }

    private static void fail(CircuitBreaker breaker, AgentCallException.Kind kind) {
        assertThat(breaker.tryAcquirePermission()).isTrue();
        breaker.onError(1, TimeUnit.MILLISECONDS, new AgentCallException(kind, kind.name()));
    }

    private static void succeed(CircuitBreaker breaker) {
        assertThat(breaker.tryAcquirePermission()).isTrue();
        breaker.onSuccess(1, TimeUnit.MILLISECONDS);
    }

    private static final class Made implements AgentRuntime {
        final AgentEvent agent;
        boolean closed;

        Made(AgentEvent agent) {
            this.agent = agent;
        }

        @Override
        public CompletableFuture<AgentReply> call(AgentCall call) {
            return new CompletableFuture<>();
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
