package dev.herald.protocol;

/** The {@code error} object of a reply: Centrifugo's code, message and temporary flag. */
public record ReplyError(int code, String message, boolean temporary) {
}
