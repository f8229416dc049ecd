package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.jobs.HivestreamOptions;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SessionsCommandTest {
    @Test
    void theDefaultMemoryTtlIsTheJobsDefault() {
        SessionsCommand.Show command = new SessionsCommand.Show();
        new CommandLine(command).parseArgs("s-1", "--savepoint", "sp");

        assertThat(command.memoryTtl).isEqualTo(HivestreamOptions.MEMORY_TTL.defaultValue());
        assertThat(command.tenant).isEqualTo("default");
    }

    @Test
    void aTtlIsWrittenAsTheJobsOptionsAreAndMustBePositive() {
        SessionsCommand.DurationConverter converter = new SessionsCommand.DurationConverter();

        assertThat(converter.convert("30 min")).isEqualTo(Duration.ofMinutes(30));
        assertThat(converter.convert("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> converter.convert("a day"))
                .hasMessage("'a day' is not a duration; write it as 24 h, 30 min or 90 s.");
        assertThatThrownBy(() -> converter.convert("0 s"))
                .hasMessage("'0 s' is not a positive duration; write it as 24 h or 30 min.");
    }

    @Test
    void aBadTtlIsRefusedBeforeAnythingIsRead() {
        CliRunner.Run run =
                CliRunner.run(
                        "sessions", "show", "s-1", "--savepoint", "sp", "--memory-ttl", "soon");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err())
                .startsWith(
                        "Invalid value for option '--memory-ttl': 'soon' is not a duration; write"
                                + " it as 24 h, 30 min or 90 s.\n");
    }

    @Test
    void aPathWithoutASchemeStartsFromTheCurrentFolder() {
        assertThat(SessionMemoryReader.location("s3://bucket/savepoints/savepoint-1"))
                .isEqualTo("s3://bucket/savepoints/savepoint-1");
        assertThat(SessionMemoryReader.location("file:/tmp/savepoint-1"))
                .isEqualTo("file:/tmp/savepoint-1");
        assertThat(SessionMemoryReader.location("savepoints/savepoint-1"))
                .isEqualTo(Path.of("savepoints/savepoint-1").toAbsolutePath().toUri().toString());
    }
}
