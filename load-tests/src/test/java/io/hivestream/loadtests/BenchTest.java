package io.hivestream.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;

class BenchTest {
    private static Figures.Run run(
            String name, String job, String delivery, double throughput, Figures.Latency latency) {
        return new Figures.Run(
                name,
                job,
                delivery,
                0,
                1000,
                throughput,
                0.1,
                0.1,
                0,
                latency,
                new Figures.Checkpoints(-1, -1, -1, -1, -1, -1, -1, 0));
    }

    @Test
    void theCommandLineHasDefaultsPerScenario() {
        Bench.Args a = Bench.Args.parse(new String[] {"pipeline", "--scenario", "a"});
        Bench.Args d =
                Bench.Args.parse(
                        new String[] {
                            "pipeline",
                            "--scenario",
                            "d",
                            "--sessions",
                            "5000",
                            "--checkpoint-interval",
                            "2s",
                            "--jfr",
                            "--conf",
                            "execution.buffer-timeout.interval=5 ms",
                            "--conf",
                            "state.backend.type = hashmap"
                        });

        assertThat(a.tasks()).isEqualTo(100_000);
        assertThat(a.fixedRate()).isEqualTo(Duration.ofSeconds(20));
        assertThat(a.checkpointInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(a.jfr()).isFalse();
        assertThat(d.tasks()).isEqualTo(5000);
        assertThat(d.sessions()).isEqualTo(5000);
        assertThat(d.fixedRate()).isEqualTo(Duration.ZERO);
        assertThat(d.checkpointInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(d.jfr()).isTrue();
        assertThat(a.conf()).isEmpty();
        assertThat(d.conf())
                .containsExactly(
                        Map.entry("execution.buffer-timeout.interval", "5 ms"),
                        Map.entry("state.backend.type", "hashmap"));
        assertThatThrownBy(
                        () ->
                                Bench.Args.parse(
                                        new String[] {
                                            "pipeline", "--scenario", "a", "--conf", "x"
                                        }))
                .hasMessage("--conf takes KEY=VALUE, got 'x'");
        assertThatThrownBy(() -> Bench.Args.parse(new String[] {"pipeline", "--scenario", "z"}))
                .hasMessage("--scenario must be one of a, b, c, d, e");
        assertThatThrownBy(
                        () ->
                                Bench.Args.parse(
                                        new String[] {
                                            "pipeline", "--scenario", "a", "--speed", "9"
                                        }))
                .hasMessage("unknown options [speed]");
    }

    @Test
    void ratiosCompareRunsOfTheSameBenchmarkRun() {
        Bench.Args args = Bench.Args.parse(new String[] {"pipeline", "--scenario", "a"});
        List<Figures.Run> runs =
                List.of(
                        run("p", "passthrough", "EXACTLY_ONCE", 10_000, null),
                        run(
                                "eo",
                                "pipeline",
                                "EXACTLY_ONCE",
                                4_000,
                                new Figures.Latency(2000, 1, 0, 0, 0, 525, 0, 0, null, null)),
                        run(
                                "alo",
                                "pipeline",
                                "AT_LEAST_ONCE",
                                5_000,
                                new Figures.Latency(2500, 1, 0, 0, 0, 10, 0, 0, null, null)));

        assertThat(Bench.ratios(runs, args))
                .containsExactly(
                        new Figures.Ratio("exactly-once/at-least-once", 0.8, "≥ 0.85"),
                        new Figures.Ratio("eo orchestration p99 / goal (1050 ms)", 0.5, "≤ 1"),
                        new Figures.Ratio("alo orchestration p99 / goal (20 ms)", 0.5, "≤ 1"),
                        new Figures.Ratio("alo/passthrough", 0.5, "-"),
                        new Figures.Ratio(
                                "pipeline/passthrough", 0.4, "≥ 0.5 with instant agents"));
    }

    @Test
    void warmUpRunsAreInNoRatio() {
        Bench.Args args = Bench.Args.parse(new String[] {"pipeline", "--scenario", "a"});
        assertThat(args.warmUp()).isTrue();
        assertThat(
                        Bench.Args.parse(
                                        new String[] {
                                            "pipeline", "--scenario", "a", "--no-warm-up"
                                        })
                                .warmUp())
                .isFalse();
        List<Figures.Run> runs =
                List.of(
                        run("a-warm-up-passthrough", "passthrough", "EXACTLY_ONCE", 1_000, null),
                        run("a-warm-up-pipeline", "pipeline", "EXACTLY_ONCE", 100, null),
                        run("a-passthrough", "passthrough", "EXACTLY_ONCE", 10_000, null),
                        run("a-pipeline-eo", "pipeline", "EXACTLY_ONCE", 4_500, null),
                        run("a-pipeline-alo", "pipeline", "AT_LEAST_ONCE", 5_000, null));

        assertThat(Bench.ratios(runs, args))
                .containsExactly(
                        new Figures.Ratio("exactly-once/at-least-once", 0.9, "≥ 0.85"),
                        new Figures.Ratio("a-pipeline-alo/passthrough", 0.5, "-"),
                        new Figures.Ratio(
                                "pipeline/passthrough", 0.45, "≥ 0.5 with instant agents"));
    }

    /** A run of scenario a's plain mix with simulated agents and no options. */
    private static Harness.Spec spec(
            String name, boolean pipeline, long tasks, Duration fixedRate) {
        return new Harness.Spec(
                name,
                pipeline,
                DeliveryGuarantee.EXACTLY_ONCE,
                0,
                TaskMix.plain(42),
                tasks,
                0.5,
                fixedRate,
                Map.of());
    }

    @Test
    void aWarmUpRunIsTheRunWithNoFixedRatePhase() {
        Harness.Spec spec = spec("a-pipeline-eo", true, 150_000, Duration.ofSeconds(10));

        assertThat(Bench.warmUp(spec, "a-warm-up-pipeline", 150_000))
                .isEqualTo(spec("a-warm-up-pipeline", true, 150_000, Duration.ZERO));
        assertThat(Bench.warmUp(spec, "a-warm-up-pipeline", 1_000_000))
                .isEqualTo(spec("a-warm-up-pipeline", true, 1_000_000, Duration.ZERO));
    }

    @Test
    void theWarmUpBacklogIsTheMeasuredOneUnlessGiven() {
        assertThat(
                        Bench.Args.parse(
                                        new String[] {
                                            "pipeline", "--scenario", "a", "--tasks", "150000"
                                        })
                                .warmUpTasks())
                .isEqualTo(150_000);
        assertThat(
                        Bench.Args.parse(
                                        new String[] {
                                            "pipeline",
                                            "--scenario",
                                            "a",
                                            "--warm-up-tasks",
                                            "2000000"
                                        })
                                .warmUpTasks())
                .isEqualTo(2_000_000);
        assertThatThrownBy(
                        () ->
                                Bench.Args.parse(
                                        new String[] {
                                            "pipeline",
                                            "--scenario",
                                            "a",
                                            "--no-warm-up",
                                            "--warm-up-tasks",
                                            "1000"
                                        }))
                .hasMessage(
                        "--warm-up-tasks sizes the warm-up runs that --no-warm-up leaves out; drop"
                                + " one of them");
        assertThatThrownBy(
                        () ->
                                Bench.Args.parse(
                                        new String[] {
                                            "pipeline", "--scenario", "a", "--warm-up-tasks", "0"
                                        }))
                .hasMessage("--warm-up-tasks must be at least 1 (or use --no-warm-up), not 0");
    }

    @Test
    void thePassthroughDrainsAtLeastAMillionTasks() {
        Harness.Spec large = spec("d-passthrough", false, 2_000_000, Duration.ZERO);

        assertThat(Bench.passthrough(spec("a-passthrough", false, 150_000, Duration.ofSeconds(10))))
                .isEqualTo(spec("a-passthrough", false, 1_000_000, Duration.ofSeconds(10)));
        assertThat(Bench.passthrough(large)).isEqualTo(large);
    }

    @Test
    void withTenantsTheAdmitStagesRunIsComparedWithTheSameRunWithout() {
        Bench.Args args =
                Bench.Args.parse(new String[] {"pipeline", "--scenario", "a", "--tenants"});
        assertThat(args.tenants()).isTrue();
        assertThat(Bench.Args.parse(new String[] {"pipeline", "--scenario", "a"}).tenants())
                .isFalse();
        List<Figures.Run> runs =
                List.of(
                        run("a-pipeline-eo", "pipeline", "EXACTLY_ONCE", 4_000, null),
                        run("a-pipeline-eo-tenants", "pipeline", "EXACTLY_ONCE", 3_800, null));

        assertThat(Bench.ratios(runs, args))
                .containsExactly(
                        new Figures.Ratio("with tenants/without (exactly-once)", 0.95, "≥ 0.95"));
    }

    @Test
    void securedRunsScenarioAOverSaslSslBesideThePlainRun() {
        Bench.Args args =
                Bench.Args.parse(new String[] {"pipeline", "--scenario", "a", "--secured"});
        assertThat(args.secured()).isTrue();
        assertThat(Bench.Args.parse(new String[] {"pipeline", "--scenario", "a"}).secured())
                .isFalse();
        // Compared with the plaintext run right after it, not with the first one.
        List<Figures.Run> runs =
                List.of(
                        run("a-pipeline-eo", "pipeline", "EXACTLY_ONCE", 2_000, null),
                        run("a-pipeline-eo-sasl-ssl", "pipeline", "EXACTLY_ONCE", 3_600, null),
                        run("a-pipeline-eo-plaintext", "pipeline", "EXACTLY_ONCE", 4_000, null));

        assertThat(Bench.ratios(runs, args))
                .containsExactly(
                        new Figures.Ratio("SASL_SSL/plaintext (exactly-once)", 0.9, "-"),
                        new Figures.Ratio(
                                "SASL_SSL/plaintext (exactly-once), CPU-s per task of the job JVM",
                                1.0,
                                "-"));
    }

    @Test
    void signedRunsAreComparedWithTheUnsignedOnesAroundThemLeavingTheWarmUpOut() {
        Bench.Args args =
                Bench.Args.parse(new String[] {"pipeline", "--scenario", "a", "--signed"});
        assertThat(args.signed()).isTrue();
        List<Figures.Run> runs =
                List.of(
                        run("a-pipeline-eo-warm-up-signed", "pipeline", "EXACTLY_ONCE", 100, null),
                        run("a-pipeline-eo-unsigned-1", "pipeline", "EXACTLY_ONCE", 1_000, null),
                        run("a-pipeline-eo-signed-1", "pipeline", "EXACTLY_ONCE", 900, null),
                        run("a-pipeline-eo-signed-2", "pipeline", "EXACTLY_ONCE", 950, null),
                        run("a-pipeline-eo-unsigned-2", "pipeline", "EXACTLY_ONCE", 1_000, null),
                        run("a-pipeline-eo-unsigned-3", "pipeline", "EXACTLY_ONCE", 1_000, null),
                        // A run the machine slowed: it moves the pooled ratio, not the medians'.
                        run("a-pipeline-eo-signed-3", "pipeline", "EXACTLY_ONCE", 175, null),
                        run("a-pipeline-eo-signed-4", "pipeline", "EXACTLY_ONCE", 1_050, null),
                        run("a-pipeline-eo-unsigned-4", "pipeline", "EXACTLY_ONCE", 1_100, null));

        assertThat(Bench.ratios(runs, args))
                .containsExactly(
                        new Figures.Ratio(
                                "signed/unsigned (exactly-once, ML-DSA-65)", 0.75, "≥ 0.95"),
                        new Figures.Ratio(
                                "signed/unsigned (exactly-once), CPU-s per task of the job JVM",
                                1.0,
                                "-"),
                        new Figures.Ratio(
                                "signed/unsigned, medians (exactly-once, ML-DSA-65)",
                                0.925,
                                "≥ 0.95"),
                        new Figures.Ratio(
                                "signed/unsigned, medians (exactly-once), CPU-s per task of the job JVM",
                                1.0,
                                "-"));
        assertThatThrownBy(
                        () ->
                                Bench.Args.parse(
                                        new String[] {"pipeline", "--scenario", "c", "--signed"}))
                .hasMessage("--signed applies to scenario a only; run it with --scenario a");
    }

    @Test
    void securedIsRefusedForTheScenariosThatHaveNoSecuredRun() {
        assertThatThrownBy(
                        () ->
                                Bench.Args.parse(
                                        new String[] {"pipeline", "--scenario", "b", "--secured"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--secured applies to scenario a only; run it with --scenario a");
    }
}
