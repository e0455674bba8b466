package io.jahci.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The real NBD clients the tests run (nbdinfo, nbdcopy, qemu-io, qemu-img), each found on PATH or named with its package. */
public final class ClientTools {
    private static final Map<String, String> PACKAGES = Map.of("nbdinfo", "libnbd-bin", "nbdcopy", "libnbd-bin",
            "qemu-io", "qemu-utils", "qemu-img", "qemu-utils");

    private ClientTools() {}

    /** What a client printed (stdout and stderr together) and its exit status. */
    public record Run(int exit, String output) {
        public Run ok() {
            assertEquals(0, exit, output);
            return this;
        }
    }

    /** Starts {@code command}; fails saying what to apt-get install when the program is missing. */
    public static Process start(String... command) throws IOException {
        require(command[0]);
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Runs {@code command} to its end (at most 120 s). */
    public static Run run(String... command) throws Exception {
        return finish(start(command), String.join(" ", command));
    }

    public static Run finish(Process p, String what) throws Exception {
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), what + " did not end");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    public static void require(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, program).canExecute()) {
                return;
            }
        }
        fail(program + " is not on PATH: install it (apt-get install " + PACKAGES.getOrDefault(program, program)
                + "); the NBD tests run real clients");
    }

    /** qemu-io on {@code uri} (raw format) with one -c per command. */
    public static Run qemuIo(String uri, List<String> commands) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("qemu-io", "-f", "raw"));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        cmd.add(uri);
        return run(cmd.toArray(String[]::new));
    }
}
