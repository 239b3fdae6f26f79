package dev.converge.sdk.android;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.sdk.internal.store.StoreContract;
import dev.converge.sdk.storage.SqlDatabase;
import dev.converge.sdk.storage.SqlRows;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.annotation.Config;
import org.robolectric.annotation.SQLiteMode;

/**
 * The store contract on {@code android.database.sqlite}, run by Robolectric on the JVM with the
 * real Android SQLite code and a native SQLite (no emulator).
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = 35, manifest = Config.NONE)
@SQLiteMode(SQLiteMode.Mode.NATIVE)
public class AndroidStoreContractTest extends StoreContract {

  @Override
  protected SqlDatabase openDatabase(Path file) throws Exception {
    return AndroidSqlDatabase.open(file.toFile(), false);
  }

  @Test
  public void aSecondOpenOfTheSameFile_isRefused_untilTheFirstCloses() throws Exception {
    Path file = file("one.db");
    try (SqlDatabase first = openDatabase(file)) {
      assertThatThrownBy(() -> openDatabase(file))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("already open");
      assertThat(first.userVersion()).isZero();
    }
    openDatabase(file).close();
  }

  @Test
  public void opensInWalMode_withTheAskedDurability() throws Exception {
    for (boolean full : new boolean[] {true, false}) {
      try (SqlDatabase db = AndroidSqlDatabase.open(file("d" + full + ".db").toFile(), full)) {
        try (SqlRows rows = db.query("PRAGMA synchronous")) {
          assertThat(rows.next()).isTrue();
          // 2 = FULL, 1 = NORMAL
          assertThat(rows.getLong(1)).isEqualTo(full ? 2 : 1);
        }
        try (SqlRows rows = db.query("PRAGMA journal_mode")) {
          assertThat(rows.next()).isTrue();
          assertThat(rows.getString(1)).isEqualToIgnoringCase("wal");
        }
      }
    }
  }
}
