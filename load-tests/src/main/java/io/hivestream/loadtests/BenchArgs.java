package io.hivestream.loadtests;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The command line of a benchmark: {@code --name value} options, bare flags the benchmark names,
 * and, where it takes them, repeated {@code --conf KEY=VALUE} Flink settings. Options are taken one
 * by one; {@link #done} then rejects any the benchmark does not know.
 */
final class BenchArgs {
    private final Map<String, String> options = new LinkedHashMap<>();
    private final Set<String> flags = new TreeSet<>();
    private final Map<String, String> conf = new LinkedHashMap<>();

    private BenchArgs() {}

    /**
     * @param from the index of the first argument to read
     * @param flags the bare flags, with their dashes ({@code --jfr})
     * @param conf whether {@code --conf KEY=VALUE} is taken
     * @param usage appended to the error for an unexpected argument; null for none
     */
    static BenchArgs parse(String[] argv, int from, Set<String> flags, boolean conf, String usage) {
        BenchArgs args = new BenchArgs();
        for (int i = from; i < argv.length; i++) {
            String arg = argv[i];
            if (flags.contains(arg)) {
                args.flags.add(arg);
            } else if (conf && arg.equals("--conf") && i + 1 < argv.length) {
                String setting = argv[++i];
                int eq = setting.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(
                            "--conf takes KEY=VALUE, got '" + setting + "'");
                }
                args.conf.put(setting.substring(0, eq).trim(), setting.substring(eq + 1).trim());
            } else if (arg.startsWith("--") && i + 1 < argv.length) {
                args.options.put(arg.substring(2), argv[++i]);
            } else {
                throw new IllegalArgumentException(
                        "unexpected argument '"
                                + arg
                                + "'"
                                + (usage == null ? "" : "; usage: " + usage));
            }
        }
        return args;
    }

    /** Takes the value of {@code --key}, or {@code fallback} when it was not given. */
    String take(String key, String fallback) {
        String value = options.remove(key);
        return value == null ? fallback : value;
    }

    /** Takes the path of {@code --key}, or null when it was not given. */
    Path path(String key) {
        String value = options.remove(key);
        return value == null ? null : Path.of(value);
    }

    /** Whether the bare flag (with its dashes) was given. */
    boolean flag(String flag) {
        return flags.contains(flag);
    }

    /** The {@code --conf} settings, in the order given. */
    Map<String, String> conf() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(conf));
    }

    /** Rejects the options no one took. */
    void done() {
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("unknown options " + options.keySet());
        }
    }
}
