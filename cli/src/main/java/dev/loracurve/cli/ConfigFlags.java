package dev.loracurve.cli;

import java.util.Map;

/**
 * A command that builds core configurations names their fields by its own flags: core says
 * "optimizer.lr must be > 0", the user reads "--lr must be > 0" ({@link Main} renames).
 */
interface ConfigFlags {
    /** Core field path → flag; fields not listed keep their own name. */
    Map<String, String> flags();
}
