package io.hivestream.loadtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.schemas.AgentEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpBenchTest {
    @Test
    void theCommandLineHasDefaults() {
        HttpBench.Args args = HttpBench.Args.parse(new String[0]);

        assertThat(args.tasks()).isEqualTo(20_000);
        assertThat(args.connections()).isEqualTo(16);
        assertThat(args.capacity()).isEqualTo(8);
        assertThat(args.parallelism()).isEqualTo(2);
        assertThat(args.checkpointInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(args.warmup()).isEqualTo(2000);
        assertThat(args.portkey()).isTrue();
        assertThat(args.warmUp()).isTrue();
        assertThat(args.jfr()).isFalse();
        assertThat(args.out()).isNull();
    }

    @Test
    void theCommandLineTakesItsOptions() {
        HttpBench.Args args =
                HttpBench.Args.parse(
                        new String[] {
                            "--tasks", "500", "--connections", "4", "--capacity", "32",
                            "--no-portkey", "--jfr", "--conf", "a.b=c", "--out", "x",
                            "--no-warm-up"
                        });

        assertThat(args.tasks()).isEqualTo(500);
        assertThat(args.connections()).isEqualTo(4);
        assertThat(args.capacity()).isEqualTo(32);
        assertThat(args.portkey()).isFalse();
        assertThat(args.warmUp()).isFalse();
        assertThat(args.jfr()).isTrue();
        assertThat(args.conf()).isEqualTo(Map.of("a.b", "c"));
        assertThat(args.out()).isEqualTo(Path.of("x"));
    }

    @Test
    void theCommandLineRefusesWhatItDoesNotKnow() {
        assertThatThrownBy(() -> HttpBench.Args.parse(new String[] {"--calls", "5"}))
                .hasMessage("unknown options [calls]");
        assertThatThrownBy(() -> HttpBench.Args.parse(new String[] {"--tasks", "5"}))
                .hasMessage("--tasks must be at least 10, --connections and --capacity at least 1");
        assertThatThrownBy(() -> HttpBench.Args.parse(new String[] {"extra"}))
                .hasMessageStartingWith("unexpected argument 'extra'; usage: bench http");
    }

    @Test
    void theRatiosAreTheJobsOverPortkeys() {
        HttpBench.Row job = new HttpBench.Row("job", 1000, 900, 1.2, Map.of(), 0.2);
        HttpBench.Row portkey = new HttpBench.Row("portkey", 1000, 600, 1.5, Map.of(), 0.2);

        assertThat(HttpBench.ratios(job, portkey))
                .containsExactly(
                        "CPU-s per 1k calls, job+broker ÷ Portkey: 0.80 (goal ≤ 0.5)",
                        "calls/s, job ÷ Portkey: 1.50 (goal ≥ 1)");
    }

    @Test
    void aResultOtherThanCompletedIsAFailureOfTheRun() {
        HttpBench.FAILURES.clear();
        try {
            assertThat(HttpBench.statuses(new TreeMap<>(Map.of("COMPLETED", 20L)), 20))
                    .isEqualTo("Results by status: {COMPLETED=20}.");
            assertThat(HttpBench.FAILURES).isEmpty();

            assertThat(
                            HttpBench.statuses(
                                    new TreeMap<>(Map.of("COMPLETED", 17L, "FAILED", 3L)), 20))
                    .isEqualTo("Results by status: {COMPLETED=17, FAILED=3}.");
            assertThat(HttpBench.FAILURES)
                    .containsExactly(
                            "3 of 20 tasks of the job did not complete: {COMPLETED=17, FAILED=3}");
        } finally {
            HttpBench.FAILURES.clear();
        }
    }

    @Test
    void theJobsOneAgentIsTheLoopbackServerForEveryKind() {
        AgentEvent agent = HttpBench.agent("http://127.0.0.1:1/v1", TaskMix.plain(1));

        assertThat(agent.getRuntime()).isEqualTo("openai");
        assertThat(agent.getBaseUrl()).isEqualTo("http://127.0.0.1:1/v1");
        assertThat(agent.getCapabilities())
                .containsExactlyElementsOf(new java.util.TreeSet<>(TaskMix.DEFAULT_KINDS.keySet()));
    }

    @Test
    void theReportHasARowPerRunAndTheRatios(@TempDir Path dir) throws Exception {
        HttpBench.Args args = HttpBench.Args.parse(new String[] {"--tasks", "1000"});
        Path file =
                HttpBench.writeReport(
                        dir,
                        args,
                        List.of(
                                new HttpBench.Row(
                                        "portkey", 1000, 600, 1.5, Map.of("node", 1.5), 0.21)),
                        List.of("calls/s, job ÷ Portkey: 1.50 (goal ≥ 1)"),
                        List.of("Portkey half skipped: x"));

        String report = Files.readString(file);
        assertThat(report).contains("| portkey | 1000 | 600 | 1.50 | node 1.50 | 0.21 |\n");
        assertThat(report).contains("- calls/s, job ÷ Portkey: 1.50 (goal ≥ 1)\n");
        assertThat(report).contains("- Portkey half skipped: x\n");
    }

    @Test
    void portkeyIsToldWhereToSendTheCall() {
        assertThat(PortkeyGateway.headers("http://127.0.0.1:5/v1"))
                .isEqualTo(
                        Map.of(
                                "x-portkey-provider", "openai",
                                "x-portkey-custom-host", "http://127.0.0.1:5/v1",
                                "Authorization", "Bearer loopback"));
    }

    @Test
    void threadsAreGroupedByKind() {
        assertThat(ThreadCpu.kind("execute (1/2)#0")).isEqualTo("execute");
        assertThat(ThreadCpu.kind("HttpClient-3-Worker-17")).isEqualTo("HttpClient-N-Worker-N");
        assertThat(ThreadCpu.kind("main")).isEqualTo("main");
    }

    @Test
    void threadCpuIsSummedByKindPer1000UnitsLargestFirst() {
        Map<Long, ThreadCpu.Time> before =
                Map.of(
                        1L, new ThreadCpu.Time("execute", 1_000_000_000L),
                        2L, new ThreadCpu.Time("execute", 0L));
        Map<Long, ThreadCpu.Time> after =
                Map.of(
                        1L, new ThreadCpu.Time("execute", 3_000_000_000L),
                        2L, new ThreadCpu.Time("execute", 1_000_000_000L),
                        // Started between the snapshots: counts from zero.
                        3L, new ThreadCpu.Time("route", 4_000_000_000L));

        List<Map.Entry<String, Double>> kinds = ThreadCpu.per1k(before, after, 2_000);

        assertThat(kinds).containsExactly(Map.entry("route", 2.0), Map.entry("execute", 1.5));
        assertThat(ThreadCpu.describe(kinds, 1)).isEqualTo("`route` 2.0000");
        assertThat(ThreadCpu.describe(kinds, 5)).isEqualTo("`route` 2.0000, `execute` 1.5000");
    }
}
