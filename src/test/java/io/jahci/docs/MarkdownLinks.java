package io.jahci.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Relative links and heading anchors of Markdown files, as GitHub renders them. */
final class MarkdownLinks {

    /** {@code [text](target)}; the target has no spaces (a title after a space is not used here). */
    private static final Pattern LINK = Pattern.compile("\\[([^\\]]*)\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    private MarkdownLinks() {
    }

    /** Every relative link of {@code page} that does not resolve, as "file:line: [text](target): why". */
    static List<String> brokenLinks(Path root, Path page) throws IOException {
        List<String> broken = new ArrayList<>();
        List<String> lines = Files.readAllLines(page);
        boolean inCode = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.stripLeading().startsWith("```")) {
                inCode = !inCode;
                continue;
            }
            if (inCode) {
                continue;
            }
            Matcher m = LINK.matcher(withoutInlineCode(line));
            while (m.find()) {
                String why = problem(page, m.group(2));
                if (why != null) {
                    broken.add(root.relativize(page) + ":" + (i + 1) + ": " + m.group() + ": " + why);
                }
            }
        }
        return broken;
    }

    private static String problem(Path page, String target) throws IOException {
        if (SCHEME.matcher(target).find()) {
            return null;
        }
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
            return "no file " + file;
        }
        if (hash < 0) {
            return null;
        }
        String anchor = target.substring(hash + 1);
        if (Files.isDirectory(resolved) || !anchors(resolved).contains(anchor)) {
            return "no heading #" + anchor + " in " + (file.isEmpty() ? page.getFileName() : file);
        }
        return null;
    }

    /** The anchors GitHub gives the headings of a file: slug, and slug-1, slug-2, ... for repeats. */
    static Set<String> anchors(Path file) throws IOException {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean inCode = false;
        for (String line : Files.readAllLines(file)) {
            if (line.stripLeading().startsWith("```")) {
                inCode = !inCode;
                continue;
            }
            Matcher m = HEADING.matcher(line);
            if (inCode || !m.matches()) {
                continue;
            }
            String slug = slug(m.group(1));
            int n = seen.merge(slug, 1, Integer::sum);
            anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
        }
        return anchors;
    }

    /** GitHub's heading slug: lower case, markup and punctuation dropped (but - and _), spaces to hyphens. */
    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").toLowerCase(Locale.ROOT);
        StringBuilder slug = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (c == ' ') {
                slug.append('-');
            } else if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                slug.appendCodePoint(c);
            }
        });
        return slug.toString();
    }

    private static String withoutInlineCode(String line) {
        return line.replaceAll("`[^`]*`", "``");
    }
}
