package io.jahci.cli;

import io.jahci.fault.CommandTimeoutException;
import io.jahci.fault.ControllerLostException;
import io.jahci.hw.DeviceLostException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Under --json a failed command names its fault (docs/faults.md) next to the message. */
class ErrorJsonTest {
    @Test
    void theFaultIsNamedAndTheMessageQuoted() {
        assertEquals("{\"error\":{\"fault\":\"controller-lost\",\"message\":\"port 0: the controller is lost (\\\"x\\\")\\nhistory\"}}",
                Main.errorJson(new ControllerLostException("port 0: the controller is lost (\"x\")\nhistory")));
        assertEquals("{\"error\":{\"fault\":\"command-timeout\",\"message\":\"t\"}}",
                Main.errorJson(new CommandTimeoutException("t")));
        assertEquals("{\"error\":{\"fault\":\"controller-lost\",\"message\":\"QEMU stopped answering\"}}",
                Main.errorJson(new DeviceLostException("QEMU stopped answering")));
        assertEquals("{\"error\":{\"fault\":\"usage\",\"message\":\"bad\"}}", Main.errorJson(new IllegalArgumentException("bad")));
    }
}
