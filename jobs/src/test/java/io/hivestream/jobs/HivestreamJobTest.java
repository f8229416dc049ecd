package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HivestreamJobTest {
    @Test
    void argumentsOverrideTheConfigFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(
                file,
                "hivestream.kafka.bootstrap-servers=file:9092\nhivestream.route.max-fallbacks=4\n");

        Configuration conf =
                HivestreamJob.parseArgs(
                        new String[] {
                            "--config",
                            file.toString(),
                            "--hivestream.kafka.bootstrap-servers",
                            "cli:9092"
                        });

        assertThat(conf.get(HivestreamOptions.BOOTSTRAP_SERVERS)).isEqualTo("cli:9092");
        assertThat(conf.get(HivestreamOptions.MAX_FALLBACKS)).isEqualTo(4);
        assertThat(conf.get(HivestreamOptions.AGENT_WAIT)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void malformedArgumentsAreRefused() {
        assertThatThrownBy(() -> HivestreamJob.parseArgs(new String[] {"hivestream.delivery"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected --KEY VALUE pairs, got 'hivestream.delivery'");
    }

    @Test
    void settingsKeepTheUsersChoicesButNeverAllowGenericTypes() {
        Configuration user = new Configuration();
        user.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(3));
        user.set(PipelineOptions.GENERIC_TYPES, true);

        Configuration settings = JobSettings.apply(user);

        assertThat(settings.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.get(PipelineOptions.GENERIC_TYPES)).isFalse();
        assertThat(settings.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(settings.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
    }

    @Test
    void aTransactionTimeoutTooShortForARecoveryIsRefused() {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(30));

        assertThatThrownBy(
                        () ->
                                HivestreamJob.checkTransactionTimeout(
                                        conf,
                                        org.apache.flink.connector.base.DeliveryGuarantee
                                                .EXACTLY_ONCE,
                                        Duration.ofMinutes(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "hivestream.kafka.transaction-timeout is 120 s; with checkpoints every 30 s it must be at least 150 s"
                                + " (and below the broker's transaction.max.timeout.ms), or a slow recovery could abort committed results");
        HivestreamJob.checkTransactionTimeout(
                conf,
                org.apache.flink.connector.base.DeliveryGuarantee.EXACTLY_ONCE,
                Duration.ofSeconds(150));
        HivestreamJob.checkTransactionTimeout(
                conf,
                org.apache.flink.connector.base.DeliveryGuarantee.AT_LEAST_ONCE,
                Duration.ofSeconds(1));
    }
}
