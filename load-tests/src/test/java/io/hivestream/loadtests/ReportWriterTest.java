package io.hivestream.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportWriterTest {
    private static final Figures.Run PASSTHROUGH =
            new Figures.Run(
                    "a-passthrough",
                    "passthrough",
                    "EXACTLY_ONCE",
                    -1,
                    1000,
                    20_000.4,
                    0.0456,
                    0.01,
                    0,
                    null,
                    new Figures.Checkpoints(5, 20, 31, 2048, 4096, -1, -1, 10_240));
    private static final Figures.Run PIPELINE =
            new Figures.Run(
                    "a-pipeline-alo",
                    "pipeline",
                    "AT_LEAST_ONCE",
                    0,
                    1000,
                    10_000,
                    0.5,
                    Double.NaN,
                    3,
                    new Figures.Latency(
                            5_000,
                            100_000,
                            12,
                            40,
                            11,
                            38,
                            52,
                            60,
                            null,
                            new Figures.Parts(9, 31, 3, 11)),
                    new Figures.Checkpoints(
                            7,
                            100,
                            250,
                            3 * 1024 * 1024,
                            6 * 1024 * 1024,
                            5 * 1024 * 1024,
                            1024 * 1024,
                            7 * 1024 * 1024));

    private static final Figures.Report REPORT =
            new Figures.Report(
                    "a",
                    "Instant agents.",
                    List.<String[]>of(new String[] {"tasks per run", "1000"}),
                    List.of(PASSTHROUGH, PIPELINE),
                    List.of(new Figures.Analyser("rules", 1000, 15, 1.234, 2.5)),
                    List.of(
                            new Figures.Ratio("pipeline/passthrough", 0.49998, "≥ 0.5"),
                            new Figures.Ratio("exactly-once/at-least-once", 0.9, "≥ 0.85")),
                    List.of("One note."));

    @Test
    void theMarkdownTablesShowTheFiguresExactly() {
        assertThat(ReportWriter.markdown(REPORT, List.of("throughput.png")))
                .isEqualTo(
                        """
                        # Benchmark: scenario a

                        Instant agents.

                        | setting | value |
                        |---|---|
                        | tasks per run | 1000 |

                        ## Throughput: a backlog drained as fast as possible

                        | run | job | delivery | agent latency | tasks | tasks/s | CPU-s per 1k tasks (job JVM) | CPU-s per 1k tasks (broker) | duplicates |
                        |---|---|---|---:|---:|---:|---:|---:|---:|
                        | a-passthrough | passthrough | EXACTLY_ONCE | - | 1000 | 20000 | 0.046 | 0.010 | 0 |
                        | a-pipeline-alo | pipeline | AT_LEAST_ONCE | 0 ms | 1000 | 10000 | 0.500 | n/a | 3 |

                        ## Latency at a fixed rate (milliseconds)

                        | run | rate (tasks/s) | tasks | end-to-end p50 | end-to-end p99 | orchestration p50 | orchestration p99 | orchestration p99.9 | orchestration max |
                        |---|---:|---:|---:|---:|---:|---:|---:|---:|
                        | a-pipeline-alo | 5000 | 100000 | 12 | 40 | 11 | 38 | 52 | 60 |

                        ## Where the end-to-end time goes at the fixed rate (milliseconds)

                        Made: from publish until the job emitted the result to its sink (its `completedAt`). Visible: from then until a read_committed reader got it.

                        | run | made p50 | made p99 | visible p50 | visible p99 |
                        |---|---:|---:|---:|---:|
                        | a-pipeline-alo | 9 | 31 | 3 | 11 |

                        ## Checkpoints and state

                        | run | checkpoints | last duration (ms) | longest (ms) | last size | full size | RocksDB SST files | RocksDB live data | on disk |
                        |---|---:|---:|---:|---:|---:|---:|---:|---:|
                        | a-passthrough | 5 | 20 | 31 | 2.0 KiB | 4.0 KiB | n/a | n/a | 10.0 KiB |
                        | a-pipeline-alo | 7 | 100 | 250 | 3.0 MiB | 6.0 MiB | 5.0 MiB | 1.0 MiB | 7.0 MiB |

                        ## Complexity analyser alone

                        | analyser | tasks per round | rounds | best µs/task | median µs/task | tasks/s per core (median) |
                        |---|---:|---:|---:|---:|---:|
                        | rules | 1000 | 15 | 1.23 | 2.50 | 400000 |

                        ## Ratios (same benchmark run)

                        | ratio | value | goal |
                        |---|---:|---|
                        | pipeline/passthrough | 0.50 | ≥ 0.5 |
                        | exactly-once/at-least-once | 0.90 | ≥ 0.85 |

                        ## Notes

                        - One note.

                        ## Charts

                        ![throughput.png](throughput.png)
                        """);
    }

    @Test
    void theHeadlineEndsWithThePipelineRatio() {
        assertThat(ReportWriter.headline(REPORT))
                .containsExactly(
                        "a-passthrough: 20000 tasks/s, 0.046 CPU-s per 1k tasks",
                        "a-pipeline-alo: 10000 tasks/s, 0.500 CPU-s per 1k tasks; at 5000 tasks/s"
                                + " orchestration p99 38 ms (end-to-end p99 40 ms)",
                        "rules: 2.50 µs per task (median of 15 rounds)",
                        "ratio exactly-once/at-least-once: 0.90",
                        "ratio pipeline/passthrough: 0.50");
    }

    @Test
    void plansAndTheOtherTasksAreShownApartWhenARunHadPlans() {
        Figures.Run planned =
                new Figures.Run(
                        "c-pipeline-eo",
                        "pipeline",
                        "EXACTLY_ONCE",
                        0,
                        1000,
                        2000,
                        0.8,
                        0.07,
                        0,
                        new Figures.Latency(
                                1000,
                                15_000,
                                1500,
                                3600,
                                1500,
                                3600,
                                3700,
                                3800,
                                new Figures.Split(750, 3300, 3550, 1430, 1950, 0.000032, 0.000005),
                                null),
                        new Figures.Checkpoints(7, 100, 250, 1024, 2048, -1, -1, 4096));
        Figures.Report report =
                new Figures.Report(
                        "c",
                        "Plans.",
                        List.of(),
                        List.of(planned),
                        List.of(),
                        List.of(),
                        List.of());

        assertThat(ReportWriter.markdown(report, List.of()))
                .contains(
                        """
                        ## Plans and the other tasks at the fixed rate

                        | run | plans | plans p50 (ms) | plans p99 (ms) | cost per plan (USD) | other tasks p50 (ms) | other tasks p99 (ms) | cost per other task (USD) |
                        |---|---:|---:|---:|---:|---:|---:|---:|
                        | c-pipeline-eo | 750 | 3300 | 3550 | 0.000032 | 1430 | 1950 | 0.000005 |
                        """);
        assertThat(ReportWriter.headline(report))
                .containsExactly(
                        "c-pipeline-eo: 2000 tasks/s, 0.800 CPU-s per 1k tasks; at 1000 tasks/s"
                                + " orchestration p99 3600 ms (end-to-end p99 3600 ms); end-to-end"
                                + " p50/p99 3300/3550 ms and $0.000032 each for 750 plans,"
                                + " 1430/1950 ms and $0.000005 each for the other tasks");
    }

    @Test
    void aReportWithoutRunsHasNoRunTables() {
        Figures.Report analyser =
                new Figures.Report(
                        "e",
                        "Analyser.",
                        List.of(),
                        List.of(),
                        List.of(new Figures.Analyser("rules", 10, 3, 1, 2)),
                        List.of(),
                        List.of());

        assertThat(ReportWriter.markdown(analyser, List.of()))
                .isEqualTo(
                        """
                        # Benchmark: scenario e

                        Analyser.

                        | setting | value |
                        |---|---|

                        ## Complexity analyser alone

                        | analyser | tasks per round | rounds | best µs/task | median µs/task | tasks/s per core (median) |
                        |---|---:|---:|---:|---:|---:|
                        | rules | 10 | 3 | 1.00 | 2.00 | 500000 |
                        """);
        assertThat(ReportWriter.headline(analyser))
                .containsExactly("rules: 2.00 µs per task (median of 3 rounds)");
    }
}
