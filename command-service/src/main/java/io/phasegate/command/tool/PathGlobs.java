package io.phasegate.command.tool;

import java.nio.file.FileSystems;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Glob matching of the relative, slash-separated paths that tool-call constraints restrict, on the JDK's own glob
 * engine ({@link java.nio.file.FileSystem#getPathMatcher(String) glob:} syntax): {@code *} and {@code ?} stay within
 * one path segment, {@code **} crosses segments, {@code [abc]} and {@code {a,b}} as usual. In addition a
 * {@code **}{@code /} at the start of a segment also matches no directory at all, so {@code **}{@code /*Test.java}
 * matches {@code FooTest.java} at the root and {@code src/**}{@code /X} matches {@code src/X}.
 *
 * <p>A value is {@link #normalise normalised} before it is matched: {@code .} segments are dropped; backslashes,
 * absolute paths (also {@code C:} drives and {@code ~}), {@code ..} segments, empty segments and control characters are
 * refused, so {@code tests/../src/Main.java} never matches {@code tests/**}.
 *
 * <p>Thread-safe. Compiled globs are cached by their text.
 */
final class PathGlobs {

    /** Globs kept compiled; past this, further globs are compiled for each use. */
    static final int MAX_CACHED_GLOBS = 10_000;
    /** At most this many {@code **}{@code /} segments of one glob get the "no directory" alternative. */
    private static final int MAX_OPTIONAL_SEGMENTS = 4;

    private final ConcurrentMap<String, CompiledGlob> compiled = new ConcurrentHashMap<>();

    /** A normalised path, or why the value is not an acceptable relative path (the value itself is never quoted). */
    record Normalised(String path, String problem) {
        boolean ok() {
            return problem == null;
        }
    }

    static Normalised normalise(String value) {
        if (value.isEmpty()) {
            return refused("is empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                return refused("must use '/' as separator, not '\\'");
            }
            if (Character.isISOControl(c)) {
                return refused("contains a control character");
            }
        }
        if (value.startsWith("/") || value.startsWith("~") || value.length() >= 2 && value.charAt(1) == ':'
                && Character.isLetter(value.charAt(0))) {
            return refused("must be a relative path, not an absolute one");
        }
        List<String> segments = new ArrayList<>();
        for (String segment : value.split("/", -1)) {
            if (segment.isEmpty()) {
                return refused("must not contain empty path segments ('//' or a trailing '/')");
            }
            if (segment.equals("..")) {
                return refused("must not contain '..' segments");
            }
            if (!segment.equals(".")) {
                segments.add(segment);
            }
        }
        return new Normalised(segments.isEmpty() ? "." : String.join("/", segments), null);
    }

    private static Normalised refused(String problem) {
        return new Normalised(null, problem);
    }

    /** Whether a {@link #normalise normalised} path matches the glob; an unusable glob matches nothing. */
    boolean matches(String glob, String normalisedPath) {
        CompiledGlob matcher = compile(glob);
        if (matcher.matchers().isEmpty()) {
            return false;
        }
        Path path;
        try {
            path = Path.of(normalisedPath);
        } catch (InvalidPathException e) {
            return false;
        }
        for (PathMatcher candidate : matcher.matchers()) {
            if (candidate.matches(path)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the glob can be used (a syntax error in it means it matches nothing). */
    boolean isValid(String glob) {
        return !compile(glob).matchers().isEmpty();
    }

    private CompiledGlob compile(String glob) {
        CompiledGlob cached = compiled.get(glob);
        if (cached != null) {
            return cached;
        }
        if (compiled.size() >= MAX_CACHED_GLOBS) {
            return doCompile(glob);
        }
        return compiled.computeIfAbsent(glob, PathGlobs::doCompile);
    }

    private static CompiledGlob doCompile(String glob) {
        if (glob == null || glob.isBlank() || glob.indexOf('\\') >= 0) {
            return CompiledGlob.UNUSABLE; // a backslash would be an escape in the glob, never a separator
        }
        List<PathMatcher> matchers = new ArrayList<>();
        try {
            for (String variant : variants(glob)) {
                matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + variant));
            }
        } catch (IllegalArgumentException e) { // PatternSyntaxException included
            return CompiledGlob.UNUSABLE;
        }
        return new CompiledGlob(List.copyOf(matchers));
    }

    /** The glob and every variant with some of its segment-leading {@code **}{@code /} removed. */
    static List<String> variants(String glob) {
        List<Integer> optional = new ArrayList<>();
        for (int i = glob.indexOf("**/"); i >= 0 && optional.size() < MAX_OPTIONAL_SEGMENTS;
             i = glob.indexOf("**/", i + 3)) {
            if (i == 0 || glob.charAt(i - 1) == '/') {
                optional.add(i);
            }
        }
        List<String> variants = new ArrayList<>();
        for (int mask = 0; mask < 1 << optional.size(); mask++) {
            StringBuilder variant = new StringBuilder(glob.length());
            int from = 0;
            for (int bit = 0; bit < optional.size(); bit++) {
                if ((mask & 1 << bit) != 0) {
                    int at = optional.get(bit);
                    variant.append(glob, from, at);
                    from = at + 3;
                }
            }
            variant.append(glob, from, glob.length());
            variants.add(variant.toString());
        }
        return variants;
    }

    private record CompiledGlob(List<PathMatcher> matchers) {
        static final CompiledGlob UNUSABLE = new CompiledGlob(List.of());
    }
}
