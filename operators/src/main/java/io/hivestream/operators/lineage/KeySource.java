package io.hivestream.operators.lineage;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the signing key is read from when the signing stage opens: a PEM file or an environment
 * variable, named here. Only the names travel in the job graph, never the key.
 */
public record KeySource(String file, String environmentVariable, String keyId)
        implements Serializable {
    public KeySource {
        boolean hasFile = file != null && !file.isBlank();
        boolean hasEnv = environmentVariable != null && !environmentVariable.isBlank();
        if (hasFile == hasEnv) {
            throw new IllegalArgumentException(
                    "name the signing key with exactly one of a key file or an environment"
                            + " variable holding its PEM (got "
                            + (hasFile ? "both" : "neither")
                            + "); write a key pair with: hivestream keys generate --out DIR");
        }
    }

    /** Reads and parses the key; the error names where it looked, never the key's bytes. */
    public LineageKeys.SigningKey load(Map<String, String> environment) {
        if (file != null && !file.isBlank()) {
            String pem;
            try {
                pem = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "cannot read the signing key file " + file + ": " + e.getMessage(), e);
            }
            return LineageKeys.signingKey(pem, keyId, "signing key file " + file);
        }
        String pem = environment.get(environmentVariable);
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException(
                    "environment variable "
                            + environmentVariable
                            + " holds no signing key; set it to the PKCS#8 PEM of the key");
        }
        return LineageKeys.signingKey(
                pem, keyId, "signing key in environment variable " + environmentVariable);
    }
}
