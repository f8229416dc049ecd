package io.hivestream.jobs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The end-to-end tests of the job on the plain local broker: the MiniCluster of {@link
 * FlinkJobCase}, and a real local broker with the job's topics ({@link KafkaJobFixture}), started
 * before the class's tests and stopped after them.
 */
abstract class KafkaJobCase extends FlinkJobCase {
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
