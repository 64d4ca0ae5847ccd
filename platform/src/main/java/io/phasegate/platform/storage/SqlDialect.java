package io.phasegate.platform.storage;

import java.util.Locale;

/** The two SQL databases Phasegate runs on, and the few places where they differ. */
public enum SqlDialect {
    H2("h2", "org.h2.Driver"),
    POSTGRESQL("postgresql", "org.postgresql.Driver");

    private final String vendor;
    private final String driverClassName;

    SqlDialect(String vendor, String driverClassName) {
        this.vendor = vendor;
        this.driverClassName = driverClassName;
    }

    /** Folder name of the vendor-specific migrations. */
    public String vendor() {
        return vendor;
    }

    public String driverClassName() {
        return driverClassName;
    }

    /**
     * The stored form of an unquoted identifier: H2 folds to upper case, PostgreSQL to lower case.
     * Needed where a name is passed to a JDBC API that quotes it (schemas for Flyway and Hikari).
     */
    public String storedIdentifier(String name) {
        return this == H2 ? name.toUpperCase(Locale.ROOT) : name.toLowerCase(Locale.ROOT);
    }
}
