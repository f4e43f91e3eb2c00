package io.daxguard.agent.lifetime;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The ledger as its SQLite file holds it, read with plain SQL on a read-only connection of the test's own (the
 * agent may be running, dead, or stopped): what survives a crash is what is in the file, not in the agent's memory.
 */
final class LedgerFile {
    private LedgerFile() {
    }

    /** One row of {@code damage} with its owners. */
    record Row(long id, String device, long offset, long length, String state, long timesSeen, long inheritedFrom,
               List<OwnerRow> owners) {
        /** The UUID of the filesystem the record was resolved in; empty when no filesystem held the range. */
        String uuid() {
            return owners.isEmpty() ? "" : owners.get(0).uuid();
        }

        String key() {
            return device + "@" + offset + " in " + uuid() + (inheritedFrom != 0 ? " inherited" : "");
        }
    }

    /** One row of {@code damage_owner}. */
    record OwnerRow(String uuid, String mountPoint, Owner owner, String state) {
    }

    static List<Row> read(Path stateDirectory) throws SQLException {
        String url = "jdbc:sqlite:file:" + stateDirectory.resolve("ledger.db") + "?mode=ro";
        List<Row> rows = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            try (ResultSet damage = statement.executeQuery("SELECT id, device_name, dev_offset, length, state, "
                    + "seen_count, inherited_from FROM damage ORDER BY id")) {
                while (damage.next()) {
                    rows.add(new Row(damage.getLong(1), damage.getString(2), damage.getLong(3), damage.getLong(4),
                            damage.getString(5), damage.getLong(6), damage.getLong(7), new ArrayList<>()));
                }
            }
            try (ResultSet owners = statement.executeQuery("SELECT damage_id, fs_uuid, mount_point, kind, inode, "
                    + "structure, state FROM damage_owner ORDER BY damage_id, owner_index")) {
                while (owners.next()) {
                    long id = owners.getLong(1);
                    String kind = owners.getString(4);
                    Owner owner = switch (kind) {
                        case "FILE" -> Owner.file(owners.getLong(5));
                        case "METADATA" -> Owner.metadata(owners.getString(6));
                        case "FREE" -> Owner.free();
                        default -> new Owner(kind, 0, String.valueOf(owners.getString(6)));
                    };
                    rows.stream().filter(row -> row.id() == id).findFirst().orElseThrow().owners()
                            .add(new OwnerRow(owners.getString(2), owners.getString(3), owner, owners.getString(7)));
                }
            }
        }
        return rows;
    }
}
