package io.jahci.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The version the library reports at run time is the pom's, not a copy typed into the code. */
class VersionTest {
    @Test
    void currentIsThePomsVersion() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>jahci</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        if (!m.find()) {
            throw new AssertionError("pom.xml names no version after <artifactId>jahci</artifactId>");
        }
        assertEquals(m.group(1), Version.current());
    }
}
