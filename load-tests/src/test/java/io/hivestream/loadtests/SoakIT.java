package io.hivestream.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short soak that CI can afford: the job jar on the local multi-process cluster (two JobManagers
 * with ZooKeeper high availability) while a kill of the leading JobManager, three kills of the
 * TaskManager running the job (each after a completed checkpoint, each replaced), a Kafka node kill
 * and a 30 s freeze of the TaskManager running the job happen. The standby JobManager takes the job
 * over from the latest checkpoint, every task has exactly one result, every session turn saw its
 * session's earlier turns, and each kill restarted the job.
 */
class SoakIT {
    @Test
    void nothingIsLostOrDuplicatedWhileProcessesDie(@TempDir Path work) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path conf = work.resolve("cluster.conf");
        Files.writeString(
                conf,
                Soak.clusterConf(work.resolve("cluster"), 18095, 16137, 29112, 29212, 12185, 2));

        Soak.Outcome outcome =
                new Soak(root, conf, work, 18095)
                        .run(
                                new Soak.Plan(
                                        2_000,
                                        100,
                                        true,
                                        3,
                                        true,
                                        Duration.ofSeconds(30),
                                        Duration.ofMinutes(8)));

        outcome.faults().forEach(f -> System.out.println("fault: " + f));
        System.out.println(outcome.statusLine());
        System.out.println(outcome.memoryLine());
        System.out.println(outcome);
        assertThat(outcome.tasks()).isEqualTo(2_000);
        assertThat(outcome.results()).isEqualTo(2_000);
        assertThat(outcome.lost()).isZero();
        assertThat(outcome.duplicates()).isZero();
        // Every task answered: the faults delay calls but make none fail.
        assertThat(outcome.statuses()).isEqualTo(java.util.Map.of("COMPLETED", 2_000));
        assertThat(outcome.faults()).hasSize(6);
        // The leading JobManager dies first; the standby restores the checkpoint completed last
        // before the kill, or one the dying leader completed after the soak read it.
        Matcher failover =
                Pattern.compile(
                                "kill -9 jobmanager-([01]) \\(leader\\) after checkpoint (\\d+);"
                                        + " jobmanager-([01]) restored checkpoint (\\d+)")
                        .matcher(outcome.faults().get(0));
        assertThat(failover.matches()).as(outcome.faults().get(0)).isTrue();
        assertThat(failover.group(3)).isNotEqualTo(failover.group(1));
        assertThat(Long.parseLong(failover.group(4)))
                .isGreaterThanOrEqualTo(Long.parseLong(failover.group(2)));
        // A TaskManager kill waits for a checkpoint after the one before it, so a slow recovery can
        // put the Kafka node's kill (at 60% of the tasks) before the third one: counted, not
        // ordered.
        assertThat(outcome.faults())
                .filteredOn(f -> f.matches("kill -9 taskmanager-[01] after checkpoint \\d+"))
                .hasSize(3);
        assertThat(outcome.faults()).filteredOn(f -> f.equals("kill -9 kafka-1")).hasSize(1);
        assertThat(outcome.faults())
                .filteredOn(f -> f.matches("SIGSTOP taskmanager-[01] for 30 s"))
                .hasSize(1);
        // 2,000 tasks: every tenth (200) is a turn of one of 50 sessions of 4 turns.
        assertThat(outcome.sessions()).isEqualTo(50);
        assertThat(outcome.turns()).isEqualTo(200);
        assertThat(outcome.memoryBroken()).isZero();
        // Each kill of the TaskManager running every task of the job (parallelism 1) fails the job
        // over once; a restart attempt that fails, or a failover caused by the Kafka node kill or
        // the freeze, adds to that.
        assertThat(outcome.restarts()).isGreaterThanOrEqualTo(3);
        // The provider answers the 1,800 tasks without a session; calls beyond one per task are
        // the ones in flight at a failover.
        assertThat(outcome.providerCalls()).isGreaterThanOrEqualTo(1_800);
    }
}
