package io.jahci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jahci.hw.pci.FakeSysfs;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * native/install and the native/jahci launcher it installs, run as a user runs them, into a temporary prefix. The
 * jar installed is a thin one whose manifest names this build's classes and dependencies (Main-Class and
 * Class-Path): what {@code mvn package} shades into target/jahci.jar, without needing the package phase.
 */
class LauncherTest {
    private static final Path REPO = Path.of("").toAbsolutePath();

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private Run run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        pb.environment().put("PATH", java.getParent() + File.pathSeparator + System.getenv("PATH"));
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " did not finish in 120 s");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** A jar that runs {@link Main} from this build's class path. */
    private Path thinJar() throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            classPath.add(Path.of(entry).toUri().toString());
        }
        main.put(Attributes.Name.CLASS_PATH, String.join(" ", classPath));
        Path jar = dir.resolve("build/jahci.jar");
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(file, manifest)) {
            return jar;
        }
    }

    @Test
    void installPutsAWorkingJahciCommandInPrefixBin() throws Exception {
        Path prefix = dir.resolve("prefix");
        Run install = run(Map.of("JAHCI_JAR", thinJar().toString()), REPO.resolve("native/install").toString(),
                prefix.toString());
        assertEquals(0, install.exit(), install.err());
        assertTrue(install.out().contains("installed " + prefix.resolve("bin/jahci")), install.out());
        assertTrue(Files.isExecutable(prefix.resolve("bin/jahci")));
        String jahci = prefix.resolve("bin/jahci").toString();

        Run version = run(Map.of(), jahci, "--version");
        assertEquals(0, version.exit(), version.err());
        assertEquals("jahci " + JsonDocumentsTest.pomVersion() + "\n", version.out(), "the pom's version");

        Run help = run(Map.of(), jahci, "--help");
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.out().startsWith("Usage: jahci "), help.out());

        Path sysroot = dir.resolve("sys root");
        new FakeSysfs(sysroot);
        Run list = run(Map.of(), jahci, "--sysroot", sysroot.toString(), "list");
        assertEquals(0, list.exit(), "an argument with a space arrives whole: " + list.err());
        assertTrue(list.out().contains("no AHCI controllers"), list.out());

        Run usage = run(Map.of(), jahci, "read", "--port", "x");
        assertEquals(2, usage.exit(), "the launcher passes jahci's exit status on: " + usage.err());
    }

    @Test
    void theLauncherWithoutAnInstalledJarSaysHowToBuildAndInstall() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("alone/bin"));
        Files.copy(REPO.resolve("native/jahci"), bin.resolve("jahci"));
        bin.resolve("jahci").toFile().setExecutable(true);
        Run r = run(Map.of(), bin.resolve("jahci").toString(), "--version");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("mvn -B -q package -DskipTests") && r.err().contains("sudo native/install"), r.err());
    }

    @Test
    void installWithoutABuiltJarSaysHowToBuildIt() throws Exception {
        Run r = run(Map.of("JAHCI_JAR", dir.resolve("none.jar").toString()), REPO.resolve("native/install").toString(),
                dir.resolve("prefix").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("mvn -B -q package -DskipTests"), r.err());
        assertFalse(Files.exists(dir.resolve("prefix/bin/jahci")), "nothing installed");
    }
}
