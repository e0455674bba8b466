package io.jahci.cli;

import io.jahci.fault.CommandTimeoutException;
import io.jahci.fault.ControllerLostException;
import io.jahci.hw.DeviceLostException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Under --json a failed command names its fault (docs/faults.md) next to the message. */
class ErrorJsonTest {
    /** Every document's head: the pom's version and the error document's schema. */
    private static final String HEAD = "{\"jahciVersion\":\"" + io.jahci.disk.Version.current() + "\",\"schema\":1,";

    @Test
    void theFaultIsNamedAndTheMessageQuoted() {
        assertEquals(HEAD + "\"error\":{\"fault\":\"controller-lost\",\"message\":\"port 0: the controller is lost (\\\"x\\\")\\nhistory\"}}",
                Main.errorJson(new ControllerLostException("port 0: the controller is lost (\"x\")\nhistory")));
        assertEquals(HEAD + "\"error\":{\"fault\":\"command-timeout\",\"message\":\"t\"}}",
                Main.errorJson(new CommandTimeoutException("t")));
        assertEquals(HEAD + "\"error\":{\"fault\":\"controller-lost\",\"message\":\"QEMU stopped answering\"}}",
                Main.errorJson(new DeviceLostException("QEMU stopped answering")));
        assertEquals(HEAD + "\"error\":{\"fault\":\"usage\",\"message\":\"bad\"}}", Main.errorJson(new IllegalArgumentException("bad")));
    }
}
