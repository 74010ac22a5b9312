package dev.herald.protocol.control;

import com.google.protobuf.CodedOutputStream;
import dev.herald.protocol.StreamPosition;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Encodes {@link ControlMessage}s in protobuf wire format and decodes them back. The schema, written as it would
 * be in a {@code .proto} file, is in {@code package-info.java}; field and type numbers are frozen.
 *
 * <p>Compatibility rules, so that a node of the next release can still talk to this one: a release may add
 * fields to a body and add message types without changing {@link #VERSION}; the decoder skips fields it does not
 * know and returns {@link ControlMessage.Unknown} for a type it does not know. Only a change old nodes could
 * misread (a field's meaning or type) bumps {@link #VERSION}; an envelope with a higher version decodes as
 * {@link ControlMessage.Unknown} too, never as a wrong message.
 *
 * <p>Decoding is bounded by its input: no length read from the bytes can make it allocate more than the input
 * holds, and inputs above {@link #MAX_BYTES} are refused. Both methods are stateless and thread-safe.
 */
public final class ControlCodec {
    /** The envelope version this release writes and reads. */
    public static final int VERSION = 1;
    /** The largest message accepted for decoding (a survey reply listing many sessions stays far below). */
    public static final int MAX_BYTES = 64 << 20;

    /** Envelope fields. */
    static final int ENV_VERSION = 1;
    static final int ENV_TYPE = 2;
    static final int ENV_SENDER = 3;
    static final int ENV_BODY = 4;

    /** Message type tags: frozen, never reused. */
    static final int NODE_INFO = 1;
    static final int DISCONNECT = 2;
    static final int SUBSCRIBE = 3;
    static final int UNSUBSCRIBE = 4;
    static final int REFRESH = 5;
    static final int TERMINATE_CONNECTIONS = 6;
    static final int SURVEY_REQUEST = 7;
    static final int SURVEY_REPLY = 8;

    private ControlCodec() {
    }

    /**
     * The message in wire format.
     *
     * @throws IllegalArgumentException for {@link ControlMessage.Unknown}, which has no body to write
     */
    public static byte[] encode(ControlMessage message) {
        Writer body = new Writer();
        int type = switch (message) {
            case ControlMessage.NodeInfo m -> nodeInfo(body, m);
            case ControlMessage.Disconnect m -> disconnect(body, m);
            case ControlMessage.Subscribe m -> subscribe(body, m);
            case ControlMessage.Unsubscribe m -> unsubscribe(body, m);
            case ControlMessage.Refresh m -> refresh(body, m);
            case ControlMessage.TerminateConnections m -> terminate(body, m);
            case ControlMessage.SurveyRequest m -> surveyRequest(body, m);
            case ControlMessage.SurveyReply m -> surveyReply(body, m);
            case ControlMessage.Unknown m -> throw new IllegalArgumentException(
                    "an unknown control message (type " + m.type() + ", version " + m.version() + ") has no body");
        };
        Writer envelope = new Writer();
        envelope.uint64(ENV_VERSION, VERSION);
        envelope.uint64(ENV_TYPE, type);
        envelope.string(ENV_SENDER, message.sender());
        envelope.message(ENV_BODY, body);
        return envelope.toByteArray();
    }

    /**
     * Reads one message; a type or version this release does not know is a {@link ControlMessage.Unknown}.
     *
     * @throws ControlCodecException when the bytes are not a control message
     */
    public static ControlMessage decode(byte[] bytes) throws ControlCodecException {
        return ControlReader.decode(bytes);
    }

    private static int nodeInfo(Writer w, ControlMessage.NodeInfo m) {
        w.string(1, m.name());
        w.string(2, m.version());
        w.uint64(3, m.clients());
        w.uint64(4, m.users());
        w.uint64(5, m.subscriptions());
        w.uint64(6, m.channels());
        w.uint64(7, m.uptimeSeconds());
        return NODE_INFO;
    }

    private static int disconnect(Writer w, ControlMessage.Disconnect m) {
        w.string(1, m.app());
        w.string(2, m.user());
        w.string(3, m.client());
        w.string(4, m.session());
        for (String client : m.whitelist()) {
            w.stringAlways(5, client);
        }
        w.uint64(6, Integer.toUnsignedLong(m.code()));
        w.string(7, m.reason());
        return DISCONNECT;
    }

    private static int subscribe(Writer w, ControlMessage.Subscribe m) {
        w.string(1, m.app());
        w.string(2, m.user());
        w.string(3, m.channel());
        w.string(4, m.client());
        w.string(5, m.session());
        w.optionalBytes(6, m.info());
        w.optionalBytes(7, m.data());
        StreamPosition since = m.recoverSince();
        if (since != null) {
            Writer position = new Writer();
            position.uint64(1, since.offset());
            position.string(2, since.epoch() == null ? "" : since.epoch());
            w.message(8, position);
        }
        w.uint64(9, m.expireAt());
        ControlMessage.Subscribe.Override o = m.override();
        if (o != null) {
            Writer override = new Writer();
            override.optionalBool(1, o.presence());
            override.optionalBool(2, o.joinLeave());
            override.optionalBool(3, o.forceRecovery());
            override.optionalBool(4, o.forcePositioning());
            override.optionalBool(5, o.forcePushJoinLeave());
            w.message(10, override);
        }
        return SUBSCRIBE;
    }

    private static int unsubscribe(Writer w, ControlMessage.Unsubscribe m) {
        w.string(1, m.app());
        w.string(2, m.user());
        w.string(3, m.channel());
        w.string(4, m.client());
        w.string(5, m.session());
        return UNSUBSCRIBE;
    }

    private static int refresh(Writer w, ControlMessage.Refresh m) {
        w.string(1, m.app());
        w.string(2, m.user());
        w.string(3, m.client());
        w.string(4, m.session());
        w.bool(5, m.expired());
        w.uint64(6, m.expireAt());
        w.optionalBytes(7, m.info());
        return REFRESH;
    }

    private static int terminate(Writer w, ControlMessage.TerminateConnections m) {
        w.string(1, m.app());
        w.string(2, m.user());
        return TERMINATE_CONNECTIONS;
    }

    private static int surveyRequest(Writer w, ControlMessage.SurveyRequest m) {
        w.uint64(1, m.id());
        w.string(2, m.op());
        w.optionalBytes(3, m.payload().length == 0 ? null : m.payload());
        return SURVEY_REQUEST;
    }

    private static int surveyReply(Writer w, ControlMessage.SurveyReply m) {
        w.uint64(1, m.id());
        w.optionalBytes(2, m.payload().length == 0 ? null : m.payload());
        w.string(3, m.error());
        return SURVEY_REPLY;
    }

    /**
     * A growable protobuf writer. Control messages are small and infrequent next to publications, so a nested
     * message is simply written to its own array first and then copied in as a length-delimited field.
     * Zero scalars and empty strings are omitted (proto3); "optional" fields are written whenever non-null.
     */
    private static final class Writer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        private final CodedOutputStream out = CodedOutputStream.newInstance(bytes, 256);

        void string(int field, String value) {
            if (!value.isEmpty()) {
                stringAlways(field, value);
            }
        }

        void stringAlways(int field, String value) {
            try {
                out.writeString(field, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** uint64 and int64 share the varint encoding of the long's bits. */
        void uint64(int field, long value) {
            if (value == 0) {
                return;
            }
            try {
                out.writeUInt64(field, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void bool(int field, boolean value) {
            if (value) {
                optionalBool(field, true);
            }
        }

        void optionalBool(int field, Boolean value) {
            if (value == null) {
                return;
            }
            try {
                out.writeBool(field, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Written when non-null, even when empty, so "absent" (null) and "empty" stay apart. */
        void optionalBytes(int field, byte[] value) {
            if (value == null) {
                return;
            }
            try {
                out.writeByteArray(field, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void message(int field, Writer nested) {
            optionalBytes(field, nested.toByteArray());
        }

        byte[] toByteArray() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }
    }
}
