package dev.loracurve.service;

import java.util.NoSuchElementException;

/** An unknown (or another team's) resource: NOT_FOUND with a ResourceInfo naming its type and name. */
public final class NotFoundException extends NoSuchElementException {
    private final String type;
    private final String name;

    /** {@code where} qualifies the search, e.g. " on this instance"; empty when none. */
    public NotFoundException(String type, String name, String where) {
        super("no " + type + " '" + name + "'" + where);
        this.type = type;
        this.name = name;
    }

    public String type() {
        return type;
    }

    public String name() {
        return name;
    }
}
