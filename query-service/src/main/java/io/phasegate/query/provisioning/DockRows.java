package io.phasegate.query.provisioning;

import io.phasegate.events.dock.DockDecryptionView;
import io.phasegate.events.dock.DockRotationView;
import io.phasegate.events.dock.DockView;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/** Reads and writes the {@code docks} table: a row is a {@link DockState}; a view is {@link #view(DockState)}. */
@Component
class DockRows {

    private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    DockRows(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    Optional<DockState> find(String dockId) {
        return jdbc.query("SELECT * FROM docks WHERE dock_id = ?", this::state, dockId).stream().findFirst();
    }

    List<DockState> select(String sql, Object... args) {
        return jdbc.query(sql, this::state, args);
    }

    void insert(DockState s) {
        jdbc.update("""
                        INSERT INTO docks (dock_id, org_id, name, provider, settings, status, credential_version,
                            rotation_status, rotation_id, candidate_version, previous_version, previous_valid_until,
                            last_failure_rotation_id, last_failure_version, last_failure_reason, last_failure_at,
                            registered_by, registered_at, registered_position, deleted_by, deleted_at,
                            last_decryption_version, last_decryption_actor, last_decryption_purpose,
                            last_decryption_operation_id, last_decrypted_at, decryption_count, updated_at, position)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                s.dockId(), s.orgId(), s.name(), s.provider(), json.writeValueAsString(s.settings()), s.status(),
                s.credentialVersion(), s.rotationStatus(), s.rotationId(), s.candidateVersion(), s.previousVersion(),
                ts(s.previousValidUntil()), s.lastFailureRotationId(), s.lastFailureVersion(), s.lastFailureReason(),
                ts(s.lastFailureAt()), s.registeredBy(), ts(s.registeredAt()), s.registeredPosition(), s.deletedBy(),
                ts(s.deletedAt()), s.lastDecryptionVersion(), s.lastDecryptionActor(), s.lastDecryptionPurpose(),
                s.lastDecryptionOperationId(), ts(s.lastDecryptedAt()), s.decryptionCount(), ts(s.updatedAt()),
                s.position());
    }

    /** Writes the fields that change after registration, unless the row already holds a later event. */
    void update(DockState s) {
        jdbc.update("""
                        UPDATE docks SET status = ?, credential_version = ?, rotation_status = ?, rotation_id = ?,
                            candidate_version = ?, previous_version = ?, previous_valid_until = ?,
                            last_failure_rotation_id = ?, last_failure_version = ?, last_failure_reason = ?,
                            last_failure_at = ?, deleted_by = ?, deleted_at = ?, last_decryption_version = ?,
                            last_decryption_actor = ?, last_decryption_purpose = ?, last_decryption_operation_id = ?,
                            last_decrypted_at = ?, decryption_count = ?, updated_at = ?, position = ?
                        WHERE dock_id = ? AND position < ?""",
                s.status(), s.credentialVersion(), s.rotationStatus(), s.rotationId(), s.candidateVersion(),
                s.previousVersion(), ts(s.previousValidUntil()), s.lastFailureRotationId(), s.lastFailureVersion(),
                s.lastFailureReason(), ts(s.lastFailureAt()), s.deletedBy(), ts(s.deletedAt()),
                s.lastDecryptionVersion(), s.lastDecryptionActor(), s.lastDecryptionPurpose(),
                s.lastDecryptionOperationId(), ts(s.lastDecryptedAt()), s.decryptionCount(), ts(s.updatedAt()),
                s.position(), s.dockId(), s.position());
    }

    static DockView view(DockState s) {
        DockRotationView.RotationFailureView failure = s.lastFailureAt() == null && s.lastFailureReason() == null
                ? null : new DockRotationView.RotationFailureView(s.lastFailureRotationId(), s.lastFailureVersion(),
                s.lastFailureReason(), s.lastFailureAt());
        DockRotationView rotation = new DockRotationView(s.rotationStatus(), s.rotationId(), s.candidateVersion(),
                s.previousVersion(), s.previousValidUntil(), failure);
        DockDecryptionView decryption = s.lastDecryptedAt() == null ? null : new DockDecryptionView(
                s.lastDecryptionVersion() == null ? 0 : s.lastDecryptionVersion(), s.lastDecryptionActor(),
                s.lastDecryptionPurpose(), s.lastDecryptionOperationId(), s.lastDecryptedAt());
        return new DockView(s.dockId(), s.orgId(), s.name(), s.provider(), s.settings(), s.status(),
                s.credentialVersion(), rotation, s.registeredBy(), s.registeredAt(), s.deletedBy(), s.deletedAt(),
                decryption, s.decryptionCount(), s.updatedAt(), s.position());
    }

    private DockState state(ResultSet rs, int row) throws SQLException {
        return new DockState(rs.getString("dock_id"), rs.getString("org_id"), rs.getString("name"),
                rs.getString("provider"), json.readValue(rs.getString("settings"), STRINGS),
                rs.getString("registered_by"), instant(rs.getTimestamp("registered_at")),
                rs.getLong("registered_position"), rs.getString("status"), rs.getInt("credential_version"),
                rs.getString("rotation_status"), rs.getString("rotation_id"), integer(rs, "candidate_version"),
                integer(rs, "previous_version"), instant(rs.getTimestamp("previous_valid_until")),
                rs.getString("last_failure_rotation_id"), integer(rs, "last_failure_version"),
                rs.getString("last_failure_reason"), instant(rs.getTimestamp("last_failure_at")),
                rs.getString("deleted_by"), instant(rs.getTimestamp("deleted_at")),
                integer(rs, "last_decryption_version"), rs.getString("last_decryption_actor"),
                rs.getString("last_decryption_purpose"), rs.getString("last_decryption_operation_id"),
                instant(rs.getTimestamp("last_decrypted_at")), rs.getLong("decryption_count"),
                instant(rs.getTimestamp("updated_at")), rs.getLong("position"));
    }

    static Integer integer(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
