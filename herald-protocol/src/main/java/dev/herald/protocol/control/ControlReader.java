package dev.herald.protocol.control;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.herald.protocol.StreamPosition;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.herald.protocol.control.ControlCodec.DISCONNECT;
import static dev.herald.protocol.control.ControlCodec.ENV_BODY;
import static dev.herald.protocol.control.ControlCodec.ENV_SENDER;
import static dev.herald.protocol.control.ControlCodec.ENV_TYPE;
import static dev.herald.protocol.control.ControlCodec.ENV_VERSION;
import static dev.herald.protocol.control.ControlCodec.NODE_INFO;
import static dev.herald.protocol.control.ControlCodec.REFRESH;
import static dev.herald.protocol.control.ControlCodec.SUBSCRIBE;
import static dev.herald.protocol.control.ControlCodec.SURVEY_REPLY;
import static dev.herald.protocol.control.ControlCodec.SURVEY_REQUEST;
import static dev.herald.protocol.control.ControlCodec.TERMINATE_CONNECTIONS;
import static dev.herald.protocol.control.ControlCodec.UNSUBSCRIBE;

/**
 * The decoding half of {@link ControlCodec}. Fields may come in any order; a field read twice keeps the last value
 * (repeated fields accumulate), as protobuf parsers do. Unknown fields are skipped; groups (never used by proto3)
 * and a known field with the wrong wire type are malformed, so damaged input fails instead of being half-read.
 */
final class ControlReader {
    private static final int VARINT = WireFormat.WIRETYPE_VARINT;
    private static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;

    private ControlReader() {
    }

    static ControlMessage decode(byte[] bytes) throws ControlCodecException {
        if (bytes == null || bytes.length == 0) {
            throw new ControlCodecException("empty control message");
        }
        if (bytes.length > ControlCodec.MAX_BYTES) {
            throw new ControlCodecException("control message of " + bytes.length + " bytes exceeds the limit of "
                    + ControlCodec.MAX_BYTES);
        }
        try {
            return envelope(CodedInputStream.newInstance(bytes));
        } catch (IOException | RuntimeException e) {
            throw new ControlCodecException("malformed control message: " + e.getMessage(), e);
        }
    }

    private static ControlMessage envelope(CodedInputStream in) throws IOException, ControlCodecException {
        long version = 0;
        long type = 0;
        String sender = "";
        byte[] body = Values.NO_BYTES;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case ENV_VERSION -> version = varint(in, tag);
                case ENV_TYPE -> type = varint(in, tag);
                case ENV_SENDER -> sender = string(in, tag);
                case ENV_BODY -> body = bytes(in, tag);
                default -> skip(in, tag);
            }
        }
        if (version == 0 || type == 0 || sender.isEmpty()) {
            throw new ControlCodecException("not a control message: version " + Long.toUnsignedString(version)
                    + ", type " + Long.toUnsignedString(type) + ", sender '" + sender + "'");
        }
        int v = clamp(version);
        int t = clamp(type);
        if (Long.compareUnsigned(version, ControlCodec.VERSION) > 0) {
            return new ControlMessage.Unknown(sender, t, v);
        }
        CodedInputStream b = CodedInputStream.newInstance(body);
        return switch (t) {
            case NODE_INFO -> nodeInfo(b, sender);
            case DISCONNECT -> disconnect(b, sender);
            case SUBSCRIBE -> subscribe(b, sender);
            case UNSUBSCRIBE -> unsubscribe(b, sender);
            case REFRESH -> refresh(b, sender);
            case TERMINATE_CONNECTIONS -> terminate(b, sender);
            case SURVEY_REQUEST -> surveyRequest(b, sender);
            case SURVEY_REPLY -> surveyReply(b, sender);
            default -> new ControlMessage.Unknown(sender, t, v);
        };
    }

    private static ControlMessage nodeInfo(CodedInputStream in, String sender) throws IOException,
            ControlCodecException {
        String name = "";
        String version = "";
        long[] counts = new long[5];
        for (int tag; (tag = in.readTag()) != 0; ) {
            int field = WireFormat.getTagFieldNumber(tag);
            switch (field) {
                case 1 -> name = string(in, tag);
                case 2 -> version = string(in, tag);
                case 3, 4, 5, 6, 7 -> counts[field - 3] = varint(in, tag);
                default -> skip(in, tag);
            }
        }
        return new ControlMessage.NodeInfo(sender, name, version, counts[0], counts[1], counts[2], counts[3],
                counts[4]);
    }

    private static ControlMessage disconnect(CodedInputStream in, String sender) throws IOException,
            ControlCodecException {
        String[] s = {"", "", "", ""};
        List<String> whitelist = new ArrayList<>();
        long code = 0;
        String reason = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            int field = WireFormat.getTagFieldNumber(tag);
            switch (field) {
                case 1, 2, 3, 4 -> s[field - 1] = string(in, tag);
                case 5 -> whitelist.add(string(in, tag));
                case 6 -> code = varint(in, tag);
                case 7 -> reason = string(in, tag);
                default -> skip(in, tag);
            }
        }
        return new ControlMessage.Disconnect(sender, s[0], s[1], s[2], s[3], whitelist, (int) code, reason);
    }

    private static ControlMessage subscribe(CodedInputStream in, String sender) throws IOException,
            ControlCodecException {
        String[] s = {"", "", "", "", ""};
        byte[] info = null;
        byte[] data = null;
        StreamPosition since = null;
        long expireAt = 0;
        ControlMessage.Subscribe.Override override = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            int field = WireFormat.getTagFieldNumber(tag);
            switch (field) {
                case 1, 2, 3, 4, 5 -> s[field - 1] = string(in, tag);
                case 6 -> info = bytes(in, tag);
                case 7 -> data = bytes(in, tag);
                case 8 -> since = position(CodedInputStream.newInstance(bytes(in, tag)));
                case 9 -> expireAt = varint(in, tag);
                case 10 -> override = override(CodedInputStream.newInstance(bytes(in, tag)));
                default -> skip(in, tag);
            }
        }
        return new ControlMessage.Subscribe(sender, s[0], s[1], s[2], s[3], s[4], info, data, since, expireAt,
                override);
    }

    private static StreamPosition position(CodedInputStream in) throws IOException, ControlCodecException {
        long offset = 0;
        String epoch = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> offset = varint(in, tag);
                case 2 -> epoch = string(in, tag);
                default -> skip(in, tag);
            }
        }
        return new StreamPosition(offset, epoch);
    }

    private static ControlMessage.Subscribe.Override override(CodedInputStream in) throws IOException,
            ControlCodecException {
        Boolean[] flags = new Boolean[5];
        for (int tag; (tag = in.readTag()) != 0; ) {
            int field = WireFormat.getTagFieldNumber(tag);
            if (field >= 1 && field <= 5) {
                flags[field - 1] = varint(in, tag) != 0;
            } else {
                skip(in, tag);
            }
        }
        return new ControlMessage.Subscribe.Override(flags[0], flags[1], flags[2], flags[3], flags[4]);
    }

    private static ControlMessage unsubscribe(CodedInputStream in, String sender) throws IOException,
            ControlCodecException {
        String[] s = {"", "", "", "", ""};
        for (int tag; (tag = in.readTag()) != 0; ) {
            int field = WireFormat.getTagFieldNumber(tag);
            if (field >= 1 && field <= 5) {
                s[field - 1] = string(in, tag);
            } else {
                skip(in, tag);
            }
        }
        return new ControlMessage.Unsubscribe(sender, s[0], s[1], s[2], s[3], s[4]);
    }

    private static ControlMessage refresh(CodedInputStream in, String sender) throws IOException,
            ControlCodecException {
        String[] s = {"", "", "", ""};
        boolean expired = false;
        long expireAt = 0;
        byte[] info = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            int field = WireFormat.getTagFieldNumber(tag);
            switch (field) {
                case 1, 2, 3, 4 -> s[field - 1] = string(in, tag);
                case 5 -> expired = varint(in, tag) != 0;
                case 6 -> expireAt = varint(in, tag);
                case 7 -> info = bytes(in, tag);
                default -> skip(in, tag);
            }
        }
        return new ControlMessage.Refresh(sender, s[0], s[1], s[2], s[3], expired, expireAt, info);
    }

    private static ControlMessage terminate(CodedInputStream in, String sender) throws IOException,
            ControlCodecException {
        String app = "";
        String user = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> app = string(in, tag);
                case 2 -> user = string(in, tag);
                default -> skip(in, tag);
            }
        }
        return new ControlMessage.TerminateConnections(sender, app, user);
    }

    private static ControlMessage surveyRequest(CodedInputStream in, String sender) throws IOException,
            ControlCodecException {
        long id = 0;
        String op = "";
        byte[] payload = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> id = varint(in, tag);
                case 2 -> op = string(in, tag);
                case 3 -> payload = bytes(in, tag);
                default -> skip(in, tag);
            }
        }
        return new ControlMessage.SurveyRequest(sender, id, op, payload);
    }

    private static ControlMessage surveyReply(CodedInputStream in, String sender) throws IOException,
            ControlCodecException {
        long id = 0;
        byte[] payload = null;
        String error = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> id = varint(in, tag);
                case 2 -> payload = bytes(in, tag);
                case 3 -> error = string(in, tag);
                default -> skip(in, tag);
            }
        }
        return new ControlMessage.SurveyReply(sender, id, payload, error);
    }

    private static long varint(CodedInputStream in, int tag) throws IOException, ControlCodecException {
        expect(tag, VARINT);
        return in.readUInt64();
    }

    private static String string(CodedInputStream in, int tag) throws IOException, ControlCodecException {
        expect(tag, LEN);
        return in.readStringRequireUtf8();
    }

    /** The length is checked against the bytes left before anything is allocated. */
    private static byte[] bytes(CodedInputStream in, int tag) throws IOException, ControlCodecException {
        expect(tag, LEN);
        return in.readByteArray();
    }

    private static void skip(CodedInputStream in, int tag) throws IOException, ControlCodecException {
        int wireType = WireFormat.getTagWireType(tag);
        // Groups nest without a length, so skipping them recurses on the input's say-so: refuse them outright.
        if (wireType == WireFormat.WIRETYPE_START_GROUP || wireType == WireFormat.WIRETYPE_END_GROUP) {
            throw new ControlCodecException("protobuf group in field " + WireFormat.getTagFieldNumber(tag));
        }
        in.skipField(tag);
    }

    private static void expect(int tag, int wireType) throws ControlCodecException {
        if (WireFormat.getTagWireType(tag) != wireType) {
            throw new ControlCodecException("field " + WireFormat.getTagFieldNumber(tag) + " has wire type "
                    + WireFormat.getTagWireType(tag) + ", expected " + wireType);
        }
    }

    private static int clamp(long unsigned) {
        return Long.compareUnsigned(unsigned, Integer.MAX_VALUE) > 0 ? Integer.MAX_VALUE : (int) unsigned;
    }
}
