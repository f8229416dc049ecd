package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./hivestream demo --exit-when-done} from start to the last result, as a user runs it. */
class DemoIT {
    @Test
    void theDemoAnswersEverySampleTaskAndStops(@TempDir Path dir) {
        CliRunner.Run run =
                CliRunner.run(
                        "demo",
                        "--tasks",
                        "12",
                        "--exit-when-done",
                        "--timeout",
                        "180",
                        "--web-port",
                        "0",
                        "--console-port",
                        "0",
                        "--dir",
                        dir.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("starting a local Kafka broker ...");
        assertThat(lines.get(1)).matches("bootstrap: 127\\.0\\.0\\.1:\\d+");
        assertThat(lines.get(2)).matches("web ui: http://localhost:\\d+");
        assertThat(lines.get(3)).matches("prometheus metrics: http://localhost:\\d+/metrics");
        assertThat(lines.get(4)).matches("console: http://127\\.0\\.0\\.1:\\d+/");
        List<String> results =
                lines.stream()
                        .filter(
                                l ->
                                        l.startsWith("COMPLETED")
                                                || l.startsWith("FAILED")
                                                || l.startsWith("NO_CONSENSUS")
                                                || l.startsWith("PARTIAL"))
                        .toList();
        assertThat(results).hasSize(12);
        assertThat(results.stream().map(l -> l.split("\\s+")[1]).sorted().toList())
                .containsExactly(
                        "demo-001",
                        "demo-002",
                        "demo-003",
                        "demo-004",
                        "demo-005",
                        "demo-006",
                        "demo-007",
                        "demo-008",
                        "demo-009",
                        "demo-010",
                        "demo-011",
                        "demo-012");
        // Each answer says the analysed tier and the tier of the agent that gave it, or its plan.
        assertThat(results.stream().filter(l -> l.startsWith("COMPLETED")))
                .isNotEmpty()
                .allSatisfy(
                        l ->
                                assertThat(l)
                                        .matches(
                                                ".* (EDGE|CLOUD) task, ((EDGE|CLOUD) agent|plan of"
                                                        + " \\d+ subtasks).*"));
        // demo-007 is planned by the simulated planner: its planner, steps and synthesizer show.
        assertThat(lines)
                .anySatisfy(l -> assertThat(l).startsWith("  ↳ COMPLETED    demo-007/plan-1"))
                .anySatisfy(l -> assertThat(l).startsWith("  ↳ COMPLETED    demo-007/synthesize"));
        assertThat(lines).contains("all 12 sample tasks have their result");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("stopping ...");
    }
}
