package dev.herald.core.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GlobTest {

    @Test
    void starAndQuestionMark() {
        assertTrue(Glob.compile("chat:*").matches("chat:"));
        assertTrue(Glob.compile("chat:*").matches("chat:a:b"));
        assertFalse(Glob.compile("chat:*").matches("news:a"));
        assertTrue(Glob.compile("user?").matches("user1"));
        assertFalse(Glob.compile("user?").matches("user12"));
        assertTrue(Glob.compile("*").matches(""));
    }

    @Test
    void classesAlternativesAndEscapes() {
        assertTrue(Glob.compile("room[0-9]").matches("room7"));
        assertFalse(Glob.compile("room[!0-9]").matches("room7"));
        assertTrue(Glob.compile("room[!0-9]").matches("roomx"));
        assertTrue(Glob.compile("{chat,news}:*").matches("news:1"));
        assertFalse(Glob.compile("{chat,news}:*").matches("feed:1"));
        assertTrue(Glob.compile("a\\*b").matches("a*b"));
        assertFalse(Glob.compile("a\\*b").matches("axb"));
        assertTrue(Glob.compile("$private.(x)+").matches("$private.(x)+"));
        assertTrue(Glob.compile("ü*😀").matches("üx😀"));
    }

    @Test
    void malformedPatternsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Glob.compile("a[b"));
        assertThrows(IllegalArgumentException.class, () -> Glob.compile("{a,b"));
        assertThrows(IllegalArgumentException.class, () -> Glob.compile("a\\"));
    }
}
