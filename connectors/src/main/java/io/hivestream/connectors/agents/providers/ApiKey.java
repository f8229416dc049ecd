package io.hivestream.connectors.agents.providers;

import io.hivestream.operators.execute.AgentCallException;
import io.hivestream.operators.execute.AgentCallException.Kind;
import io.hivestream.schemas.AgentEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * An agent's API key, read where the runtime is created (on the TaskManager) from the environment
 * variable named by the record's {@code apiKeyEnv} or the file named by its {@code apiKeyFile}; the
 * record and the job graph only ever hold those names. The key leaves this object only through
 * {@link #value()}, for the request header: {@link #toString()} and every message name its source,
 * never the key.
 */
public final class ApiKey {
    private final String value;
    private final String source;

    private ApiKey(String value, String source) {
        this.value = value;
        this.source = source;
    }

    /**
     * @param environment looks up environment variables ({@code System::getenv} in production)
     * @return the key, or null when the record names neither a variable nor a file (local servers)
     * @throws AgentCallException CONFIGURATION when the named variable or file gives no key
     */
    public static ApiKey resolve(AgentEvent agent, Function<String, String> environment) {
        String variable = agent.getApiKeyEnv();
        String file = agent.getApiKeyFile();
        String prefix = "agent " + agent.getAgentId() + ": ";
        if (variable != null && file != null) {
            throw new AgentCallException(
                    Kind.CONFIGURATION, prefix + "set apiKeyEnv or apiKeyFile, not both");
        }
        if (variable != null) {
            String value = environment.apply(variable);
            if (value == null || value.isBlank()) {
                throw new AgentCallException(
                        Kind.CONFIGURATION,
                        prefix + "environment variable " + variable + " is not set");
            }
            return new ApiKey(value.strip(), "environment variable " + variable);
        }
        if (file != null) {
            String value;
            try {
                value = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            } catch (IOException | RuntimeException e) {
                // The cause names only the path and the failure; a key that could not be read
                // cannot be in it.
                throw new AgentCallException(
                        Kind.CONFIGURATION, prefix + "cannot read API key file " + file, null, e);
            }
            if (value.isEmpty()) {
                throw new AgentCallException(
                        Kind.CONFIGURATION, prefix + "API key file " + file + " is empty");
            }
            return new ApiKey(value, "file " + file);
        }
        return null;
    }

    /** The key itself, for the request header only. */
    String value() {
        return value;
    }

    /** Where the key came from, e.g. {@code environment variable OPENAI_API_KEY}. */
    public String source() {
        return source;
    }

    /** Text with every occurrence of the key replaced, for anything a provider echoes back. */
    String redact(String text) {
        return text == null ? null : text.replace(value, "[redacted]");
    }

    @Override
    public String toString() {
        return "ApiKey[" + source + "]";
    }
}
