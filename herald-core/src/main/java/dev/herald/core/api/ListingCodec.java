package dev.herald.core.api;

import dev.herald.core.cluster.Payloads;
import dev.herald.protocol.ReplyError;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The payloads of the listing surveys, in protobuf wire format so that nodes of the next release can add fields:
 * unknown fields are skipped. A node that could not answer (a CEL budget spent, a bad expression) answers with
 * an API error code instead of a listing, and the requester fails the whole call with it, as a single node would.
 *
 * <pre>
 * ConnectionsQuery { string app = 1; string user = 2; string expression = 3; }
 * Connections      { repeated Connection connection = 1; string error_message = 14; uint32 error_code = 15; }
 * Connection       { string client = 1; string user = 2; string app_name = 3; string app_version = 4;
 *                    string transport = 5; string protocol = 6; int64 connected_at = 7; string token_uid = 8;
 *                    int64 token_issued_at = 9; bytes meta = 10 (absent = no meta); repeated string channel = 11;
 *                    repeated SubscriptionToken token = 12; }
 * SubscriptionToken { string channel = 1; string uid = 2; int64 issued_at = 3; }
 * ChannelsQuery    { string app = 1; string pattern = 2; }
 * Channels         { repeated Channel channel = 1; string error_message = 14; uint32 error_code = 15; }
 * Channel          { string name = 1; uint32 subscribers = 2; }
 * </pre>
 */
final class ListingCodec {
    private static final int ERROR_MESSAGE = 14;
    private static final int ERROR_CODE = 15;

    private ListingCodec() {
    }

    record ConnectionsQuery(String app, String user, String expression) {
    }

    record ChannelsQuery(String app, String pattern) {
    }

    /** One node's answer: its connections, or the API error it failed with (null = none). */
    record ConnectionsAnswer(List<ConnectionInfo> connections, ReplyError error) {
    }

    record ChannelsAnswer(Map<String, Integer> channels, ReplyError error) {
    }

    // ---- connections ----

    static byte[] encode(ConnectionsQuery q) {
        return Payloads.write(out -> {
            Payloads.string(out, 1, q.app());
            Payloads.string(out, 2, q.user());
            Payloads.string(out, 3, q.expression());
        });
    }

    static ConnectionsQuery decodeConnectionsQuery(byte[] bytes) {
        String[] f = {"", "", ""};
        Payloads.read(bytes, (field, in) -> {
            if (field >= 1 && field <= 3) {
                f[field - 1] = in.readString();
                return true;
            }
            return false;
        });
        return new ConnectionsQuery(f[0], f[1], f[2]);
    }

    static byte[] encodeConnections(List<ConnectionInfo> connections) {
        return Payloads.write(out -> {
            for (ConnectionInfo c : connections) {
                out.writeByteArray(1, encode(c));
            }
        });
    }

    /** A node's failure to list, for either listing. */
    static byte[] encodeError(ReplyError error) {
        return Payloads.write(out -> {
            Payloads.string(out, ERROR_MESSAGE, error.message());
            out.writeUInt32(ERROR_CODE, error.code());
        });
    }

    private static ReplyError error(int code, String message) {
        return code == 0 ? null : new ReplyError(code, message, false);
    }

    static ConnectionsAnswer decodeConnections(byte[] bytes) {
        List<ConnectionInfo> out = new ArrayList<>();
        int[] error = new int[1];
        String[] message = {""};
        Payloads.read(bytes, (field, in) -> {
            switch (field) {
                case 1 -> out.add(decodeConnection(in.readByteArray()));
                case ERROR_MESSAGE -> message[0] = in.readString();
                case ERROR_CODE -> error[0] = in.readUInt32();
                default -> {
                    return false;
                }
            }
            return true;
        });
        return new ConnectionsAnswer(out, error(error[0], message[0]));
    }

    private static byte[] encode(ConnectionInfo c) {
        return Payloads.write(out -> {
            Payloads.string(out, 1, c.client());
            Payloads.string(out, 2, c.user());
            Payloads.string(out, 3, c.appName());
            Payloads.string(out, 4, c.appVersion());
            Payloads.string(out, 5, c.transport());
            Payloads.string(out, 6, c.protocol());
            if (c.connectedAtMillis() != 0) {
                out.writeInt64(7, c.connectedAtMillis());
            }
            Payloads.string(out, 8, c.tokenId());
            if (c.tokenIssuedAt() != 0) {
                out.writeInt64(9, c.tokenIssuedAt());
            }
            if (c.meta() != null) {
                out.writeByteArray(10, c.meta());
            }
            for (String channel : c.channels()) {
                out.writeString(11, channel);
            }
            for (Map.Entry<String, ConnectionInfo.TokenInfo> t : c.subscriptionTokens().entrySet()) {
                out.writeByteArray(12, Payloads.write(tok -> {
                    Payloads.string(tok, 1, t.getKey());
                    Payloads.string(tok, 2, t.getValue().uid());
                    if (t.getValue().issuedAt() != 0) {
                        tok.writeInt64(3, t.getValue().issuedAt());
                    }
                }));
            }
        });
    }

    private static ConnectionInfo decodeConnection(byte[] bytes) {
        String[] s = {"", "", "", "", "", "", ""};
        long[] n = new long[2];
        byte[][] meta = new byte[1][];
        List<String> channels = new ArrayList<>();
        Map<String, ConnectionInfo.TokenInfo> tokens = new TreeMap<>();
        Payloads.read(bytes, (field, in) -> {
            switch (field) {
                case 1, 2, 3, 4, 5, 6 -> s[field - 1] = in.readString();
                case 7 -> n[0] = in.readInt64();
                case 8 -> s[6] = in.readString();
                case 9 -> n[1] = in.readInt64();
                case 10 -> meta[0] = in.readByteArray();
                case 11 -> channels.add(in.readString());
                case 12 -> {
                    String[] t = {"", ""};
                    long[] iat = new long[1];
                    Payloads.read(in.readByteArray(), (f, tin) -> {
                        switch (f) {
                            case 1, 2 -> t[f - 1] = tin.readString();
                            case 3 -> iat[0] = tin.readInt64();
                            default -> {
                                return false;
                            }
                        }
                        return true;
                    });
                    tokens.put(t[0], new ConnectionInfo.TokenInfo(t[1], iat[0]));
                }
                default -> {
                    return false;
                }
            }
            return true;
        });
        return new ConnectionInfo(s[0], s[1], s[2], s[3], s[4], s[5], n[0], s[6], n[1], meta[0],
                List.copyOf(channels), Collections.unmodifiableMap(tokens));
    }

    // ---- channels ----

    static byte[] encode(ChannelsQuery q) {
        return Payloads.write(out -> {
            Payloads.string(out, 1, q.app());
            Payloads.string(out, 2, q.pattern());
        });
    }

    static ChannelsQuery decodeChannelsQuery(byte[] bytes) {
        String[] f = {"", ""};
        Payloads.read(bytes, (field, in) -> {
            if (field == 1 || field == 2) {
                f[field - 1] = in.readString();
                return true;
            }
            return false;
        });
        return new ChannelsQuery(f[0], f[1]);
    }

    static byte[] encodeChannels(Map<String, Integer> channels) {
        return Payloads.write(out -> {
            for (Map.Entry<String, Integer> e : channels.entrySet()) {
                out.writeByteArray(1, Payloads.write(ch -> {
                    ch.writeString(1, e.getKey());
                    ch.writeUInt32(2, e.getValue());
                }));
            }
        });
    }

    static ChannelsAnswer decodeChannels(byte[] bytes) {
        Map<String, Integer> out = new LinkedHashMap<>();
        int[] error = new int[1];
        String[] message = {""};
        Payloads.read(bytes, (field, in) -> {
            switch (field) {
                case 1 -> {
                    String[] name = {""};
                    int[] count = new int[1];
                    Payloads.read(in.readByteArray(), (f, cin) -> {
                        switch (f) {
                            case 1 -> name[0] = cin.readString();
                            case 2 -> count[0] = cin.readUInt32();
                            default -> {
                                return false;
                            }
                        }
                        return true;
                    });
                    out.merge(name[0], count[0], Integer::sum);
                }
                case ERROR_MESSAGE -> message[0] = in.readString();
                case ERROR_CODE -> error[0] = in.readUInt32();
                default -> {
                    return false;
                }
            }
            return true;
        });
        return new ChannelsAnswer(out, error(error[0], message[0]));
    }
}
