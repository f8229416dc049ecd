package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.changelog.fs.FsStateChangelogOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.junit.jupiter.api.AfterEach;

/**
 * {@link ExactlyOnceIT} with the changelog state backend (docs/deploying.md): the job fails once
 * after a completed checkpoint and restores from RocksDB's state plus the changes logged since, and
 * read_committed consumers still see each task's result exactly once. As on a session cluster, the
 * changelog's storage is the TaskManager's setting and the job turns the backend on, so the job
 * runs on a MiniCluster of its own, configured with that storage.
 */
class ChangelogExactlyOnceIT extends ExactlyOnceIT {
    private MiniCluster cluster;

    @Override
    StreamExecutionEnvironment environment(Configuration conf, Path checkpoints) throws Exception {
        Configuration taskManagers = new Configuration();
        taskManagers.set(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE, "filesystem");
        taskManagers.set(
                FsStateChangelogOptions.BASE_PATH, changelog(checkpoints).toUri().toString());
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(taskManagers)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(4)
                                .build());
        cluster.start();
        Configuration job = new Configuration(conf);
        job.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, true);
        return new TestStreamEnvironment(cluster, job, 2, List.of(), List.of());
    }

    /** The state changes went to the changelog's storage: the backend was in use. */
    @Override
    void ran(Path checkpoints) throws Exception {
        try (Stream<Path> files = Files.walk(changelog(checkpoints))) {
            assertThat(files.filter(Files::isRegularFile).count()).isPositive();
        }
    }

    @AfterEach
    void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    private static Path changelog(Path checkpoints) {
        return checkpoints.resolve("changelog");
    }
}
