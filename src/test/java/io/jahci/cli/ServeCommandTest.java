package io.jahci.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `jahci serve`'s usage errors, found before any device is opened. */
class ServeCommandTest {
    @Test
    void needsExactlyOneOfUnixAndListen() {
        CliRun neither = CliRun.of("serve", "--port", "0");
        assertEquals(2, neither.exit(), neither.err());
        assertTrue(neither.err().contains("--unix") && neither.err().contains("--listen"), neither.err());
        CliRun both = CliRun.of("serve", "--port", "0", "--unix", "/tmp/x.sock", "--listen", "127.0.0.1:1");
        assertEquals(2, both.exit(), both.err());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
    }

    @Test
    void aListenAddressNeedsAPort() {
        CliRun r = CliRun.of("serve", "--port", "0", "--listen", "127.0.0.1");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--listen 127.0.0.1: expected ADDRESS:PORT (e.g. --listen 127.0.0.1:10809)"), r.err());
        CliRun port = CliRun.of("serve", "--port", "0", "--listen", "127.0.0.1:70000");
        assertEquals(2, port.exit(), port.err());
        assertTrue(port.err().contains("the port must be 0..65535"), port.err());
    }

    @Test
    void jsonNeedsStatsAndStatsAnInterval() {
        CliRun json = CliRun.of("serve", "--port", "0", "--unix", "/tmp/x.sock", "--json");
        assertEquals(2, json.exit(), json.err());
        assertTrue(json.err().contains("--json prints the --stats intervals: add --stats (e.g. --stats=10s --json)"),
                json.err());
        CliRun zero = CliRun.of("serve", "--port", "0", "--unix", "/tmp/x.sock", "--stats=0");
        assertEquals(2, zero.exit(), zero.err());
        assertTrue(zero.err().contains("--stats 0ms: the interval must be longer than 0 (e.g. --stats=10s)"), zero.err());
        CliRun bad = CliRun.of("serve", "--port", "0", "--unix", "/tmp/x.sock", "--stats=often");
        assertEquals(2, bad.exit(), bad.err());
        assertTrue(bad.err().contains("--stats often: not a duration"), bad.err());
    }
}
