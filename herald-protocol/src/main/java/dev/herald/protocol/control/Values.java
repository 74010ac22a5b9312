package dev.herald.protocol.control;

/** Normalisation shared by the control records: absent strings are {@code ""}, absent payloads one empty array. */
final class Values {
    static final byte[] NO_BYTES = new byte[0];

    private Values() {
    }

    static String text(String value) {
        return value == null ? "" : value;
    }
}
