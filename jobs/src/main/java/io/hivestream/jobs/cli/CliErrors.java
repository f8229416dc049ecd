package io.hivestream.jobs.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * What the command line prints when a command fails: a sentence saying what went wrong and what to
 * do, in place of the bare message of a library's exception.
 */
final class CliErrors {
    private CliErrors() {}

    static String explain(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof NoSuchFileException missing) {
            return "file not found: "
                    + missing.getFile()
                    + "; check the path (a relative path starts from the folder you run"
                    + " ./hivestream in).";
        }
        if (e instanceof AccessDeniedException denied) {
            return "cannot read "
                    + denied.getFile()
                    + ": permission denied; check the file's permissions.";
        }
        if (e instanceof UnknownTopicOrPartitionException) {
            return "a topic does not exist ("
                    + e.getMessage()
                    + "); create the topics with ./hivestream topics --bootstrap HOST:PORT.";
        }
        if (e instanceof TimeoutException) {
            return "Kafka did not answer in time ("
                    + e.getMessage()
                    + "); check that a broker runs at the --bootstrap address and that the"
                    + " topic exists (./hivestream topics --bootstrap HOST:PORT creates the"
                    + " topics).";
        }
        if (e instanceof ConfigException && String.valueOf(e.getMessage()).contains("bootstrap")) {
            return "cannot use the --bootstrap address ("
                    + e.getMessage()
                    + "); give HOST:PORT of a running Kafka broker.";
        }
        if (e instanceof JsonProcessingException json) {
            return "not valid JSON: "
                    + json.getOriginalMessage()
                    + (json.getLocation() == null
                            ? ""
                            : " at line "
                                    + json.getLocation().getLineNr()
                                    + ", column "
                                    + json.getLocation().getColumnNr())
                    + "; fix the file (a JSON array, or one JSON object per line).";
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof ExecutionException
                        || e instanceof CompletionException
                        || e instanceof UncheckedIOException
                        || e instanceof InvocationTargetException
                        || (e instanceof org.apache.kafka.common.KafkaException
                                && e.getClass() == org.apache.kafka.common.KafkaException.class))
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
