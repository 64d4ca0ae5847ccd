package io.phasegate.command.org;

import java.util.regex.Pattern;

/** The shapes of organisation ids, role names and member subjects, shared by the aggregate and the HTTP layer. */
public final class OrganisationNames {

    /** Organisation ids and role names: lower-case slugs (letters, digits, inner hyphens), at most 63 characters. */
    public static final Pattern SLUG = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
    /** A member's subject (the {@code sub} of its tokens): 1 to 255 visible ASCII characters. */
    public static final Pattern SUBJECT = Pattern.compile("[\\x21-\\x7e]{1,255}");
    public static final int MAX_NAME_LENGTH = 200;
    public static final int MAX_ROLES_PER_MEMBER = 20;

    private OrganisationNames() {
    }

    public static boolean isSlug(String value) {
        return value != null && SLUG.matcher(value).matches();
    }

    public static boolean isSubject(String value) {
        return value != null && SUBJECT.matcher(value).matches();
    }
}
