package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The configuration doc's table is the one rendered from {@link HivestreamOptions}. */
class OptionsTableTest {
    @Test
    void theConfigurationDocListsEveryOptionWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("..", "docs", "configuration.md"));
        int begin = readme.indexOf(OptionsTable.BEGIN);
        int end = readme.indexOf(OptionsTable.END);
        assertThat(begin).as("docs/configuration.md has the options markers").isNotNegative();
        String table = readme.substring(begin + OptionsTable.BEGIN.length() + 1, end);

        assertThat(table)
                .as(
                        "docs/configuration.md's table; regenerate with: java -cp ... io.hivestream.jobs.OptionsTable")
                .isEqualTo(OptionsTable.markdown());
    }

    @Test
    void everyOptionHasAKeyUnderHivestreamAndADescription() {
        assertThat(HivestreamOptions.all()).hasSize(78);
        assertThat(HivestreamOptions.all())
                .allSatisfy(
                        option -> {
                            assertThat(option.key()).startsWith("hivestream.");
                            assertThat(option.description().getBlocks()).isNotEmpty();
                        });
    }

    @Test
    void theListHoldsEveryOptionDeclaredOnceAndNothingElse() throws Exception {
        java.util.List<org.apache.flink.configuration.ConfigOption<?>> declared =
                new java.util.ArrayList<>();
        for (java.lang.reflect.Field field : HivestreamOptions.class.getDeclaredFields()) {
            if (java.lang.reflect.Modifier.isStatic(field.getModifiers())
                    && field.getType() == org.apache.flink.configuration.ConfigOption.class) {
                declared.add((org.apache.flink.configuration.ConfigOption<?>) field.get(null));
            }
        }
        assertThat(HivestreamOptions.all()).doesNotHaveDuplicates();
        assertThat(HivestreamOptions.all()).containsExactlyInAnyOrderElementsOf(declared);
    }

    @Test
    void onlyTheBootstrapServersAreMarkedRequired() {
        assertThat(OptionsTable.markdown().lines().filter(line -> line.contains("(required)")))
                .containsExactly(
                        "| `hivestream.kafka.bootstrap-servers` | (required) | Kafka bootstrap"
                                + " servers, HOST:PORT[,HOST:PORT...]. Required. |");
    }
}
