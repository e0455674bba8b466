package io.jahci.testing;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.io.IOException;

/** Runs after every other test class (junit-platform.properties orders classes by @Order). */
@Order(Integer.MAX_VALUE)
class LeftoversTest {
    @Test
    void theSuiteLeftNoQemuProcessAndNoFiles() throws IOException {
        Leftovers.assertNone();
    }
}
