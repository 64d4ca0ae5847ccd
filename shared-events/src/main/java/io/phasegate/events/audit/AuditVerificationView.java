package io.phasegate.events.audit;

/**
 * The outcome of verifying an organisation's audit chain.
 *
 * @param verified            whether every record is intact, linked to its predecessor, and none is missing
 * @param records             the number of records verified (when verified)
 * @param lastPosition        the highest position verified, or {@code null} for an empty trail (when verified)
 * @param firstBrokenPosition the position of the first record (in position order) found broken, or of the first
 *                            missing record (when not verified)
 * @param reason              why it is broken: {@value #HASH_MISMATCH}, {@value #CHAIN_BROKEN},
 *                            {@value #RECORD_MISSING}, {@value #CHAIN_TRUNCATED} or {@value #HEAD_MISMATCH}
 * @param recordsChecked      how many records verified before the break (when not verified)
 * @param detail              a human-readable explanation (when not verified)
 */
public record AuditVerificationView(boolean verified, Long records, Long lastPosition, Long firstBrokenPosition,
                                    String reason, Long recordsChecked, String detail) {

    /** A record's content does not match its hash: some field (hash and prev_hash included) was changed. */
    public static final String HASH_MISMATCH = "hash_mismatch";
    /** A record's prev_hash is not its predecessor's hash: a record was changed and re-hashed, or replaced. */
    public static final String CHAIN_BROKEN = "chain_broken";
    /** A record's predecessor is not there: it was deleted (first_broken_position names it). */
    public static final String RECORD_MISSING = "record_missing";
    /** The newest record(s) of the chain were deleted: the chain head names a later record. */
    public static final String CHAIN_TRUNCATED = "chain_truncated";
    /** The chain head does not match the last record (the head or the last record was altered). */
    public static final String HEAD_MISMATCH = "head_mismatch";

    public static AuditVerificationView ok(long records, Long lastPosition) {
        return new AuditVerificationView(true, records, lastPosition, null, null, null, null);
    }

    public static AuditVerificationView broken(long firstBrokenPosition, String reason, long recordsChecked,
                                               String detail) {
        return new AuditVerificationView(false, null, null, firstBrokenPosition, reason, recordsChecked, detail);
    }
}
