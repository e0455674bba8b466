package io.jahci.hw.qemu;

import io.jahci.testing.Images;
import io.jahci.testing.Leftovers;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** QEMU starts, fails clearly, and leaves nothing behind however jahci ends. */
class QemuLifecycleTest {
    @TempDir
    Path dir;

    private QemuConfig config(Path image) {
        return QemuConfig.fromEnvironment(List.of(image.toString()), Map.of("PATH", System.getenv("PATH")));
    }

    @Test
    @Tag("qemu")
    void bringsUpTheControllerAsABiosWouldAndCleansUpOnClose() throws Exception {
        Path image = Images.create(dir, "a.img", 1 << 20);
        long pid;
        Path shm;
        try (QemuTransport t = QemuTransport.open(config(image))) {
            pid = t.qemuPid();
            shm = t.guestRamFile();
            assertEquals(0xc0141f05, t.abar().read32(0x00), "CAP of QEMU 7.2's ich9-ahci");
            assertEquals(0x3f, t.abar().read32(0x0c), "PI: six ports");
            int command = t.pci().readConfig16(0x04);
            assertEquals(0x6, command & 0x6, "memory space and bus master enabled");
            assertFalse(Files.exists(shm), "the guest RAM file is unlinked once mapped");
            assertTrue(ProcessHandle.of(pid).isPresent());
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "QEMU is stopped on close");
        assertFalse(Files.exists(shm));
    }

    @Test
    void aMissingQemuBinarySaysWhatToInstall() {
        QemuConfig config = new QemuConfig("/nonexistent/qemu-system-x86_64", List.of(), 64, List.of());
        IOException e = assertThrows(IOException.class, () -> QemuTransport.open(config));
        assertTrue(e.getMessage().contains("apt-get install qemu-system-x86"), e.getMessage());
        assertTrue(e.getMessage().contains("JAHCI_QEMU"), e.getMessage());
    }

    @Test
    @Tag("qemu")
    void aQemuThatExitsAtStartShowsWhatQemuSaid() throws Exception {
        Path image = Images.create(dir, "a.img", 1 << 20);
        QemuConfig config = config(image).withExtraArgs(List.of("-no-such-option"));
        IOException e = assertThrows(IOException.class, () -> QemuTransport.open(config));
        assertTrue(e.getMessage().contains("QEMU exited before it connected"), e.getMessage());
        assertTrue(e.getMessage().contains("-no-such-option"), "QEMU's own complaint: " + e.getMessage());
        Leftovers.assertNone();
    }

    @Test
    @Tag("qemu")
    void aMissingImageGivesQemusError() {
        QemuConfig config = config(dir.resolve("missing.img"));
        IOException e = assertThrows(IOException.class, () -> QemuTransport.open(config));
        assertTrue(e.getMessage().contains("missing.img"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"SIGKILL", "SIGTERM (Ctrl-C takes the same path)"})
    @Tag("qemu")
    void qemuDiesWithTheJvm(String signal) throws Exception {
        Path image = Images.create(dir, "a.img", 1 << 20);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                HoldQemu.class.getName(), image.toString()).redirectErrorStream(true).start();
        long qemuPid;
        String shm;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line = lines.readLine();
            assertNotNull(line, "the child JVM printed nothing");
            String[] parts = line.split(" ");
            assertEquals("holding", parts[0], line);
            qemuPid = Long.parseLong(parts[1]);
            shm = parts[2];
            assertTrue(ProcessHandle.of(qemuPid).isPresent());
            if (signal.equals("SIGKILL")) {
                child.destroyForcibly();
            } else {
                child.destroy();
            }
            assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the child JVM ended");
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive).orElse(false)
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive).orElse(false),
                "QEMU outlived the JVM that was ended with " + signal);
        assertFalse(Files.exists(Path.of(shm)));
        String childPrefix = "jahci-" + child.pid() + "-";
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(childPrefix)).toList(),
                    "sockets the killed JVM's QEMU left behind");
        }
    }

    /** Child JVM: opens a transport, says so, and waits to be killed. */
    public static final class HoldQemu {
        public static void main(String[] args) throws Exception {
            QemuTransport t = QemuTransport.open(QemuConfig.fromEnvironment(List.of(args[0])));
            System.out.println("holding " + t.qemuPid() + " " + t.guestRamFile());
            System.out.flush();
            Thread.sleep(60_000);
        }
    }
}
