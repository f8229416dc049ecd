package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.codec.Codecs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./hivestream} launcher as a user runs it, each command its own process: a demo with no
 * sample tasks, an agent registered with {@code agents register} that points at an
 * OpenAI-compatible server on loopback, tasks from {@code submit}, answers from {@code results};
 * and a second demo in the same folder, which names the first instead of deleting its files.
 */
class LauncherIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static Process launch(Path dir, String... args) throws IOException {
        List<String> command =
                new ArrayList<>(List.of("bash", ROOT.resolve("hivestream").toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectError(dir.resolve("stderr-" + args[0] + ".txt").toFile())
                .start();
    }

    private static List<String> run(Path dir, String... args) throws Exception {
        Process process = launch(dir, args);
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process));
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as(String.join(" ", args)).isTrue();
        assertThat(process.exitValue())
                .as(
                        String.join(" ", args)
                                + ": "
                                + Files.readString(dir.resolve("stderr-" + args[0] + ".txt")))
                .isZero();
        return out.get().lines().toList();
    }

    private static String read(Process process) {
        try {
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void anAgentRegisteredFromTheCommandLineAnswersTheTasksThatNeedIt(@TempDir Path dir)
            throws Exception {
        try (io.hivestream.connectors.loopback.ChatCompletionsServer provider =
                new io.hivestream.connectors.loopback.ChatCompletionsServer(
                        user -> "a poem about " + user, user -> 20)) {
            Process demo =
                    launch(
                            dir,
                            "demo",
                            "--tasks",
                            "0",
                            "--web-port",
                            "0",
                            "--dir",
                            dir.resolve("demo").toString());
            try {
                BufferedReader lines =
                        new BufferedReader(
                                new InputStreamReader(
                                        demo.getInputStream(), StandardCharsets.UTF_8));
                String bootstrap = null;
                String line;
                while (bootstrap == null && (line = lines.readLine()) != null) {
                    if (line.startsWith("bootstrap: ")) {
                        bootstrap = line.substring("bootstrap: ".length());
                    }
                }
                assertThat(bootstrap).matches("127\\.0\\.0\\.1:\\d+");
                CompletableFuture.runAsync(() -> lines.lines().forEach(l -> {}));

                // A second demo in the same folder names the first (the launcher execs java, so
                // the pid is the one started here) and leaves its broker's files alone.
                Process second =
                        new ProcessBuilder(
                                        "bash",
                                        ROOT.resolve("hivestream").toString(),
                                        "demo",
                                        "--wait",
                                        "1",
                                        "--web-port",
                                        "0",
                                        "--dir",
                                        dir.resolve("demo").toString())
                                .directory(dir.toFile())
                                .redirectErrorStream(true)
                                .start();
                String said = read(second);
                assertThat(second.waitFor(3, TimeUnit.MINUTES)).isTrue();
                assertThat(second.exitValue()).as(said).isEqualTo(1);
                assertThat(said.lines().toList())
                        .containsExactly(
                                "another demo (process "
                                        + demo.pid()
                                        + ") is using "
                                        + dir.resolve("demo")
                                        + "; waiting up to 1 s for it to stop (Ctrl-C gives up) ...",
                                "error: another demo (process "
                                        + demo.pid()
                                        + ") is still using "
                                        + dir.resolve("demo")
                                        + " after 1 s; stop it (Ctrl-C in its terminal, or kill "
                                        + demo.pid()
                                        + ") or give this demo another --dir.");

                Path agents = dir.resolve("agents.json");
                Files.writeString(
                        agents,
                        "[{\"agentId\": \"poet\", \"runtime\": \"openai\", \"baseUrl\": \""
                                + provider.baseUrl()
                                + "\", \"model\": \"loopback-model\","
                                + " \"capabilities\": [\"poetry\"], \"tier\": \"CLOUD\", \"costPer1kInputTokens\": 0.001, \"costPer1kOutputTokens\": 0.002}]");
                assertThat(
                                run(
                                        dir,
                                        "agents",
                                        "register",
                                        "--bootstrap",
                                        bootstrap,
                                        agents.toString()))
                        .containsExactly("registered poet (openai, CLOUD, [poetry])");

                Path tasks = dir.resolve("tasks.jsonl");
                Files.writeString(
                        tasks,
                        "{\"taskId\": \"p1\", \"input\": \"the sea\", \"capabilities\": [\"poetry\"]}\n"
                                + "{\"taskId\": \"p2\", \"input\": \"Kafka\", \"capabilities\": [\"poetry\"]}\n"
                                + "{\"taskId\": \"p3\", \"input\": \"streams\", \"capabilities\": [\"poetry\"]}\n");
                assertThat(run(dir, "submit", "--bootstrap", bootstrap, tasks.toString()))
                        .containsExactly("sent 3 task(s) to hivestream.tasks");

                List<TaskResult> results =
                        run(
                                        dir,
                                        "results",
                                        "--bootstrap",
                                        bootstrap,
                                        "--count",
                                        "3",
                                        "--json",
                                        "--timeout",
                                        "120")
                                .stream()
                                .map(Codecs.TASK_RESULT::fromJson)
                                .sorted(java.util.Comparator.comparing(TaskResult::getTaskId))
                                .toList();

                assertThat(results)
                        .extracting(
                                TaskResult::getTaskId,
                                TaskResult::getStatus,
                                TaskResult::getOutput,
                                r -> r.getAgents())
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple(
                                        "p1",
                                        TaskStatus.COMPLETED,
                                        "a poem about the sea",
                                        List.of("poet")),
                                org.assertj.core.groups.Tuple.tuple(
                                        "p2",
                                        TaskStatus.COMPLETED,
                                        "a poem about Kafka",
                                        List.of("poet")),
                                org.assertj.core.groups.Tuple.tuple(
                                        "p3",
                                        TaskStatus.COMPLETED,
                                        "a poem about streams",
                                        List.of("poet")));
                assertThat(results.get(0).getSimulated()).isFalse();
                assertThat(provider.total()).isEqualTo(3);
            } finally {
                demo.destroy();
                assertThat(demo.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
        }
    }
}
