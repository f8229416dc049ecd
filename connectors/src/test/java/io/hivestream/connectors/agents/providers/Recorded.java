package io.hivestream.connectors.agents.providers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Provider replies recorded under {@code src/test/resources/providers/}. */
final class Recorded {
    private Recorded() {}

    static String body(String name) {
        try (InputStream in = Recorded.class.getResourceAsStream("/providers/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no recorded reply " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
