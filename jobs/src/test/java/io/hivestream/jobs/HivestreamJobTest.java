package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
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
        user.set(RocksDBConfigurableOptions.BLOOM_FILTER_BITS_PER_KEY, 12.0);

        Configuration settings = JobSettings.apply(user);
        Configuration withoutBloom =
                JobSettings.apply(
                        new Configuration()
                                .set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, false));

        assertThat(settings.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.get(PipelineOptions.GENERIC_TYPES)).isFalse();
        assertThat(settings.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(settings.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(settings.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isTrue();
        assertThat(settings.get(PipelineOptions.OBJECT_REUSE)).isTrue();
        assertThat(
                        JobSettings.apply(
                                        new Configuration()
                                                .set(PipelineOptions.OBJECT_REUSE, false))
                                .get(PipelineOptions.OBJECT_REUSE))
                .isFalse();
        assertThat(settings.get(RocksDBConfigurableOptions.BLOOM_FILTER_BITS_PER_KEY))
                .isEqualTo(12.0);
        assertThat(withoutBloom.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isFalse();
    }

    @Test
    void barriersAreAlignedForExactlyOnceResultsOnly() {
        Configuration atLeastOnce =
                new Configuration()
                        .set(HivestreamOptions.DELIVERY, DeliveryGuarantee.AT_LEAST_ONCE);
        Configuration chosen =
                new Configuration(atLeastOnce)
                        .set(
                                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                                CheckpointingMode.EXACTLY_ONCE);

        assertThat(
                        JobSettings.apply(new Configuration())
                                .get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE))
                .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(
                        JobSettings.apply(atLeastOnce)
                                .get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE))
                .isEqualTo(CheckpointingMode.AT_LEAST_ONCE);
        assertThat(
                        JobSettings.apply(chosen)
                                .get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE))
                .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
    }

    @Test
    void aTransactionTimeoutTooShortForARecoveryIsRefused() {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(30));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(40));

        // 5 x 30 s + 50 s (Flink's default heartbeat timeout) + 40 s = 240 s.
        assertThatThrownBy(
                        () ->
                                HivestreamJob.checkTransactionTimeout(
                                        conf,
                                        DeliveryGuarantee.EXACTLY_ONCE,
                                        Duration.ofMinutes(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "hivestream.kafka.transaction-timeout is 120 s; with checkpoints every 30.0 s,"
                                + " a heartbeat timeout of 50.0 s and restarts delayed up to 40.0 s it must"
                                + " be at least 240.0 s (5 checkpoint intervals + heartbeat timeout +"
                                + " restart delay; and below the broker's transaction.max.timeout.ms), or a"
                                + " slow recovery could abort committed results");
        assertThatThrownBy(
                        () ->
                                HivestreamJob.checkTransactionTimeout(
                                        conf,
                                        DeliveryGuarantee.EXACTLY_ONCE,
                                        Duration.ofSeconds(239)))
                .isInstanceOf(IllegalArgumentException.class);
        HivestreamJob.checkTransactionTimeout(
                conf, DeliveryGuarantee.EXACTLY_ONCE, Duration.ofSeconds(240));
        HivestreamJob.checkTransactionTimeout(
                conf, DeliveryGuarantee.AT_LEAST_ONCE, Duration.ofSeconds(1));
    }

    @Test
    void theLongestRestartDelayFollowsTheRestartStrategy() {
        Configuration conf = new Configuration();
        // Flink's default with checkpointing: exponential delay up to 1 min, jitter 10%.
        assertThat(HivestreamJob.longestRestartDelay(conf)).isEqualTo(Duration.ofSeconds(66));
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                Duration.ofSeconds(20));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.5);
        assertThat(HivestreamJob.longestRestartDelay(conf)).isEqualTo(Duration.ofSeconds(30));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "failure-rate");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_DELAY, Duration.ofSeconds(7));
        assertThat(HivestreamJob.longestRestartDelay(conf)).isEqualTo(Duration.ofSeconds(7));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        assertThat(HivestreamJob.longestRestartDelay(conf)).isZero();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "sometimes");
        assertThatThrownBy(() -> HivestreamJob.longestRestartDelay(conf))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown restart-strategy.type 'sometimes'");

        // The job's defaults: checkpoints every 10 s, exponential restarts, 50 s heartbeat
        // timeout: 50 + 50 + 66 = 166 s, well within the default 10 min timeout.
        assertThat(HivestreamJob.leastTransactionTimeout(JobSettings.apply(new Configuration())))
                .isEqualTo(Duration.ofSeconds(166));
        assertThat(HivestreamOptions.TRANSACTION_TIMEOUT.defaultValue())
                .isGreaterThan(Duration.ofSeconds(166));
    }
}
