package io.phasegate.command.adapter.http;

import io.phasegate.command.adapter.AdapterException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The allow-list of provider base URLs (against SSRF). A base URL is accepted only when it is a plain
 * {@code http(s)://host[:port][/path]} — no user information, query, fragment, percent-encoding, backslash, empty,
 * {@code .} or {@code ..} path segments — and an allowed entry has the same scheme, host and (default-filled) port,
 * and a path that is equal to or a whole-segment prefix of its path. Hosts are compared as written (lower-cased),
 * never resolved.
 */
final class BaseUrlPolicy {

    private static final int MAX_LENGTH = 2000;
    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    private static final Pattern IPV6_LITERAL = Pattern.compile("\\[[0-9a-f:.]+]");
    private static final Pattern PATH_SEGMENT = Pattern.compile("[A-Za-z0-9._~!$&'()*+,;=:@-]+");

    /** A normalised base URL: lower-case scheme and host, explicit port, path without a trailing slash. */
    record Base(String scheme, String host, int port, String path) {

        String origin() {
            return scheme + "://" + host + ":" + port;
        }

        /** The URL of {@code suffix} (a path starting with {@code /}) under this base. */
        URI resolve(String suffix) {
            return URI.create(origin() + path + suffix);
        }

        boolean covers(Base other) {
            return scheme.equals(other.scheme) && host.equals(other.host) && port == other.port
                    && (path.isEmpty() || other.path.equals(path) || other.path.startsWith(path + "/"));
        }

        @Override
        public String toString() {
            return origin() + path;
        }
    }

    private final List<Base> allowed;

    /** @throws IllegalStateException when an entry of the allow-list is not a valid base URL */
    BaseUrlPolicy(List<String> allowedBaseUrls) {
        java.util.ArrayList<Base> entries = new java.util.ArrayList<>();
        for (int i = 0; i < allowedBaseUrls.size(); i++) {
            try {
                entries.add(parse(allowedBaseUrls.get(i)));
            } catch (IllegalArgumentException e) {
                // the entry itself is not repeated: it might carry user information
                throw new IllegalStateException("phasegate.adapters.http.allowed-base-urls: entry " + (i + 1) + " "
                        + e.getMessage());
            }
        }
        this.allowed = List.copyOf(entries);
    }

    List<Base> allowed() {
        return allowed;
    }

    /**
     * The normalised base URL of a dock's {@code base_url} setting.
     *
     * @throws AdapterException (permanent, {@code invalid_base_url} or {@code base_url_not_allowed})
     */
    Base check(String baseUrl) {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw AdapterException.permanentFailure("invalid_settings", "the dock setting base_url is required");
        }
        Base base;
        try {
            base = parse(baseUrl);
        } catch (IllegalArgumentException e) {
            throw AdapterException.permanentFailure("invalid_base_url", "the dock setting base_url " + e.getMessage());
        }
        if (allowed.stream().noneMatch(entry -> entry.covers(base))) {
            throw AdapterException.permanentFailure("base_url_not_allowed", "the base URL " + base
                    + " is not in phasegate.adapters.http.allowed-base-urls");
        }
        return base;
    }

    /** @throws IllegalArgumentException with a reason (which never repeats user information) */
    static Base parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("is empty");
        }
        String value = raw.trim();
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("is too long");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '\\' || c == '%') {
                throw new IllegalArgumentException("must be a plain URL (no spaces, control or non-ASCII characters, "
                        + "backslashes or percent-encoding)");
            }
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a valid URL");
        }
        if (!uri.isAbsolute() || uri.isOpaque()) {
            throw new IllegalArgumentException("must be an absolute http(s) URL");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("must use http or https");
        }
        String authority = uri.getRawAuthority();
        if (uri.getRawUserInfo() != null || (authority != null && authority.contains("@"))) {
            throw new IllegalArgumentException("must not carry user information");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || value.contains("?") || value.contains("#")) {
            throw new IllegalArgumentException("must not have a query or fragment");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("must name a host");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (!HOST_NAME.matcher(host).matches() && !IPV6_LITERAL.matcher(host).matches()) {
            throw new IllegalArgumentException("has an invalid host");
        }
        int port = uri.getPort();
        if (port == -1) {
            if (authority != null && authority.endsWith(":")) {
                throw new IllegalArgumentException("has an empty port");
            }
            port = scheme.equals("https") ? 443 : 80;
        } else if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("has an invalid port");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!path.isEmpty() && !path.equals("/")) {
            String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            for (String segment : trimmed.substring(1).split("/", -1)) {
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
                        || !PATH_SEGMENT.matcher(segment).matches()) {
                    throw new IllegalArgumentException("has an invalid path (empty, '.' or '..' segments are refused)");
                }
            }
            path = trimmed;
        } else {
            path = "";
        }
        return new Base(scheme, host, port, path);
    }
}
