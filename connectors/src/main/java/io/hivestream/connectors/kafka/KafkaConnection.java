package io.hivestream.connectors.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Where Kafka is and how to reach it: the bootstrap servers and the client properties every client
 * shares (security protocol, SASL, SSL trust and key stores, config providers). The one place that
 * builds the properties of Hivestream's Kafka clients: the job's sources and sinks, the access
 * check at start, and the command line's producers, consumers and admin clients.
 *
 * <p>Values may reference secrets through Kafka's config providers instead of holding them, e.g.
 * {@code config.providers=env,file} with {@code
 * config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider} and
 * {@code password="${env:KAFKA_PASSWORD}"} inside {@code sasl.jaas.config}: the client resolves
 * them where it runs, and only the reference travels with the job.
 *
 * <p>{@link #toString()} names the bootstrap servers and the property keys, never their values.
 */
public final class KafkaConnection implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Keys the job sets itself, per client, and that a user's properties must not override: each
     * has its own option or is part of what the job guarantees (transactions, read_committed).
     */
    static final Map<String, String> MANAGED_KEYS =
            Map.of(
                    "bootstrap.servers", "set the bootstrap servers on their own option",
                    "compression.type", "set hivestream.kafka.compression instead",
                    "transactional.id", "the exactly-once sinks choose their transactional ids",
                    "isolation.level", "the job reads committed records only",
                    "enable.idempotence", "the producers are idempotent",
                    "group.id", "set hivestream.kafka.group-id instead",
                    "key.serializer", "the clients use their own serializers",
                    "value.serializer", "the clients use their own serializers",
                    "key.deserializer", "the clients use their own deserializers",
                    "value.deserializer", "the clients use their own deserializers");

    private static final Pattern JAAS_USERNAME = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

    private final String bootstrapServers;
    private final Map<String, String> properties;

    private KafkaConnection(String bootstrapServers, Map<String, String> properties) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException(
                    "no Kafka bootstrap servers given: set them as HOST:PORT[,HOST:PORT...]");
        }
        for (String key : properties.keySet()) {
            String reason = MANAGED_KEYS.get(key);
            if (reason != null) {
                throw new IllegalArgumentException(
                        "the Kafka client property '"
                                + key
                                + "' cannot be set among the client properties: "
                                + reason);
            }
        }
        this.bootstrapServers = bootstrapServers.strip();
        this.properties = Collections.unmodifiableMap(new TreeMap<>(properties));
    }

    /** A plaintext connection without extra properties. */
    public static KafkaConnection of(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, Map.of());
    }

    /**
     * A connection with these client properties.
     *
     * @throws IllegalArgumentException if a property is one the job sets itself ({@code
     *     bootstrap.servers}, {@code compression.type}, {@code transactional.id}, ...)
     */
    public static KafkaConnection of(String bootstrapServers, Map<String, String> properties) {
        return new KafkaConnection(bootstrapServers, properties);
    }

    /** This connection with more client properties, which win over the ones it has. */
    public KafkaConnection with(Map<String, String> more) {
        Map<String, String> merged = new LinkedHashMap<>(properties);
        merged.putAll(more);
        return new KafkaConnection(bootstrapServers, merged);
    }

    /**
     * The client properties of a Java properties file, as {@code --kafka-config FILE} takes them.
     *
     * @throws IllegalArgumentException if the file is missing or cannot be read
     */
    public static Map<String, String> load(Path file) {
        Properties loaded = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            loaded.load(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(
                    "the Kafka client configuration " + file + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not read the Kafka client configuration " + file, e);
        }
        Map<String, String> map = new TreeMap<>();
        loaded.stringPropertyNames().forEach(k -> map.put(k, loaded.getProperty(k).strip()));
        return map;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The client properties besides the bootstrap servers, sorted by key. */
    public Map<String, String> clientProperties() {
        return properties;
    }

    /** A new set of the bootstrap servers and the client properties, for one client. */
    public Properties properties() {
        Properties props = new Properties();
        props.putAll(properties);
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    /** {@code security.protocol}, PLAINTEXT unless set. */
    public String securityProtocol() {
        return properties.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
    }

    /**
     * The SASL user named in {@code sasl.jaas.config}, for error messages; "the configured user"
     * where the configuration names none (or only references it through a config provider).
     */
    public String saslUser() {
        String jaas = properties.get("sasl.jaas.config");
        if (jaas != null) {
            Matcher m = JAAS_USERNAME.matcher(jaas);
            if (m.find() && !m.group(1).startsWith("${")) {
                return m.group(1);
            }
        }
        return "the configured user";
    }

    /** Names the bootstrap servers and the keys of the client properties, never a value. */
    @Override
    public String toString() {
        Set<String> keys = properties.keySet();
        return "Kafka at " + bootstrapServers + (keys.isEmpty() ? "" : " with " + keys);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KafkaConnection other
                && bootstrapServers.equals(other.bootstrapServers)
                && properties.equals(other.properties);
    }

    @Override
    public int hashCode() {
        return bootstrapServers.hashCode() * 31 + properties.hashCode();
    }
}
