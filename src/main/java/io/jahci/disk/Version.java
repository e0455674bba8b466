package io.jahci.disk;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * jahci's version as the pom names it ({@code 0.1.0-SNAPSHOT}), read at run time from the resource
 * {@code io/jahci/version.properties}, which the build fills in (Maven resource filtering), so the jar,
 * the CLI's {@code --version} and every JSON document's {@code jahciVersion} agree with the pom. Any
 * thread, PASSIVE.
 */
public final class Version {
    /** The classpath resource that holds {@code version=...}. */
    public static final String RESOURCE = "/io/jahci/version.properties";

    private static final String CURRENT = load();

    private Version() {}

    /** The version of the jahci classes in use, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String current() {
        return CURRENT;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath: build jahci with Maven "
                        + "(mvn -B -q compile), which writes it");
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version");
            if (v == null || v.isBlank() || v.contains("${")) {
                throw new IllegalStateException(RESOURCE + " holds no filtered version (" + v + "): build jahci with "
                        + "Maven, which fills it in from the pom");
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
