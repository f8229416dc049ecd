package io.hivestream.jobs;

import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What every end-to-end test of the job shares: a MiniCluster of one TaskManager with four slots,
 * started before the class's tests and stopped after them, with Flink's Prometheus reporter on as
 * {@code deploy/local} and the demo turn it on ({@link #jobMetrics} reads it). Tests on the plain
 * local broker extend {@link KafkaJobCase}; those that need another broker start it themselves.
 */
abstract class FlinkJobCase {
    /** The port of the MiniCluster's Prometheus reporter, the same for every test class. */
    static final int REPORTER_PORT = JobMetrics.freePort();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .setConfiguration(JobMetrics.reporter(REPORTER_PORT))
                            .build());

    /** The metrics of the job executed with {@code jobName}, scraped from the reporter. */
    static JobMetrics jobMetrics(String jobName) {
        return new JobMetrics(REPORTER_PORT, jobName);
    }

    /**
     * Cancels {@code job} and returns when it has ended, not when the cancellation is accepted:
     * until then a checkpoint in flight may still write into the test's temporary folder, which
     * JUnit would then fail to delete.
     */
    static void stop(JobClient job) throws Exception {
        job.cancel().get(60, TimeUnit.SECONDS);
        job.getJobExecutionResult().handle((result, failure) -> null).get(60, TimeUnit.SECONDS);
    }
}
