package io.hivestream.operators.lineage;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.SecureRandom;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.Signer;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.generators.MLDSAKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.MLDSAKeyGenerationParameters;
import org.bouncycastle.crypto.params.MLDSAParameters;
import org.bouncycastle.crypto.params.MLDSAPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLDSAPublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.MLDSASigner;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Lineage keys in standard encodings: private keys as PKCS#8 PEM ({@code PRIVATE KEY}), public keys
 * as SubjectPublicKeyInfo PEM ({@code PUBLIC KEY}), which OpenSSL 3.5 and other languages'
 * libraries read. A key's default id is {@code sha256:} and the first 16 hex digits of the SHA-256
 * of its public key's SubjectPublicKeyInfo DER, so a verifier derives it from the public key alone.
 */
public final class LineageKeys {
    /** id-Ed25519 (RFC 8410). */
    private static final ASN1ObjectIdentifier ED25519_OID = new ASN1ObjectIdentifier("1.3.101.112");

    private LineageKeys() {}

    /** A private key that signs, with the id results name it by. */
    public record SigningKey(
            String keyId, SignatureAlgorithm algorithm, AsymmetricKeyParameter key) {
        public byte[] sign(byte[] message) {
            Signer signer = signer(algorithm);
            signer.init(true, key);
            signer.update(message, 0, message.length);
            try {
                return signer.generateSignature();
            } catch (CryptoException e) {
                throw new IllegalStateException("signing failed: " + e.getMessage(), e);
            }
        }

        @Override
        public String toString() {
            // Never the key itself.
            return "SigningKey[" + keyId + ", " + algorithm.recordedName() + "]";
        }
    }

    /** A public key that checks signatures, with its id. */
    public record VerifyingKey(
            String keyId, SignatureAlgorithm algorithm, AsymmetricKeyParameter key) {
        public boolean verify(byte[] message, byte[] signature) {
            Signer signer = signer(algorithm);
            signer.init(false, key);
            signer.update(message, 0, message.length);
            return signer.verifySignature(signature);
        }

        /** The public key as SubjectPublicKeyInfo PEM. */
        public String pem() {
            return LineageKeys.pem("PUBLIC KEY", publicInfo(key));
        }
    }

    /** A fresh key pair: the private key as PKCS#8 PEM and the public one as SPKI PEM. */
    public record Generated(String keyId, String privatePem, String publicPem) {}

    public static Generated generate(
            SignatureAlgorithm algorithm, String keyId, SecureRandom random) {
        AsymmetricCipherKeyPair pair;
        if (algorithm == SignatureAlgorithm.ML_DSA_65) {
            MLDSAKeyPairGenerator generator = new MLDSAKeyPairGenerator();
            generator.init(new MLDSAKeyGenerationParameters(random, MLDSAParameters.ml_dsa_65));
            pair = generator.generateKeyPair();
        } else {
            Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
            generator.init(new Ed25519KeyGenerationParameters(random));
            pair = generator.generateKeyPair();
        }
        byte[] spki = publicInfo(pair.getPublic());
        byte[] pkcs8;
        try {
            pkcs8 =
                    pair.getPrivate() instanceof Ed25519PrivateKeyParameters ed
                            // PKCS#8 version 1 (RFC 8410 without the optional public key), which
                            // OpenSSL 3.0 also reads.
                            ? new PrivateKeyInfo(
                                            new AlgorithmIdentifier(ED25519_OID),
                                            new DEROctetString(ed.getEncoded()))
                                    .getEncoded()
                            : PrivateKeyInfoFactory.createPrivateKeyInfo(pair.getPrivate())
                                    .getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the private key", e);
        }
        return new Generated(
                keyId == null || keyId.isBlank() ? fingerprint(spki) : keyId,
                pem("PRIVATE KEY", pkcs8),
                pem("PUBLIC KEY", spki));
    }

    /**
     * Reads a PKCS#8 PEM private key; its id is {@code keyId}, or the public key's fingerprint when
     * blank.
     */
    public static SigningKey signingKey(String pem, String keyId, String where) {
        byte[] der = der(pem, "PRIVATE KEY", where);
        AsymmetricKeyParameter key;
        try {
            key = PrivateKeyFactory.createKey(PrivateKeyInfo.getInstance(der));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    where
                            + " is not a PKCS#8 ML-DSA-65 or Ed25519 private key ("
                            + e.getMessage()
                            + "); write one with: hivestream keys generate --out DIR",
                    e);
        }
        AsymmetricKeyParameter publicKey;
        SignatureAlgorithm algorithm;
        if (key instanceof Ed25519PrivateKeyParameters ed) {
            algorithm = SignatureAlgorithm.ED25519;
            publicKey = ed.generatePublicKey();
        } else if (key instanceof MLDSAPrivateKeyParameters ml
                && ml.getParameters().equals(MLDSAParameters.ml_dsa_65)) {
            algorithm = SignatureAlgorithm.ML_DSA_65;
            publicKey = ml.getPublicKeyParameters();
        } else {
            throw new IllegalArgumentException(
                    where
                            + " holds a "
                            + key.getClass().getSimpleName()
                            + "; lineage signs with ML-DSA-65 or Ed25519 keys only");
        }
        String id = keyId == null || keyId.isBlank() ? fingerprint(publicInfo(publicKey)) : keyId;
        return new SigningKey(id, algorithm, key);
    }

    /** The public key of a signing key, with the same id. */
    public static VerifyingKey publicKeyOf(SigningKey signing) {
        AsymmetricKeyParameter key = signing.key();
        AsymmetricKeyParameter publicKey =
                key instanceof Ed25519PrivateKeyParameters ed
                        ? ed.generatePublicKey()
                        : ((MLDSAPrivateKeyParameters) key).getPublicKeyParameters();
        return new VerifyingKey(signing.keyId(), signing.algorithm(), publicKey);
    }

    /** Reads an SPKI PEM public key; its id is {@code keyId}, or its fingerprint when blank. */
    public static VerifyingKey verifyingKey(String pem, String keyId, String where) {
        byte[] der = der(pem, "PUBLIC KEY", where);
        AsymmetricKeyParameter key;
        try {
            key = PublicKeyFactory.createKey(SubjectPublicKeyInfo.getInstance(der));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    where
                            + " is not a SubjectPublicKeyInfo ML-DSA-65 or Ed25519 public key ("
                            + e.getMessage()
                            + ")",
                    e);
        }
        SignatureAlgorithm algorithm;
        if (key instanceof Ed25519PublicKeyParameters) {
            algorithm = SignatureAlgorithm.ED25519;
        } else if (key instanceof MLDSAPublicKeyParameters ml
                && ml.getParameters().equals(MLDSAParameters.ml_dsa_65)) {
            algorithm = SignatureAlgorithm.ML_DSA_65;
        } else {
            throw new IllegalArgumentException(
                    where
                            + " holds a "
                            + key.getClass().getSimpleName()
                            + "; lineage uses ML-DSA-65 or Ed25519 keys only");
        }
        return new VerifyingKey(
                keyId == null || keyId.isBlank() ? fingerprint(der) : keyId, algorithm, key);
    }

    /** {@code sha256:} and the first 16 hex digits of the SHA-256 of the SPKI DER. */
    public static String fingerprint(byte[] spkiDer) {
        return "sha256:" + Canonical.hex(Canonical.sha256(spkiDer)).substring(0, 16);
    }

    private static Signer signer(SignatureAlgorithm algorithm) {
        // Without a source of randomness ML-DSA signs deterministically (FIPS 204, rnd = 0^32).
        return algorithm == SignatureAlgorithm.ML_DSA_65 ? new MLDSASigner() : new Ed25519Signer();
    }

    private static byte[] publicInfo(AsymmetricKeyParameter publicKey) {
        try {
            return SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(publicKey).getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the public key", e);
        }
    }

    private static byte[] der(String pem, String type, String where) {
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            PemObject object = reader.readPemObject();
            if (object == null) {
                throw new IllegalArgumentException(
                        where + " holds no PEM block; expected -----BEGIN " + type + "-----");
            }
            if (!object.getType().equals(type)) {
                throw new IllegalArgumentException(
                        where
                                + " holds a PEM "
                                + object.getType()
                                + "; expected -----BEGIN "
                                + type
                                + "-----");
            }
            return object.getContent();
        } catch (IOException e) {
            throw new IllegalArgumentException(where + " is not PEM: " + e.getMessage(), e);
        }
    }

    private static String pem(String type, byte[] der) {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return text.toString();
    }
}
