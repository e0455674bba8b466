package io.jahci.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link in README.md and docs/*.md resolves: the file exists and, with {@code #anchor}, a heading of
 * that file has the anchor GitHub gives it. Runs without QEMU; a broken link fails naming the file, the line and
 * the link.
 */
class DocLinksTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void everyRelativeLinkResolves() throws IOException {
        List<Path> pages = pages();
        assertTrue(pages.contains(ROOT.resolve("README.md")), "README.md not found in " + ROOT);
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            broken.addAll(MarkdownLinks.brokenLinks(ROOT, page));
        }
        assertTrue(broken.isEmpty(), () -> "broken relative links in README.md or docs/:\n" + String.join("\n", broken));
    }

    @Test
    void aBrokenFileOrAnchorIsNamed(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.md"), """
                # Title: one `thing`, two

                ## Same
                ## Same

                [ok](#title-one-thing-two) [ok2](#same-1) [web](https://example.org/x.md) [ok3](b.md#b-heading)
                [bad file](c.md) and [bad anchor](b.md#nope)
                ```
                [inside a code block](nowhere.md)
                ```
                """);
        Files.writeString(dir.resolve("b.md"), "# B heading\n");
        assertEquals(List.of("a.md:7: [bad file](c.md): no file c.md",
                        "a.md:7: [bad anchor](b.md#nope): no heading #nope in b.md"),
                MarkdownLinks.brokenLinks(dir, dir.resolve("a.md")));
    }

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(ROOT.resolve("README.md"));
        Path docs = ROOT.resolve("docs");
        if (Files.isDirectory(docs)) {
            try (Stream<Path> files = Files.list(docs)) {
                files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(pages::add);
            }
        }
        return pages;
    }
}
