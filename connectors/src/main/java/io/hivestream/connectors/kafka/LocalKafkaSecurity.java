package io.hivestream.connectors.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The certificates and credentials of a secured {@link LocalKafkaCluster}: a self-signed broker
 * certificate for 127.0.0.1 in a PKCS12 key store (made by the JDK's {@code keytool}), a PKCS12
 * trust store holding it, and the password of the broker's own SCRAM user {@value #BROKER_USER},
 * who is a super user. Clients connect with SASL_SSL and SCRAM-SHA-512; the nodes talk to their
 * controllers over TLS with the broker certificate as client certificate.
 */
final class LocalKafkaSecurity {
    static final String BROKER_USER = "broker";
    static final String BROKER_DN = "CN=hivestream-broker";
    static final String MECHANISM = "SCRAM-SHA-512";
    private static final String ALIAS = "broker";

    final Path keystore;
    final Path truststore;
    final String storePassword;
    final String brokerPassword;

    private LocalKafkaSecurity(
            Path keystore, Path truststore, String storePassword, String brokerPassword) {
        this.keystore = keystore;
        this.truststore = truststore;
        this.storePassword = storePassword;
        this.brokerPassword = brokerPassword;
    }

    /** Generates the stores in {@code dir} and fresh random passwords. */
    static LocalKafkaSecurity generate(Path dir, String javaExecutable) throws IOException {
        Files.createDirectories(dir);
        Path keystore = dir.resolve("broker.p12");
        Path truststore = dir.resolve("truststore.p12");
        String storePassword = randomPassword();
        Path keytool = Path.of(javaExecutable).resolveSibling("keytool");
        Path log = dir.resolve("keytool.log");
        List<String> command =
                List.of(
                        keytool.toString(),
                        "-genkeypair",
                        "-alias",
                        ALIAS,
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-dname",
                        BROKER_DN,
                        "-ext",
                        "SAN=ip:127.0.0.1,dns:localhost",
                        "-validity",
                        "30",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        keystore.toString(),
                        "-storepass:env",
                        "HIVESTREAM_STOREPASS");
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(Redirect.to(log.toFile()));
        builder.environment().put("HIVESTREAM_STOREPASS", storePassword);
        Process process = builder.start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException(
                        "keytool could not generate the broker certificate: "
                                + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while generating the broker certificate", e);
        }
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                keys.load(in, storePassword.toCharArray());
            }
            Certificate certificate = keys.getCertificate(ALIAS);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("hivestream-local-ca", certificate);
            try (OutputStream out = Files.newOutputStream(truststore)) {
                trust.store(out, storePassword.toCharArray());
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("could not write the trust store " + truststore, e);
        }
        return new LocalKafkaSecurity(keystore, truststore, storePassword, randomPassword());
    }

    /** The broker properties of the secured listeners, the authorizer and the super users. */
    Map<String, String> brokerProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:SSL");
        props.put("inter.broker.listener.name", "SASL_SSL");
        props.put("sasl.enabled.mechanisms", MECHANISM);
        props.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        props.put(
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                jaas(BROKER_USER, brokerPassword));
        props.put("ssl.keystore.type", "PKCS12");
        props.put("ssl.keystore.location", slashes(keystore));
        props.put("ssl.keystore.password", storePassword);
        props.put("ssl.key.password", storePassword);
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.truststore.location", slashes(truststore));
        props.put("ssl.truststore.password", storePassword);
        // Controllers accept only nodes that show the broker certificate.
        props.put("listener.name.controller.ssl.client.auth", "required");
        props.put(
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.put("super.users", "User:" + BROKER_USER + ";User:" + BROKER_DN);
        props.put("allow.everyone.if.no.acl.found", "false");
        return props;
    }

    /** The argument of {@code kafka-storage format --add-scram} for the broker's user. */
    String scramFormatArgument() {
        return MECHANISM + "=[name=" + BROKER_USER + ",password=" + brokerPassword + "]";
    }

    /** The client properties of a SCRAM user over SASL_SSL, trusting the broker certificate. */
    Map<String, String> clientProperties(String user, String password) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("security.protocol", "SASL_SSL");
        props.put("sasl.mechanism", MECHANISM);
        props.put("sasl.jaas.config", jaas(user, password));
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.truststore.location", slashes(truststore));
        props.put("ssl.truststore.password", storePassword);
        return props;
    }

    static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user
                + "\" password=\""
                + password
                + "\";";
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String slashes(Path path) {
        return path.toAbsolutePath().toString().replace('\\', '/');
    }
}
