package io.hivestream.connectors.agents.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The tool {@code regex_extract}: every match of a Java regular expression in a text, one per line,
 * or of one group of it ({@code group}: a number or a name). Input, pattern and the matcher's work
 * are bounded, so a pathological pattern fails the call instead of holding a thread.
 */
public final class RegexExtractTool implements Tool {
    public static final String NAME = "regex_extract";
    static final int MAX_TEXT = 100_000;
    static final int MAX_PATTERN = 1_000;

    /** Character reads the matcher may make: ample for linear patterns, stops backtracking. */
    static final long MAX_STEPS = 10_000_000;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Returns every match of a regular expression in a text (or of one group), one per"
                + " line.";
    }

    @Override
    public ObjectNode parameters() {
        ObjectNode schema =
                Arguments.schema(
                        new String[][] {
                            {"text", "string", "The text to search"},
                            {"pattern", "string", "A Java regular expression"}
                        },
                        "text",
                        "pattern");
        // A number or a name, so the schema gives no type.
        ((ObjectNode) schema.get("properties"))
                .putObject("group")
                .put("description", "The group to return, by number or name; default 0");
        return schema;
    }

    @Override
    public String inputArgument() {
        return "text";
    }

    @Override
    public String apply(JsonNode arguments) {
        String text = Arguments.requiredText(arguments, "text");
        String pattern = Arguments.requiredText(arguments, "pattern");
        if (text.length() > MAX_TEXT) {
            throw new ToolException(
                    "text is " + text.length() + " characters; the limit is " + MAX_TEXT);
        }
        if (pattern.length() > MAX_PATTERN) {
            throw new ToolException(
                    "pattern is " + pattern.length() + " characters; the limit is " + MAX_PATTERN);
        }
        Pattern compiled;
        try {
            compiled = Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new ToolException(
                    "bad pattern: " + e.getDescription() + " near index " + e.getIndex());
        }
        Matcher matcher = compiled.matcher(new BoundedText(text));
        Object group = group(arguments.get("group"), matcher.groupCount());
        List<String> found = new ArrayList<>();
        try {
            while (matcher.find()) {
                String value =
                        group instanceof Integer index
                                ? matcher.group(index)
                                : matcher.group((String) group);
                if (value != null) {
                    found.add(value);
                }
            }
        } catch (IllegalArgumentException e) {
            // Only a named group the pattern lacks gets here; the text and index were checked.
            throw new ToolException("pattern has no group named '" + group + "'");
        }
        if (found.isEmpty()) {
            throw new ToolException("no match");
        }
        return String.join("\n", found);
    }

    private static Object group(JsonNode group, int groups) {
        if (group == null || group.isNull()) {
            return 0;
        }
        int index;
        if (group.isInt()) {
            index = group.intValue();
        } else if (group.isTextual() && group.textValue().matches("\\d{1,9}")) {
            index = Integer.parseInt(group.textValue());
        } else if (group.isTextual() && !group.textValue().isEmpty()) {
            return group.textValue();
        } else {
            throw new ToolException("argument 'group' must be a group number or name");
        }
        if (index < 0 || index > groups) {
            throw new ToolException(
                    "pattern has " + groups + " groups; there is no group " + index);
        }
        return index;
    }

    /** The text as the matcher sees it, counting reads so runaway backtracking stops. */
    private static final class BoundedText implements CharSequence {
        private final String text;
        private final long[] steps;

        BoundedText(String text) {
            this(text, new long[1]);
        }

        private BoundedText(String text, long[] steps) {
            this.text = text;
            this.steps = steps;
        }

        @Override
        public char charAt(int index) {
            if (++steps[0] > MAX_STEPS) {
                throw new ToolException("pattern needs too many steps on this text");
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new BoundedText(text.substring(start, end), steps);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
