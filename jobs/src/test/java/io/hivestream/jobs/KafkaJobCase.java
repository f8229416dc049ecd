package io.hivestream.jobs;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the end-to-end tests of the job share: a MiniCluster of one TaskManager with two slots, and
 * a real local broker with the job's topics ({@link KafkaJobFixture}), started before the class's
 * tests and stopped after them.
 */
abstract class KafkaJobCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static KafkaJobFixture fixture;

    @BeforeAll
    static void startKafka() throws Exception {
        fixture = new KafkaJobFixture();
    }

    @AfterAll
    static void stopKafka() {
        if (fixture != null) {
            fixture.close();
            fixture = null;
        }
    }
}
