package io.hivestream.jobs;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.util.TimeUtils;

/** Renders {@link HivestreamOptions} as the Markdown table docs/configuration.md shows. */
public final class OptionsTable {
    public static final String BEGIN = "<!-- options:begin -->";
    public static final String END = "<!-- options:end -->";

    private OptionsTable() {}

    public static String markdown() {
        StringBuilder table = new StringBuilder();
        table.append("| option | default | meaning |\n|---|---|---|\n");
        for (ConfigOption<?> option : HivestreamOptions.all()) {
            table.append("| `")
                    .append(option.key())
                    .append("` | ")
                    .append(defaultOf(option))
                    .append(" | ")
                    .append(
                            new HtmlFormatter()
                                    .format(option.description())
                                    .replace("&#39;", "'")
                                    .replace("&quot;", "\""))
                    .append(" |\n");
        }
        return table.toString();
    }

    private static String defaultOf(ConfigOption<?> option) {
        if (!option.hasDefaultValue()) {
            // Only the bootstrap servers have to be set; every other option without a default is
            // simply off until it is set.
            return option.equals(HivestreamOptions.BOOTSTRAP_SERVERS) ? "(required)" : "(none)";
        }
        Object value = option.defaultValue();
        String text =
                value instanceof Duration d
                        ? TimeUtils.formatWithHighestUnit(d)
                        // An enum as Flink parses it: by toString(), which for Flink's own
                        // DeliveryGuarantee is "exactly-once", not the constant's name.
                        : String.valueOf(value);
        return "`" + text + "`";
    }

    public static void main(String[] args) {
        System.out.print(markdown());
    }
}
