package io.hivestream.connectors.agents.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.operators.execute.AgentCallException;
import io.hivestream.operators.execute.AgentCallException.Kind;
import io.hivestream.schemas.AgentEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyTest {
    private static final Map<String, String> ENV = Map.of("KEY_VAR", " sk-env-1 ", "BLANK", " ");

    private static AgentEvent.Builder agent() {
        return AgentEvent.newBuilder().setAgentId("a1").setRuntime("openai");
    }

    @Test
    void aKeyFromTheEnvironmentNamesOnlyItsSource() {
        ApiKey key = ApiKey.resolve(agent().setApiKeyEnv("KEY_VAR").build(), ENV::get);

        assertThat(key.value()).isEqualTo("sk-env-1");
        assertThat(key.source()).isEqualTo("environment variable KEY_VAR");
        assertThat(key).hasToString("ApiKey[environment variable KEY_VAR]");
    }

    @Test
    void aKeyFromAFileIsStrippedOfItsNewline(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("key");
        Files.writeString(file, "sk-file-1\n");

        ApiKey key = ApiKey.resolve(agent().setApiKeyFile(file.toString()).build(), ENV::get);

        assertThat(key.value()).isEqualTo("sk-file-1");
        assertThat(key).hasToString("ApiKey[file " + file + "]");
    }

    @Test
    void neitherVariableNorFileMeansNoKey() {
        assertThat(ApiKey.resolve(agent().build(), ENV::get)).isNull();
    }

    @Test
    void aMissingOrBlankVariableIsAConfigurationError() {
        assertThatThrownBy(() -> ApiKey.resolve(agent().setApiKeyEnv("NOPE").build(), ENV::get))
                .isInstanceOfSatisfying(
                        AgentCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION))
                .hasMessage("agent a1: environment variable NOPE is not set");
        assertThatThrownBy(() -> ApiKey.resolve(agent().setApiKeyEnv("BLANK").build(), ENV::get))
                .isInstanceOf(AgentCallException.class)
                .hasMessage("agent a1: environment variable BLANK is not set");
    }

    @Test
    void aMissingOrEmptyFileIsAConfigurationError(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.key");
        Path empty = Files.writeString(dir.resolve("empty.key"), "\n");

        assertThatThrownBy(
                        () ->
                                ApiKey.resolve(
                                        agent().setApiKeyFile(missing.toString()).build(),
                                        ENV::get))
                .isInstanceOfSatisfying(
                        AgentCallException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.CONFIGURATION))
                .hasMessage("agent a1: cannot read API key file " + missing);
        assertThatThrownBy(
                        () ->
                                ApiKey.resolve(
                                        agent().setApiKeyFile(empty.toString()).build(), ENV::get))
                .isInstanceOf(AgentCallException.class)
                .hasMessage("agent a1: API key file " + empty + " is empty");
    }

    @Test
    void bothSourcesAtOnceAreRefused() {
        assertThatThrownBy(
                        () ->
                                ApiKey.resolve(
                                        agent().setApiKeyEnv("KEY_VAR")
                                                .setApiKeyFile("/run/secrets/key")
                                                .build(),
                                        ENV::get))
                .isInstanceOf(AgentCallException.class)
                .hasMessage("agent a1: set apiKeyEnv or apiKeyFile, not both");
    }

    @Test
    void redactionReplacesEveryOccurrence() {
        ApiKey key = ApiKey.resolve(agent().setApiKeyEnv("KEY_VAR").build(), ENV::get);

        assertThat(key.redact("bad key sk-env-1, really sk-env-1"))
                .isEqualTo("bad key [redacted], really [redacted]");
    }
}
