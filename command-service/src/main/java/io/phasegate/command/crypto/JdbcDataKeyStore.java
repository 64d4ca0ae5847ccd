package io.phasegate.command.crypto;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * {@link DataKeyStore} on {@code dock_data_keys} in the service schema. It uses the service's data source through
 * {@link JdbcTemplate}, so inside a command handler its writes join the transaction that appends the events: a data
 * key is created with the dock's first event and destroyed with {@code DockDeletedEvent}, or not at all.
 */
public class JdbcDataKeyStore implements DataKeyStore {

    private static final String COLUMNS =
            "data_key_id, dock_id, org_id, wrapped_key, master_key_version, created_at, destroyed_at";

    private static final RowMapper<StoredDataKey> ROW = JdbcDataKeyStore::row;

    private final JdbcTemplate jdbc;

    public JdbcDataKeyStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void insert(StoredDataKey key) {
        try {
            jdbc.update("INSERT INTO dock_data_keys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, NULL)",
                    key.dataKeyId(), key.dockId(), key.orgId(), key.wrappedKey(), key.masterKeyVersion(),
                    Timestamp.from(key.createdAt()));
        } catch (DuplicateKeyException e) {
            throw new DataKeyConflictException(key.dockId());
        }
    }

    @Override
    public Optional<StoredDataKey> find(String dataKeyId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM dock_data_keys WHERE data_key_id = ?", ROW, dataKeyId)
                .stream().findFirst();
    }

    @Override
    public boolean destroy(String dataKeyId, Instant at) {
        return jdbc.update("UPDATE dock_data_keys SET wrapped_key = NULL, destroyed_at = ? "
                + "WHERE data_key_id = ? AND destroyed_at IS NULL", Timestamp.from(at), dataKeyId) == 1;
    }

    @Override
    public List<StoredDataKey> all() {
        return jdbc.query("SELECT " + COLUMNS + " FROM dock_data_keys ORDER BY created_at, data_key_id", ROW);
    }

    @Override
    public boolean rewrap(String dataKeyId, int expectedVersion, String wrappedKey, int masterKeyVersion) {
        return jdbc.update("UPDATE dock_data_keys SET wrapped_key = ?, master_key_version = ? "
                        + "WHERE data_key_id = ? AND master_key_version = ? AND destroyed_at IS NULL",
                wrappedKey, masterKeyVersion, dataKeyId, expectedVersion) == 1;
    }

    private static StoredDataKey row(ResultSet rs, int rowNum) throws SQLException {
        Timestamp destroyed = rs.getTimestamp("destroyed_at");
        return new StoredDataKey(rs.getString("data_key_id"), rs.getString("dock_id"), rs.getString("org_id"),
                rs.getString("wrapped_key"), rs.getInt("master_key_version"),
                rs.getTimestamp("created_at").toInstant(), destroyed == null ? null : destroyed.toInstant());
    }
}
