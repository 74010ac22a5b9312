package dev.herald.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.io.IOException;

/** A request body that is not valid JSON, or holds a value of the wrong type; the message says which. */
final class BadJsonException extends Exception {

    BadJsonException(String message) {
        super(message, null, false, false);
    }

    static BadJsonException syntax(IOException e) {
        String message = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
        return new BadJsonException("malformed JSON: " + message);
    }

    static BadJsonException type(String field, String expected) {
        return new BadJsonException("field \"" + field + "\" must be " + expected);
    }
}
