package io.jahci.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What jahci promises never to leave behind: QEMU processes, guest RAM files, sockets, threads. */
public final class Leftovers {
    private Leftovers() {}

    /** Fails naming anything this JVM started and left behind. */
    public static void assertNone() throws IOException {
        List<String> qemus = ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                .filter(line -> line.contains("qemu"))
                .toList();
        assertEquals(List.of(), qemus, "QEMU processes still running");
        List<String> threads = Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("jahci-") && !name.equals("jahci-qemu-launcher"))
                .sorted()
                .toList();
        assertEquals(List.of(), threads, "port-layer or transport threads still running");
        String prefix = "jahci-" + ProcessHandle.current().pid() + "-";
        assertEquals(List.of(), filesStartingWith(Path.of("/dev/shm"), prefix), "guest RAM files left in /dev/shm");
        assertEquals(List.of(), filesStartingWith(Path.of(System.getProperty("java.io.tmpdir")), prefix),
                "qtest sockets left behind");
    }

    private static List<Path> filesStartingWith(Path dir, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
        }
    }
}
