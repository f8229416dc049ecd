package io.hivestream.jobs.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The console's web server on a loopback port, asked as a browser asks it. */
class ConsoleServerTest {
    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<String> get(String url, String method) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create(url))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesThePageItsScriptAndTheStateAsJson() throws Exception {
        ConsoleState state = new ConsoleState(ConsoleState.Limits.defaults());
        state.onResult(
                TaskResult.newBuilder()
                        .setTaskId("t-1")
                        .setStatus(TaskStatus.COMPLETED)
                        .setOutput("42")
                        .setCompletedAt(1_000)
                        .build(),
                0);
        try (ConsoleServer server = ConsoleServer.start("127.0.0.1", 0, state)) {
            assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port() + "/");

            HttpResponse<String> page = get(server.url(), "GET");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type"))
                    .hasValue("text/html; charset=utf-8");
            assertThat(page.body()).contains("<title>Hivestream console</title>");
            // Everything the page loads comes from this server.
            assertThat(page.body()).doesNotContain("http://", "https://", "//cdn");
            // The SVG namespace is a name, not an address anything is loaded from.
            assertThat(
                            get(server.url() + "console.js", "GET")
                                    .body()
                                    .replace("\"http://www.w3.org/2000/svg\"", "SVG_NS"))
                    .contains("setInterval(refresh, 1000)")
                    .doesNotContain("http://", "https://");
            assertThat(get(server.url() + "console.css", "GET").statusCode()).isEqualTo(200);

            HttpResponse<String> json = get(server.url() + "api/state", "GET");
            assertThat(json.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode snapshot = new ObjectMapper().readTree(json.body());
            assertThat(snapshot.get("results").asLong()).isEqualTo(1);
            assertThat(snapshot.at("/recentResults/0/taskId").asText()).isEqualTo("t-1");
            assertThat(snapshot.at("/recentResults/0/output").asText()).isEqualTo("42");
            assertThat(snapshot.at("/buckets/0/results").asLong()).isEqualTo(1);

            HttpResponse<String> missing = get(server.url() + "nothing", "GET");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.body()).isEqualTo("no such page: /nothing\n");
            HttpResponse<String> post = get(server.url() + "api/state", "POST");
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.body()).isEqualTo("only GET is served\n");
        }
    }

    @Test
    void aPortInUseIsNamedWithWhatToDo() throws Exception {
        ConsoleState state = new ConsoleState(ConsoleState.Limits.defaults());
        try (ConsoleServer first = ConsoleServer.start("127.0.0.1", 0, state)) {
            assertThatThrownBy(() -> ConsoleServer.start("127.0.0.1", first.port(), state))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith(
                            "the console cannot listen on 127.0.0.1:" + first.port())
                    .hasMessageEndingWith("; choose another port with --port (0 takes a free one)");
        }
    }
}
