package io.hivestream.connectors.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Checks, before a job starts, that its Kafka credentials are accepted and that its principal may
 * see its topics and consumer groups, and turns what Kafka answers into a sentence that names the
 * problem: a wrong password, an untrusted certificate, a topic or a group the ACLs deny. Without it
 * those surface later, deep in a source's or a sink's task, as Kafka's own terse exceptions.
 */
public final class KafkaAccessCheck {
    private KafkaAccessCheck() {}

    /**
     * Connects with {@code kafka}'s properties and describes {@code topics} and the committed
     * offsets of {@code groups}. Topics that do not exist pass: the sources find them when they
     * appear.
     *
     * @throws KafkaAccessException if the credentials, the TLS handshake or the ACLs refuse access,
     *     or the cluster does not answer within {@code timeout}
     */
    public static void check(
            KafkaConnection kafka,
            Collection<String> topics,
            Collection<String> groups,
            Duration timeout) {
        Properties props = kafka.properties();
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "hivestream-access-check");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                (int) Math.min(timeout.toMillis(), 30_000));
        try (Admin admin = Admin.create(props)) {
            for (String topic : topics) {
                try {
                    admin.describeTopics(
                                    List.of(topic),
                                    new DescribeTopicsOptions().timeoutMs((int) timeout.toMillis()))
                            .allTopicNames()
                            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw explain(kafka, e.getCause(), "describe topic " + topic, topic);
                    }
                }
            }
            for (String group : groups) {
                try {
                    admin.listConsumerGroupOffsets(
                                    group,
                                    new ListConsumerGroupOffsetsOptions()
                                            .timeoutMs((int) timeout.toMillis()))
                            .all()
                            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    throw explain(
                            kafka,
                            e.getCause(),
                            "read the offsets of consumer group " + group,
                            group);
                }
            }
        } catch (TimeoutException e) {
            throw new KafkaAccessException(
                    kafka
                            + " did not answer within "
                            + timeout.toSeconds()
                            + " s: check the bootstrap servers and security.protocol ("
                            + kafka.securityProtocol()
                            + ")",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaAccessException("interrupted while checking access to " + kafka, e);
        }
    }

    /**
     * The sentence for what Kafka answered when the check tried {@code action} on {@code resource},
     * a topic or a consumer group.
     */
    static KafkaAccessException explain(
            KafkaConnection kafka, Throwable cause, String action, String resource) {
        String at = " at " + kafka.bootstrapServers();
        if (cause instanceof SaslAuthenticationException) {
            return new KafkaAccessException(
                    "Kafka authentication failed for user "
                            + kafka.saslUser()
                            + at
                            + " ("
                            + kafka.clientProperties().getOrDefault("sasl.mechanism", "GSSAPI")
                            + "): check the password and the SASL mechanism in sasl.jaas.config",
                    cause);
        }
        if (cause instanceof SslAuthenticationException) {
            return new KafkaAccessException(
                    "the TLS handshake with Kafka"
                            + at
                            + " failed: check ssl.truststore.location (it must trust the"
                            + " brokers' certificate) and that the brokers' certificate names the"
                            + " host: "
                            + rootMessage(cause),
                    cause);
        }
        if (cause instanceof AuthenticationException) {
            return new KafkaAccessException(
                    "Kafka authentication failed for user "
                            + kafka.saslUser()
                            + at
                            + ": "
                            + rootMessage(cause),
                    cause);
        }
        if (cause instanceof TopicAuthorizationException denied) {
            return new KafkaAccessException(
                    "the ACLs of Kafka"
                            + at
                            + " deny user "
                            + kafka.saslUser()
                            + " access to topic(s) "
                            + (denied.unauthorizedTopics().isEmpty()
                                    ? resource
                                    : String.join(", ", new TreeSet<>(denied.unauthorizedTopics())))
                            + ": grant the job's principal Describe, Read and Write on them",
                    cause);
        }
        if (cause instanceof GroupAuthorizationException denied) {
            return new KafkaAccessException(
                    "the ACLs of Kafka"
                            + at
                            + " deny user "
                            + kafka.saslUser()
                            + " access to consumer group "
                            + (denied.groupId() != null ? denied.groupId() : resource)
                            + ": grant the job's principal Read on it",
                    cause);
        }
        return new KafkaAccessException(
                "could not " + action + at + ": " + rootMessage(cause), cause);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    /** Kafka refused the job's principal, or could not be reached. */
    public static final class KafkaAccessException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        KafkaAccessException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
