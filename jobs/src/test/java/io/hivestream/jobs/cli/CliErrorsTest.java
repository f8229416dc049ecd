package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

/** Each kind of failure the commands meet, as the sentence the command line prints. */
class CliErrorsTest {
    @Test
    void aMissingFileIsNamedWithWhereRelativePathsStart() {
        assertThat(CliErrors.explain(new NoSuchFileException("tasks.jsonl")))
                .isEqualTo(
                        "file not found: tasks.jsonl; check the path (a relative path starts from"
                                + " the folder you run ./hivestream in).");
    }

    @Test
    void anUnreachableBrokerPointsAtTheBootstrapAddress() {
        Exception timeout =
                new ExecutionException(
                        new TimeoutException(
                                "Topic hivestream.tasks not present in metadata after 60000 ms."));

        assertThat(CliErrors.explain(timeout))
                .isEqualTo(
                        "Kafka did not answer in time (Topic hivestream.tasks not present in"
                                + " metadata after 60000 ms.); check that a broker runs at the"
                                + " --bootstrap address and that the topic exists (./hivestream"
                                + " topics --bootstrap HOST:PORT creates the topics).");
    }

    @Test
    void anUnusableBootstrapAddressSaysWhatToGive() {
        Exception bad =
                new KafkaException(
                        "Failed to construct kafka producer",
                        new ConfigException(
                                "No resolvable bootstrap urls given in bootstrap.servers"));

        assertThat(CliErrors.explain(bad))
                .isEqualTo(
                        "cannot use the --bootstrap address (No resolvable bootstrap urls given in"
                                + " bootstrap.servers); give HOST:PORT of a running Kafka broker.");
    }

    @Test
    void aMissingTopicSaysHowToCreateIt() {
        assertThat(
                        CliErrors.explain(
                                new UnknownTopicOrPartitionException(
                                        "This server does not host this topic-partition.")))
                .isEqualTo(
                        "a topic does not exist (This server does not host this topic-partition.);"
                                + " create the topics with ./hivestream topics --bootstrap"
                                + " HOST:PORT.");
    }

    @Test
    void badJsonSaysWhereAndWhatTheFileShouldBe() {
        Exception json = null;
        try {
            new ObjectMapper().readTree("[{\"agentId\": }]");
        } catch (Exception e) {
            json = e;
        }

        assertThat(CliErrors.explain(json))
                .isEqualTo(
                        "not valid JSON: Unexpected character ('}' (code 125)): expected a valid value"
                                + " (JSON String, Number, Array, Object or token 'null', 'true' or"
                                + " 'false') at line 1, column 14; fix the file (a JSON array, or one JSON"
                                + " object per line).");
    }

    @Test
    void ourOwnSentencesPassUnchanged() {
        assertThat(CliErrors.explain(new IllegalArgumentException("--tasks must be 0 or more.")))
                .isEqualTo("--tasks must be 0 or more.");
    }
}
