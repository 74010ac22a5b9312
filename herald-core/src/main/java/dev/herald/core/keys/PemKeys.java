package dev.herald.core.keys;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses PEM public keys as Centrifugo accepts them: {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo),
 * {@code RSA PUBLIC KEY} (PKCS#1) and {@code CERTIFICATE}. Literal {@code \n} sequences (a PEM squeezed into one
 * environment variable) are read as line breaks. Failures are {@link IllegalArgumentException}s with a short reason.
 */
public final class PemKeys {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    /** AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
    private static final byte[] RSA_ALGORITHM_ID = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private PemKeys() {
    }

    public static RSAPublicKey rsaPublicKey(String pem) {
        if (parse(pem, "RSA") instanceof RSAPublicKey key) {
            return key;
        }
        throw new IllegalArgumentException("PEM does not hold an RSA public key");
    }

    public static ECPublicKey ecPublicKey(String pem) {
        if (parse(pem, "EC") instanceof ECPublicKey key) {
            return key;
        }
        throw new IllegalArgumentException("PEM does not hold an ECDSA public key");
    }

    private static PublicKey parse(String pem, String algorithm) {
        Matcher m = BLOCK.matcher(pem.replace("\\n", "\n"));
        if (!m.find()) {
            throw new IllegalArgumentException("no PEM block found");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(2).trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PEM body is not base64");
        }
        try {
            return switch (m.group(1)) {
                case "PUBLIC KEY" -> KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
                case "RSA PUBLIC KEY" -> KeyFactory.getInstance("RSA")
                        .generatePublic(new X509EncodedKeySpec(pkcs1ToSpki(der)));
                case "CERTIFICATE" -> CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
                default -> throw new IllegalArgumentException("unsupported PEM block type " + m.group(1));
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot parse " + algorithm + " public key: " + e.getMessage());
        }
    }

    private static byte[] pkcs1ToSpki(byte[] pkcs1) {
        ByteArrayOutputStream bitString = new ByteArrayOutputStream();
        bitString.write(0x03);
        writeLength(bitString, pkcs1.length + 1);
        bitString.write(0x00);
        bitString.writeBytes(pkcs1);
        ByteArrayOutputStream spki = new ByteArrayOutputStream();
        spki.write(0x30);
        writeLength(spki, RSA_ALGORITHM_ID.length + bitString.size());
        spki.writeBytes(RSA_ALGORITHM_ID);
        spki.writeBytes(bitString.toByteArray());
        return spki.toByteArray();
    }

    private static void writeLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else if (length < 0x10000) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length & 0xff);
        } else {
            out.write(0x83);
            out.write(length >> 16);
            out.write((length >> 8) & 0xff);
            out.write(length & 0xff);
        }
    }
}
