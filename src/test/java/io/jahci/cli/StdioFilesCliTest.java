package io.jahci.cli;

import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** {@code read --out -} and {@code write --in -} on QEMU's disk; read's file gets the umask's permissions. */
@Tag("qemu")
class StdioFilesCliTest {
    @TempDir
    Path dir;

    @Test
    void writeFromStdinThenReadToStdoutGivesTheSameBytes() throws Exception {
        Path image = Images.create(dir, "io.img", 4 << 20);
        byte[] data = Images.random(21, 64 * 512);
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream(data));
            CliRun w = CliRun.of("--device", "qemu:" + image, "write", "--port", "0", "--lba", "100", "--count", "64",
                    "--in", "-", "--allow-write");
            assertEquals(0, w.exit(), w.err());
        } finally {
            System.setIn(stdin);
        }
        assertArrayEquals(data, Images.read(image, 100 * 512L, data.length), "the image holds what stdin gave");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        CliRun r;
        try {
            System.setOut(new PrintStream(captured, true));
            r = CliRun.of("--device", "qemu:" + image, "read", "--port", "0", "--lba", "100", "--count", "64", "--out", "-");
        } finally {
            System.setOut(stdout);
        }
        assertEquals(0, r.exit(), r.err());
        assertArrayEquals(data, captured.toByteArray(), "stdout carries exactly the sectors");
        assertFalse(Files.exists(Path.of("-")), "no file named -");
    }

    @Test
    void stdinThatEndsEarlyWritesNothingOfTheCutChunkAndSaysSo() throws Exception {
        Path image = Images.create(dir, "short.img", 4 << 20);
        String before = Images.sha256(image);
        InputStream stdin = System.in;
        CliRun w;
        try {
            System.setIn(new ByteArrayInputStream(new byte[10 * 512 + 7]));
            w = CliRun.of("--device", "qemu:" + image, "write", "--port", "0", "--lba", "0", "--count", "64", "--in", "-",
                    "--allow-write");
        } finally {
            System.setIn(stdin);
        }
        assertEquals(2, w.exit(), w.err());
        assertTrue(w.err().contains("stdin ended 5127 bytes in; --count 64 needs 32768 bytes; nothing was written"),
                w.err());
        assertEquals(before, Images.sha256(image));
    }

    @Test
    void theOutputFileHasTheUmasksPermissions() throws Exception {
        Path image = Images.create(dir, "p.img", 4 << 20);
        Path out = dir.resolve("out.bin");
        CliRun r = CliRun.of("--device", "qemu:" + image, "read", "--port", "0", "--lba", "0", "--count", "8", "--out",
                out.toString());
        assertEquals(0, r.exit(), r.err());
        Path plain = Files.createFile(dir.resolve("plain")); // 0666 less this process's umask
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out));
        assertEquals(8 * 512, Files.size(out));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.filter(f -> f.toString().endsWith(".part")).count(), "no partial file left");
        }
        assertTrue(Arrays.equals(Images.read(image, 0, 4096), Files.readAllBytes(out)));
    }
}
