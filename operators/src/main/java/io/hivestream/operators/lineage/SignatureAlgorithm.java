package io.hivestream.operators.lineage;

import java.util.Locale;

/** The signature schemes lineage signs with, named as results record them. */
public enum SignatureAlgorithm {
    /** FIPS 204 ML-DSA-65, pure, empty context, deterministic signing. */
    ML_DSA_65("ML-DSA-65"),
    /** RFC 8032 Ed25519 (pure). */
    ED25519("Ed25519");

    private final String recordedName;

    SignatureAlgorithm(String recordedName) {
        this.recordedName = recordedName;
    }

    /** The name written in {@code lineage.algorithm}. */
    public String recordedName() {
        return recordedName;
    }

    /** Accepts ml-dsa-65, ML-DSA-65, ed25519, Ed25519. */
    public static SignatureAlgorithm parse(String name) {
        for (SignatureAlgorithm algorithm : values()) {
            if (algorithm.recordedName.equalsIgnoreCase(name)
                    || algorithm.name().equalsIgnoreCase(name.replace('-', '_'))) {
                return algorithm;
            }
        }
        throw new IllegalArgumentException(
                "unknown signature algorithm '"
                        + name
                        + "': use "
                        + ML_DSA_65.recordedName.toLowerCase(Locale.ROOT)
                        + " or "
                        + ED25519.recordedName.toLowerCase(Locale.ROOT));
    }
}
