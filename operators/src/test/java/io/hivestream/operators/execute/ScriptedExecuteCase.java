package io.hivestream.operators.execute;

import static io.hivestream.operators.execute.ExecuteOperatorTest.drain;

import io.hivestream.operators.testing.MutableClock;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;

/**
 * What the execute tests on a clock they move share: the execute stage over the scripted runtimes
 * ({@link ExecuteOperatorTest#scripted}), a clock and the harness's processing time moved together,
 * and the scripted calls forgotten after each test.
 */
abstract class ScriptedExecuteCase {
    /** The stage's clock; breakers, rate windows, deadlines and budgets run on it. */
    protected final MutableClock clock = new MutableClock(5_000);

    private long processingTime;

    @AfterEach
    void forgetCalls() {
        ExecuteOperatorTest.CALLS.clear();
        ExecuteOperatorTest.PENDING.clear();
        ExecuteOperatorTest.LOG.clear();
    }

    protected ExecuteHarness harness(ExecuteSettings settings) throws Exception {
        return ExecuteOperatorTest.scripted(settings, clock);
    }

    /** Moves both the clock and the processing-time service on, and runs what is due. */
    protected void advance(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> harness, long millis)
            throws Exception {
        clock.advance(millis);
        processingTime += millis;
        harness.setProcessingTime(processingTime);
        drain(harness);
    }
}
