package io.phasegate.query.audit;

import io.phasegate.events.audit.AuditRecordView;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.ObjectMapper;

/** The export formats of audit records: NDJSON (one JSON record per line) and CSV (RFC 4180, CRLF line ends). */
final class AuditExport {

    private static final String CRLF = "\r\n";

    private AuditExport() {
    }

    static String ndjsonLines(List<AuditRecordView> records, ObjectMapper json) {
        StringBuilder out = new StringBuilder();
        for (AuditRecordView record : records) {
            out.append(json.writeValueAsString(record)).append('\n');
        }
        return out.toString();
    }

    static String csvHeader() {
        return String.join(",", AuditController.CSV_COLUMNS) + CRLF;
    }

    static String csvLines(List<AuditRecordView> records) {
        StringBuilder out = new StringBuilder();
        for (AuditRecordView r : records) {
            List<String> cells = new ArrayList<>(AuditController.CSV_COLUMNS.size());
            cells.add(Long.toString(r.position()));
            cells.add(r.orgId());
            cells.add(Long.toString(r.chainSequence()));
            cells.add(r.eventId());
            cells.add(r.eventType());
            cells.add(r.aggregateType());
            cells.add(r.aggregateId());
            cells.add(r.aggregateSequence() == null ? null : r.aggregateSequence().toString());
            cells.add(r.occurredAt() == null ? null : r.occurredAt().toString());
            cells.add(r.actor());
            cells.add(r.correlationId());
            cells.add(r.causationId());
            cells.add(r.description());
            cells.add(AuditPayloads.SNAKE_CASE.writeValueAsString(r.summary()));
            cells.add(r.prevPosition() == null ? null : r.prevPosition().toString());
            cells.add(r.prevHash());
            cells.add(r.hash());
            for (int i = 0; i < cells.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(cell(cells.get(i)));
            }
            out.append(CRLF);
        }
        return out.toString();
    }

    /**
     * A CSV field: nothing for null; quoted (inner quotes doubled) when it is empty (so that it differs from null) or
     * contains a comma, a quote, a line break or leading/trailing white space.
     */
    static String cell(String value) {
        if (value == null) {
            return "";
        }
        boolean quote = value.isEmpty() || value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0
                || value.indexOf('\r') >= 0 || (!value.isEmpty()
                && (Character.isWhitespace(value.charAt(0)) || Character.isWhitespace(value.charAt(value.length() - 1))));
        return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }
}
