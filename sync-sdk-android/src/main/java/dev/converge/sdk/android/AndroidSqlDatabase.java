package dev.converge.sdk.android;

import android.database.Cursor;
import android.database.sqlite.SQLiteCursor;
import android.database.sqlite.SQLiteDatabase;
import android.database.sqlite.SQLiteProgram;
import android.database.sqlite.SQLiteStatement;
import dev.converge.sdk.storage.SqlDatabase;
import dev.converge.sdk.storage.SqlRows;
import java.io.File;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * The {@link SqlDatabase} of Android: the platform's own SQLite through {@code
 * android.database.sqlite} (sqlite-jdbc ships no Android natives). The SDK's store runs the same
 * queries, rules and migrations on it as on the JVM.
 *
 * <p>Open it through {@link #opener(File)} in the client's builder:
 *
 * <pre>{@code
 * SyncClient client = SyncClient.builder()
 *     .database(AndroidSqlDatabase.opener(context.getDatabasePath("converge.db")))
 *     ...
 *     .build();
 * }</pre>
 *
 * <p><b>Settings.</b> Write-ahead logging ({@link SQLiteDatabase#ENABLE_WRITE_AHEAD_LOGGING}),
 * foreign keys on, {@code synchronous} FULL or NORMAL as asked. Transactions are {@code BEGIN
 * IMMEDIATE} ({@link SQLiteDatabase#beginTransactionNonExclusive()}).
 *
 * <p><b>One client per file.</b> On the JVM the file is locked exclusively; Android's connection
 * pool cannot hold that lock, so this class refuses a second open of the same file in the process
 * instead (two clients on one file would share a replica id). Another process opening the file is
 * not detected: keep the client in one process.
 *
 * <p><b>Limits.</b> A row read through a cursor must fit Android's cursor window (about 2 MB): a
 * document state larger than that cannot be read on Android.
 *
 * <p>Not thread-safe (see {@link SqlDatabase}); Android binds a transaction to its thread, and the
 * store runs each transaction on one thread.
 */
public final class AndroidSqlDatabase implements SqlDatabase {

  /** The canonical paths open in this process. */
  private static final Set<String> OPEN = new HashSet<>();

  private final SQLiteDatabase db;
  private final String key;
  private final Path file;

  private AndroidSqlDatabase(SQLiteDatabase db, String key, File file) {
    this.db = db;
    this.key = key;
    this.file = file.toPath();
  }

  /**
   * Returns an opener of the database at {@code file} for {@code SyncClient.Builder.database}: the
   * builder passes its {@code durableCommits} setting.
   */
  public static SqlDatabase.Opener opener(File file) {
    return synchronousFull -> open(file, synchronousFull);
  }

  /**
   * Opens (creating it and its directory if needed) the database at {@code file}.
   *
   * @param synchronousFull whether every commit waits for the disk ({@code synchronous=FULL},
   *     survives power loss) rather than only for the WAL write ({@code NORMAL}, survives the app
   *     being killed)
   * @throws SQLException if the file cannot be opened or is already open in this process
   */
  public static AndroidSqlDatabase open(File file, boolean synchronousFull) throws SQLException {
    File absolute = file.getAbsoluteFile();
    String key;
    try {
      key = absolute.getCanonicalPath();
    } catch (java.io.IOException e) {
      throw new SQLException("cannot resolve " + absolute + ": " + e, e);
    }
    synchronized (OPEN) {
      if (!OPEN.add(key)) {
        throw new SQLException(absolute + " is already open in this process (SQLITE_BUSY)");
      }
    }
    SQLiteDatabase db = null;
    try {
      File parent = absolute.getParentFile();
      if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
        throw new SQLException("cannot create the directory " + parent);
      }
      db =
          SQLiteDatabase.openDatabase(
              absolute.getPath(),
              null,
              SQLiteDatabase.CREATE_IF_NECESSARY | SQLiteDatabase.ENABLE_WRITE_AHEAD_LOGGING);
      db.setForeignKeyConstraintsEnabled(true);
      // Last: changing the configuration above reopens the primary connection with the platform's
      // default synchronous mode. A pragma that sets returns no row, so execSQL takes it.
      db.execSQL("PRAGMA synchronous = " + (synchronousFull ? "FULL" : "NORMAL"));
      String mode = pragma(db, "journal_mode");
      if (!"wal".equalsIgnoreCase(mode)) {
        throw new SQLException("could not switch the journal to WAL mode (it is " + mode + ")");
      }
      return new AndroidSqlDatabase(db, key, absolute);
    } catch (android.database.SQLException e) {
      abandon(db, key);
      throw wrap(e);
    } catch (SQLException | RuntimeException e) {
      abandon(db, key);
      throw e;
    }
  }

  /** Undoes a failed open. */
  private static void abandon(SQLiteDatabase db, String key) {
    if (db != null) {
      db.close();
    }
    synchronized (OPEN) {
      OPEN.remove(key);
    }
  }

  private static String pragma(SQLiteDatabase db, String name) {
    try (Cursor c = db.rawQuery("PRAGMA " + name, null)) {
      return c.moveToFirst() ? c.getString(0) : null;
    }
  }

  @Override
  public int update(String sql, Object... args) throws SQLException {
    try (SQLiteStatement st = db.compileStatement(sql)) {
      bind(st, args);
      return st.executeUpdateDelete();
    } catch (android.database.SQLException | IllegalStateException e) {
      throw wrap(e);
    }
  }

  @Override
  public long insert(String sql, Object... args) throws SQLException {
    try (SQLiteStatement st = db.compileStatement(sql)) {
      bind(st, args);
      return st.executeInsert();
    } catch (android.database.SQLException | IllegalStateException e) {
      throw wrap(e);
    }
  }

  @Override
  public SqlRows query(String sql, Object... args) throws SQLException {
    // rawQuery binds every argument as text; this factory binds each with its own type instead.
    SQLiteDatabase.CursorFactory typed =
        (database, driver, editTable, query) -> {
          bind(query, args);
          return new SQLiteCursor(driver, editTable, query);
        };
    try {
      return new Rows(db.rawQueryWithFactory(typed, sql, null, null));
    } catch (android.database.SQLException | IllegalStateException e) {
      throw wrap(e);
    }
  }

  @Override
  public void begin() throws SQLException {
    try {
      db.beginTransactionNonExclusive();
    } catch (android.database.SQLException | IllegalStateException e) {
      throw wrap(e);
    }
  }

  @Override
  public void commit() throws SQLException {
    try {
      db.setTransactionSuccessful();
      db.endTransaction();
    } catch (android.database.SQLException | IllegalStateException e) {
      throw wrap(e);
    }
  }

  @Override
  public void rollback() throws SQLException {
    try {
      if (db.inTransaction()) {
        db.endTransaction();
      }
    } catch (android.database.SQLException | IllegalStateException e) {
      throw wrap(e);
    }
  }

  @Override
  public int userVersion() throws SQLException {
    try {
      return db.getVersion();
    } catch (android.database.SQLException | IllegalStateException e) {
      throw wrap(e);
    }
  }

  @Override
  public void setUserVersion(int version) throws SQLException {
    try {
      db.setVersion(version);
    } catch (android.database.SQLException | IllegalStateException e) {
      throw wrap(e);
    }
  }

  @Override
  public Path file() {
    return file;
  }

  @Override
  public void close() {
    try {
      if (db.isOpen()) {
        db.close();
      }
    } finally {
      synchronized (OPEN) {
        OPEN.remove(key);
      }
    }
  }

  private static void bind(SQLiteProgram program, Object[] args) {
    for (int i = 0; i < args.length; i++) {
      Object arg = args[i];
      int index = i + 1;
      if (arg == null) {
        program.bindNull(index);
      } else if (arg instanceof Long value) {
        program.bindLong(index, value);
      } else if (arg instanceof Integer value) {
        program.bindLong(index, value);
      } else if (arg instanceof String value) {
        program.bindString(index, value);
      } else if (arg instanceof byte[] value) {
        program.bindBlob(index, value);
      } else {
        throw new IllegalArgumentException(
            "cannot bind a " + arg.getClass().getName() + " (Long, Integer, String or byte[])");
      }
    }
  }

  private static SQLException wrap(RuntimeException e) {
    return new SQLException(e.getMessage(), e);
  }

  /** A cursor read forward; columns from 1 as in {@link SqlRows}, Android's from 0. */
  private record Rows(Cursor cursor) implements SqlRows {

    @Override
    public boolean next() throws SQLException {
      try {
        return cursor.moveToNext();
      } catch (android.database.SQLException | IllegalStateException e) {
        throw wrap(e);
      }
    }

    @Override
    public long getLong(int column) {
      return cursor.getLong(column - 1);
    }

    @Override
    public String getString(int column) {
      return cursor.getString(column - 1);
    }

    @Override
    public byte[] getBytes(int column) {
      return cursor.getBlob(column - 1);
    }

    @Override
    public boolean isNull(int column) {
      return cursor.isNull(column - 1);
    }

    @Override
    public void close() {
      cursor.close();
    }
  }
}
