package io.jahci.cli;

import io.jahci.ataport.CompletionMode;
import io.jahci.ataport.ThreadPlacement;
import io.jahci.ataport.WaitMode;
import io.jahci.bench.IoBench;
import io.jahci.hw.vfio.IrqMode;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The typed values of jahci's options and picocli's converters for them. A converter that refuses a value
 * throws {@link Invalid}: why, and an example of a good value; {@link Main} turns that into the one-line
 * usage error. Every converter runs while picocli parses, on the main thread, before any device opens.
 */
final class OptionTypes {
    private OptionTypes() {}

    /** A value an option cannot take: {@code reason} says why, {@code example} is a value it takes. */
    static final class Invalid extends TypeConversionException {
        private final String example;

        Invalid(String reason, String example) {
            super(reason);
            this.example = example;
        }

        String example() {
            return example;
        }
    }

    /** Registers the converter of every option type below on {@code cli} and all its subcommands. */
    static void register(CommandLine cli) {
        cli.registerConverter(Duration.class, OptionTypes::duration);
        cli.registerConverter(CompletionMode.class, named(CompletionMode::parse, "interrupt, hybrid or poll", "poll"));
        cli.registerConverter(IrqMode.class, named(IrqMode::parse, "msi, intx or auto", "msi"));
        cli.registerConverter(WaitMode.class, named(WaitMode::parse, "block, spin, hybrid or hybrid:MICROS", "hybrid:20"));
        cli.registerConverter(IoBench.Pattern.class, named(IoBench.Pattern::parse, "read, write, randread or randwrite",
                "randread"));
        cli.registerConverter(SmartExitStatus.class, named(v -> SmartExitStatus.valueOf(v.toUpperCase(Locale.ROOT)),
                "jahci or smartctl", "smartctl"));
        cli.registerConverter(Rate.class, Rate::parse);
        cli.registerConverter(Warmup.class, Warmup::parse);
        cli.registerConverter(Job.class, Job::parse);
        cli.registerConverter(Pins.class, Pins::parse);
        cli.registerConverter(InetSocketAddress.class, OptionTypes::listen);
        cli.registerConverter(OutputFile.class, OutputFile::parse);
        cli.registerConverter(InputFile.class, InputFile::parse);
    }

    /** A converter from a parse method that throws {@link IllegalArgumentException}: "use " + {@code choices}. */
    private static <T> ITypeConverter<T> named(Function<String, T> parse, String choices, String example) {
        return value -> {
            try {
                return parse.apply(value);
            } catch (IllegalArgumentException e) {
                throw new Invalid("use " + choices, example);
            }
        };
    }

    /**
     * A duration with its unit: {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 100us} (or {@code µs}),
     * {@code 2m}; a bare number is seconds.
     */
    static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        String[][] units = {{"ns", "1"}, {"us", "1000"}, {"µs", "1000"}, {"ms", "1000000"}, {"s", "1000000000"},
            {"m", "60000000000"}};
        double nanosPerUnit = 1e9;
        for (String[] u : units) {
            if (t.endsWith(u[0]) && !(u[0].equals("s") && (t.endsWith("ns") || t.endsWith("us") || t.endsWith("ms")
                    || t.endsWith("µs")))) {
                nanosPerUnit = Double.parseDouble(u[1]);
                t = t.substring(0, t.length() - u[0].length());
                break;
            }
        }
        double n;
        try {
            n = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            n = Double.NaN;
        }
        if (!(n >= 0) || Double.isInfinite(n) || n * nanosPerUnit > Long.MAX_VALUE) {
            throw new Invalid("not a duration: give a number with ms, s, m (or us, ns); a bare number is seconds", "500ms");
        }
        return Duration.ofNanos(Math.round(n * nanosPerUnit));
    }

    /** {@code ADDRESS:PORT} or {@code [IPv6]:PORT}, a numeric address or a host name that resolves. */
    static InetSocketAddress listen(String s) {
        int colon = s.lastIndexOf(':');
        String example = "127.0.0.1:10809";
        if (colon <= 0) {
            throw new Invalid("expected ADDRESS:PORT", example);
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new Invalid("the port must be 0..65535", example);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new Invalid("unknown address " + host + "; give a numeric address", example);
        }
    }

    /** {@code --rate}: events per second on a fixed schedule, or 0 for {@code max} (back to back). */
    record Rate(double perSecond) {
        static Rate parse(String text) {
            if (text.trim().equalsIgnoreCase("max")) {
                return new Rate(0);
            }
            try {
                double r = Double.parseDouble(text.trim());
                if (r > 0 && r <= 1e9) {
                    return new Rate(r);
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new Invalid("give events per second (up to 1e9) or 'max'", "5000");
        }
    }

    /** {@code --warmup} of bench irq: a number of events, or a {@link #duration} with its unit. */
    record Warmup(int events, Duration duration) {
        static Warmup parse(String text) {
            String t = text.trim();
            if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
                try {
                    return new Warmup(Integer.parseInt(t), null);
                } catch (NumberFormatException e) {
                    throw new Invalid("too many events", "20000");
                }
            }
            try {
                return new Warmup(-1, OptionTypes.duration(t));
            } catch (Invalid e) {
                throw new Invalid("give a number of events or a duration with its unit (2s, 500ms)", "2s");
            }
        }
    }

    /** One job of {@code bench io --jobs}: pattern, block size, queue depth, as given. */
    record Job(String text, IoBench.Pattern pattern, long blockBytes, int queueDepth) {
        static final String EXAMPLE = "randread:4k:1,read:128k:32";

        static Job parse(String text) {
            String[] f = text.split(":", -1);
            if (f.length != 3) {
                throw new Invalid("each job is RW:BS:QD", EXAMPLE);
            }
            IoBench.Pattern pattern;
            try {
                pattern = IoBench.Pattern.parse(f[0]);
            } catch (IllegalArgumentException e) {
                throw new Invalid("RW '" + f[0] + "' is not read, write, randread or randwrite", EXAMPLE);
            }
            long bs;
            try {
                bs = Sizes.parse(f[1]);
            } catch (IllegalArgumentException e) {
                throw new Invalid("BS '" + f[1] + "' is not a size such as 4k", EXAMPLE);
            }
            int qd;
            try {
                qd = Integer.parseInt(f[2]);
            } catch (NumberFormatException e) {
                qd = 0;
            }
            if (qd < 1 || qd > 32) {
                throw new Invalid("QD '" + f[2] + "' is not a queue depth 1..32", EXAMPLE);
            }
            return new Job(f[0], pattern, bs, qd);
        }
    }

    /**
     * {@code --pin ROLE=CPU[,...]}: the CPU of each role. Whether this process may use the CPUs is the
     * kernel's answer, asked when the command starts ({@link ThreadPlacement#checked}).
     */
    record Pins(String text, Map<ThreadPlacement.Role, Integer> cpus) {
        static Pins parse(String text) {
            try {
                return new Pins(text, ThreadPlacement.parsePins(text));
            } catch (IllegalArgumentException e) {
                throw new Invalid(e.getMessage(), "irq=1,dispatch=1");
            }
        }
    }

    /** {@code --out FILE}, or {@code -} for stdout ({@link #path} null): a file whose directory exists and is writable. */
    record OutputFile(Path path) {
        static OutputFile parse(String text) {
            if (text.equals("-")) {
                return new OutputFile(null);
            }
            Path file = absolute(text);
            if (Files.isDirectory(file)) {
                throw new Invalid("is a directory: name a file in it, or - for stdout", file.resolve("sectors.bin").toString());
            }
            Path dir = file.getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                throw new Invalid("directory " + dir + " does not exist: create it, or name a file in an existing "
                        + "directory, or - for stdout", "/tmp/sectors.bin");
            }
            if (!Files.isWritable(dir)) {
                throw new Invalid("directory " + dir + " is not writable: name a file in a directory you may write, "
                        + "or - for stdout", "/tmp/sectors.bin");
            }
            return new OutputFile(file);
        }
    }

    /** {@code --in FILE}, or {@code -} for stdin ({@link #path} null): a readable regular file. */
    record InputFile(Path path) {
        static InputFile parse(String text) {
            if (text.equals("-")) {
                return new InputFile(null);
            }
            Path file = absolute(text);
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new Invalid(Files.exists(file) ? "is not a readable file" : "does not exist", "/tmp/sectors.bin, or - "
                        + "for stdin");
            }
            return new InputFile(file);
        }
    }

    private static Path absolute(String text) {
        try {
            return Path.of(text).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw new Invalid("not a path: " + e.getReason(), "/tmp/sectors.bin");
        }
    }
}
