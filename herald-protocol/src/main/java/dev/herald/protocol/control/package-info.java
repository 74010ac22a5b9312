/**
 * Node-to-node control messages ({@link dev.herald.protocol.control.ControlMessage}) and their protobuf wire
 * format ({@link dev.herald.protocol.control.ControlCodec}). The encoding is hand-written; this is its schema, in
 * {@code .proto} notation, with numbers that never change or get reused:
 *
 * <pre>{@code
 * message Envelope {
 *   uint32 version = 1;   // ControlCodec.VERSION; bumped only for a change old nodes would misread
 *   uint32 type    = 2;   // which body: 1 NodeInfo .. 8 SurveyReply; a new type gets the next number
 *   string sender  = 3;   // the sending node's id
 *   bytes  body    = 4;   // the message of that type
 * }
 * message NodeInfo { string name = 1; string version = 2; uint64 clients = 3; uint64 users = 4;
 *                    uint64 subscriptions = 5; uint64 channels = 6; uint64 uptime_seconds = 7; }
 * message Disconnect { string app = 1; string user = 2; string client = 3; string session = 4;
 *                      repeated string whitelist = 5; uint32 code = 6; string reason = 7; }
 * message Subscribe { string app = 1; string user = 2; string channel = 3; string client = 4; string session = 5;
 *                     optional bytes info = 6; optional bytes data = 7; StreamPosition recover_since = 8;
 *                     int64 expire_at = 9; Override override = 10; }
 * message StreamPosition { uint64 offset = 1; string epoch = 2; }
 * message Override { optional bool presence = 1; optional bool join_leave = 2; optional bool force_recovery = 3;
 *                    optional bool force_positioning = 4; optional bool force_push_join_leave = 5; }
 * message Unsubscribe { string app = 1; string user = 2; string channel = 3; string client = 4;
 *                       string session = 5; }
 * message Refresh { string app = 1; string user = 2; string client = 3; string session = 4; bool expired = 5;
 *                   int64 expire_at = 6; optional bytes info = 7; }
 * message TerminateConnections { string app = 1; string user = 2; }          // type 6
 * message SurveyRequest { uint64 id = 1; string op = 2; bytes payload = 3; } // type 7
 * message SurveyReply { uint64 id = 1; bytes payload = 2; string error = 3; } // type 8
 * }</pre>
 *
 * Types 1 to 5 are the messages in the order written. A field added later takes the next free number of its
 * message; old nodes skip it.
 */
package dev.herald.protocol.control;
