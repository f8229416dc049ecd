package io.hivestream.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short soak that CI can afford: the job jar on the local multi-process cluster while three
 * TaskManager kills (each after a completed checkpoint, each replaced), a Kafka node kill and a 30
 * s freeze of a TaskManager happen. Every task has exactly one result.
 */
class SoakIT {
    @Test
    void nothingIsLostOrDuplicatedWhileProcessesDie(@TempDir Path work) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path conf = work.resolve("cluster.conf");
        Files.writeString(
                conf, Soak.clusterConf(work.resolve("cluster"), 18095, 16137, 29112, 29212, 2));

        Soak.Outcome outcome =
                new Soak(root, conf, work, 18095)
                        .run(
                                new Soak.Plan(
                                        2_000,
                                        100,
                                        3,
                                        true,
                                        Duration.ofSeconds(30),
                                        Duration.ofMinutes(8)));

        assertThat(outcome.tasks()).isEqualTo(2_000);
        assertThat(outcome.results()).isEqualTo(2_000);
        assertThat(outcome.lost()).isZero();
        assertThat(outcome.duplicates()).isZero();
        assertThat(outcome.faults()).hasSize(5);
        assertThat(
                        outcome.faults().stream()
                                .filter(
                                        f ->
                                                f.startsWith(
                                                        "kill -9 taskmanager-0 after checkpoint "))
                                .count())
                .isEqualTo(3);
        assertThat(outcome.faults()).contains("kill -9 kafka-1", "SIGSTOP taskmanager-1 for 30 s");
        // Calls beyond one per task are the ones in flight at a failover.
        assertThat(outcome.providerCalls()).isGreaterThanOrEqualTo(2_000);
    }
}
