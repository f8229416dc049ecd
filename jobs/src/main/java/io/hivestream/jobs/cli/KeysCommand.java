package io.hivestream.jobs.cli;

import io.hivestream.operators.lineage.LineageKeys;
import io.hivestream.operators.lineage.SignatureAlgorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Key pairs for signed lineage. */
@Command(
        name = "keys",
        mixinStandardHelpOptions = true,
        description = "Key pairs that sign results (docs/lineage.md).",
        subcommands = {KeysCommand.Generate.class})
final class KeysCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(
            name = "generate",
            mixinStandardHelpOptions = true,
            description = {
                "Writes a new key pair for signing results into DIR and prints its key id.",
                "The private key is PKCS#8 PEM (lineage.key.pem, readable by its owner only), the",
                "public key SubjectPublicKeyInfo PEM (lineage.pub.pem); results name the key id."
            })
    static final class Generate implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "Directory to write into.")
        Path out;

        @Option(
                names = "--algorithm",
                defaultValue = "ml-dsa-65",
                description = "ml-dsa-65 (default) or ed25519.")
        String algorithm;

        @Option(
                names = "--key-id",
                description =
                        "Id results name the key by (default: sha256: and the first 16 hex digits"
                                + " of the SHA-256 of the public key). A chosen id must be given to"
                                + " the job (hivestream.lineage.key-id) and to verify (ID=FILE).")
        String keyId;

        @Override
        public Integer call() throws IOException {
            SignatureAlgorithm chosen = SignatureAlgorithm.parse(algorithm);
            Files.createDirectories(out);
            Path privateFile = out.resolve("lineage.key.pem");
            Path publicFile = out.resolve("lineage.pub.pem");
            if (Files.exists(privateFile) || Files.exists(publicFile)) {
                System.err.println(
                        "error: "
                                + out
                                + " already holds a lineage key; choose another directory or"
                                + " remove it first");
                return 1;
            }
            LineageKeys.Generated key = LineageKeys.generate(chosen, keyId, new SecureRandom());
            Files.createFile(privateFile);
            try {
                Files.setPosixFilePermissions(
                        privateFile, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: the directory's permissions protect the key.
            }
            Files.writeString(privateFile, key.privatePem(), StandardCharsets.US_ASCII);
            Files.writeString(publicFile, key.publicPem(), StandardCharsets.US_ASCII);
            System.out.println("key id:      " + key.keyId());
            System.out.println("algorithm:   " + chosen.recordedName());
            System.out.println("private key: " + privateFile + " (PKCS#8 PEM; keep it secret)");
            System.out.println("public key:  " + publicFile + " (SubjectPublicKeyInfo PEM)");
            return 0;
        }
    }
}
