package io.jahci.cli;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * jahci's version as the pom names it: Maven filters {@code io/jahci/cli/version.properties} at build time, so
 * {@code jahci --version} and every JSON document's {@code jahciVersion} say what was built.
 */
final class Version implements IVersionProvider {
    /** The pom's {@code project.version}, e.g. {@code 0.1.0-SNAPSHOT}. */
    static final String JAHCI = load();

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("io/jahci/cli/version.properties is missing: build jahci with Maven");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"jahci " + JAHCI};
    }
}
