package io.jahci.examples;

import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * docs/library.md's example is {@link LibraryExample}, verbatim, and it runs: against QEMU's model it
 * identifies the disk, writes, flushes and reads back, and the image holds what it wrote.
 */
class LibraryExampleQemuTest {
    private static final Path SOURCE = Path.of("src/test/java/io/jahci/examples/LibraryExample.java");

    @Test
    void theDocShowsTheExampleVerbatim() throws Exception {
        String doc = Files.readString(Path.of("docs/library.md"));
        String source = Files.readString(SOURCE);
        assertTrue(doc.contains("```java\n" + source + "```\n"),
                "docs/library.md must hold " + SOURCE + " verbatim in a ```java block; copy the file into it again");
    }

    @Test
    @Tag("qemu")
    void theExampleRunsAgainstQemu(@TempDir Path dir) throws Exception {
        Path image = Images.create(dir, "disk.img", 64L << 20);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LibraryExample.main(new String[] {image.toString()});
        } finally {
            System.setOut(stdout);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("QEMU HARDDISK, serial QM"), out);
        assertTrue(out.contains(": 131072 sectors of 512 bytes, queue depth 32\n"), out);
        assertTrue(out.endsWith("read back the 8 sectors written\n"), out);
        assertTrue(Files.readString(Path.of("docs/library.md")).contains("It prints, for a 64 MiB image:\n\n```\n" + out
                + "```\n"), "docs/library.md shows what the example printed:\n" + out);
        byte[] written = Images.read(image, 2048 * 512L, 8 * 512);
        for (int i = 0; i < written.length; i++) {
            assertEquals((byte) (i * 31), written[i], "byte " + i + " of the image");
        }
    }
}
