package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.connectors.kafka.KafkaConnection;
import io.hivestream.jobs.console.Console;
import io.hivestream.jobs.console.ConsoleState;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.TaskResult;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: the job on a real broker and a MiniCluster with simulated agents,
 * tasks and a bad record flow through it, and headless Chromium, driven through the system's
 * chromedriver, shows the agents, tenants, results, votes and the dead letter exactly.
 */
class ConsoleIT extends KafkaJobCase {
    /** Debian's chromium; another with -Dhivestream.chromium=PATH. */
    static final String CHROMIUM = System.getProperty("hivestream.chromium", "/usr/bin/chromium");

    /** Debian's chromium-driver; another with -Dhivestream.chromedriver=PATH. */
    static final String CHROMEDRIVER =
            System.getProperty("hivestream.chromedriver", "/usr/bin/chromedriver");

    private static final String LABELS =
            "\"metadata\":{\"labels\":\"billing,shipping,technical\","
                    + "\"label.billing\":\"charge charged refund invoice payment\","
                    + "\"label.shipping\":\"delivery package shipped arrive\","
                    + "\"label.technical\":\"error crash login bug app\"}";

    @Test
    void thePageShowsTheAgentsTenantsResultsVotesAndDeadLettersOfTheJob(@TempDir Path checkpoints)
            throws Exception {
        for (String binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(Path.of(binary))) {
                fail(
                        binary
                                + " is missing: the console's browser test drives headless Chromium"
                                + " through chromedriver. Install them (Debian: apt-get install -y"
                                + " chromium chromium-driver) or name others with"
                                + " -Dhivestream.chromium=PATH -Dhivestream.chromedriver=PATH.");
            }
        }
        fixture.register(Agents.simulated("chat-1", List.of("chat"), 0.001));
        fixture.register(Agents.simulated("cls-a", List.of("classify"), 0.001, "latencyMs", "400"));
        fixture.register(Agents.simulated("cls-b", List.of("classify"), 0.001, "latencyMs", "400"));
        // Answers at once, so the vote sees all three answers.
        fixture.register(
                Agents.simulated(
                        "cls-byz", List.of("classify"), 0.002, "mode", "wrong", "latencyMs", "0"));

        Configuration conf = fixture.jobConf(checkpoints, false, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        JobClient job = env.executeAsync("console-it");
        try (Console console =
                Console.start(
                        KafkaConnection.of(fixture.kafka.bootstrapServers()),
                        Console.DEFAULT_TOPICS,
                        Console.DEFAULT_BACKLOG,
                        "127.0.0.1",
                        0,
                        ConsoleState.Limits.defaults())) {
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    "chat1",
                    "{\"taskId\":\"chat1\",\"tenant\":\"acme\",\"input\":\"hello there\"}");
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    "chat2",
                    "{\"taskId\":\"chat2\",\"tenant\":\"acme\",\"input\":\"good morning\"}");
            fixture.sendJson(
                    KafkaJobFixture.TASKS,
                    "cc1",
                    "{\"taskId\":\"cc1\",\"kind\":\"classify\",\"tenant\":\"globex\",\"replicas\":3,"
                            + "\"input\":\"I need a refund for a double charge\","
                            + LABELS
                            + "}");
            fixture.sendJson(KafkaJobFixture.TASKS, "bad-1", "{\"taskId\":\"bad-1\"}");
            await().pollInterval(Duration.ofMillis(200))
                    .atMost(Duration.ofMinutes(2))
                    .until(
                            () -> {
                                ConsoleState.Snapshot seen = console.state().snapshot();
                                return seen.results() == 3
                                        && seen.deadLetters() == 1
                                        && seen.calls() == 5;
                            });
            List<TaskResult> results = fixture.results();
            Map<String, Double> spend =
                    fixture.metrics().stream()
                            .filter(m -> m.getKind() == MetricKind.CALL)
                            .collect(
                                    Collectors.groupingBy(
                                            Metric::getTenant,
                                            Collectors.summingDouble(
                                                    m -> m.getCall().getCostUsd())));

            WebDriver browser = chromium();
            try {
                browser.get(console.url());
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
                wait.until(
                        b ->
                                texts(b, "#results .result").size() == 3
                                        && texts(b, "#dlq tbody tr").size() == 1
                                        && texts(b, "tr[data-agent='cls-byz'] .calls")
                                                .equals(List.of("1")));

                assertThat(cells(browser, "tr[data-agent='chat-1']"))
                        .containsExactly(
                                "chat-1",
                                "in rotation",
                                "EDGE",
                                "simulated",
                                "2",
                                "100.0 %",
                                cells(browser, "tr[data-agent='chat-1']").get(6),
                                String.format("$%.6f", sumCost(fixture.metrics(), "chat-1")),
                                "0.0 %",
                                "closed");
                assertThat(cells(browser, "tr[data-agent='chat-1']").get(6)).matches("\\d+ ms");
                assertThat(text(browser, "tr[data-agent='cls-a'] .calls")).isEqualTo("1");
                assertThat(text(browser, "tr[data-agent='cls-b'] .calls")).isEqualTo("1");
                assertThat(text(browser, "tr[data-agent='cls-byz'] .success")).isEqualTo("100.0 %");

                assertThat(cells(browser, "tr[data-tenant='acme']"))
                        .containsExactly("acme", "2", String.format("$%.6f", spend.get("acme")));
                assertThat(cells(browser, "tr[data-tenant='globex']"))
                        .containsExactly(
                                "globex", "3", String.format("$%.6f", spend.get("globex")));

                assertThat(text(browser, "[data-task='chat1'] .output"))
                        .isEqualTo("simulated chat reply to: hello there");
                assertThat(text(browser, "[data-task='chat1'] .status")).isEqualTo("COMPLETED");
                assertThat(text(browser, "[data-task='cc1'] .output")).isEqualTo("billing");
                assertThat(text(browser, "[data-task='cc1'] .agreement")).isEqualTo("66.7 %");
                assertThat(text(browser, "[data-task='cc1'] .agreeing")).isEqualTo("cls-a, cls-b");
                assertThat(text(browser, "[data-task='cc1'] .vote"))
                        .isEqualTo(
                                "vote (exact): agreement 66.7 %, agreeing: cls-a, cls-b,"
                                        + " dissenting: cls-byz");

                assertThat(text(browser, "#dlq tbody tr .reason"))
                        .isEqualTo("missing required field 'input'");
                assertThat(text(browser, "#dlq tbody tr .stage")).isEqualTo("decode-tasks");
                assertThat(text(browser, "#dlq tbody tr .value"))
                        .isEqualTo("{\"taskId\":\"bad-1\"}");

                assertThat(text(browser, "#total-results")).isEqualTo("3");
                assertThat(text(browser, "#total-dlq")).isEqualTo("1");
                assertThat(browser.findElements(By.cssSelector("#throughput rect.bar")))
                        .isNotEmpty();
                assertThat(results).hasSize(3);

                byte[] png =
                        ((org.openqa.selenium.TakesScreenshot) browser)
                                .getScreenshotAs(OutputType.BYTES);
                Path shot = Path.of("target", "console-it.png");
                Files.createDirectories(shot.getParent());
                Files.write(shot, png);
            } finally {
                browser.quit();
            }
            assertThat(console.failure()).isNull();
        } finally {
            stop(job);
        }
    }

    private static double sumCost(List<Metric> metrics, String agent) {
        return metrics.stream()
                .filter(m -> m.getKind() == MetricKind.CALL && agent.equals(m.getAgentId()))
                .mapToDouble(m -> m.getCall().getCostUsd())
                .sum();
    }

    /** Headless Chromium through the given chromedriver: Selenium Manager is never asked. */
    static WebDriver chromium() {
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1400,1600");
        ChromeDriverService service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(new File(CHROMEDRIVER))
                        .usingAnyFreePort()
                        .build();
        return new ChromeDriver(service, options);
    }

    /** The text of the first element {@code css} selects, read in one turn of the page's script. */
    private static String text(WebDriver browser, String css) {
        List<String> texts = texts(browser, css);
        assertThat(texts).as("elements of %s", css).isNotEmpty();
        return texts.get(0);
    }

    private static List<String> cells(WebDriver browser, String rowCss) {
        return texts(browser, rowCss + " > td");
    }

    /**
     * The rendered text of every element {@code css} selects, read at once by the page's own
     * script, so that a refresh cannot replace the elements between two reads.
     */
    @SuppressWarnings("unchecked")
    private static List<String> texts(WebDriver browser, String css) {
        return (List<String>)
                ((JavascriptExecutor) browser)
                        .executeScript(
                                "return Array.from(document.querySelectorAll(arguments[0]))"
                                        + ".map(e => e.innerText.trim());",
                                css);
    }
}
