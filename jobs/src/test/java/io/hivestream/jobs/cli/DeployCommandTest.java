package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.jobs.cli.DeployCommand.Changelog;
import io.hivestream.jobs.cli.DeployCommand.ClaimMode;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class DeployCommandTest {
    private static final Path CONFIG = Path.of("job.properties");

    private static Properties job(String... keyValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return properties;
    }

    private static Supplier<Map<String, String>> cluster(String key, String value) {
        return () -> Map.of(key, value);
    }

    private static Supplier<Map<String, String>> unasked() {
        return () -> {
            throw new AssertionError("the cluster's configuration was read");
        };
    }

    @Test
    void theJobsOptionsWinOverTheClustersConfiguration() {
        assertThat(
                        Changelog.of(
                                job("state.changelog.enabled", "false"),
                                CONFIG,
                                cluster("state.changelog.enabled", "true")))
                .isEqualTo(new Changelog(false, "state.changelog.enabled=false in job.properties"));
        assertThat(Changelog.of(job("state.changelog.enabled", " TRUE "), CONFIG, unasked()))
                .isEqualTo(new Changelog(true, "state.changelog.enabled=TRUE in job.properties"));
    }

    @Test
    void withoutTheJobsSayTheClustersConfigurationDecides() {
        assertThat(Changelog.of(job(), CONFIG, cluster("state.changelog.enabled", "true")))
                .isEqualTo(
                        new Changelog(
                                true,
                                "state.changelog.enabled=true in the cluster's configuration"));
        assertThat(Changelog.of(job(), CONFIG, cluster("rest.port", "8081")))
                .isEqualTo(
                        new Changelog(
                                false,
                                "state.changelog.enabled=false in the cluster's configuration"));
    }

    @Test
    void aRestoreWithTheChangelogClaimsTheSnapshot() {
        Changelog on = new Changelog(true, "x");
        Changelog off = new Changelog(false, "x");

        assertThat(DeployCommand.claimMode("file:/sp", null, () -> on)).isEqualTo(ClaimMode.CLAIM);
        assertThat(DeployCommand.claimMode("file:/sp", null, () -> off))
                .isEqualTo(ClaimMode.NO_CLAIM);
        assertThat(DeployCommand.claimMode("file:/sp", ClaimMode.NO_CLAIM, () -> off))
                .isEqualTo(ClaimMode.NO_CLAIM);
        assertThat(
                        DeployCommand.claimMode(
                                "file:/sp",
                                ClaimMode.CLAIM,
                                () -> {
                                    throw new AssertionError("asked whether the changelog is on");
                                }))
                .isEqualTo(ClaimMode.CLAIM);
    }

    @Test
    void withoutASavepointNothingIsClaimedOrAsked() {
        assertThat(
                        DeployCommand.claimMode(
                                null,
                                null,
                                () -> {
                                    throw new AssertionError("asked whether the changelog is on");
                                }))
                .isNull();
    }

    @Test
    void aClaimModeWithoutASavepointIsRefused() {
        assertThatThrownBy(
                        () ->
                                DeployCommand.claimMode(
                                        null, ClaimMode.CLAIM, () -> new Changelog(false, "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "--claim-mode applies to a restore: add --savepoint PATH, or leave --claim-mode out");
    }

    @Test
    void noClaimWithTheChangelogIsRefusedWithWhatToDo() {
        assertThatThrownBy(
                        () ->
                                DeployCommand.claimMode(
                                        "file:/sp",
                                        ClaimMode.NO_CLAIM,
                                        () ->
                                                new Changelog(
                                                        true,
                                                        "state.changelog.enabled=true in the"
                                                                + " cluster's configuration")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "state.changelog.enabled=true in the cluster's configuration turns the"
                                + " changelog state backend on, and a job with it restored in"
                                + " NO_CLAIM mode fails every checkpoint, so its results never"
                                + " commit: use --claim-mode CLAIM, or set state.changelog.enabled=false in the job's"
                                + " options for this restore");
    }
}
