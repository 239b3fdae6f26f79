package dev.converge.sdk.android;

import dev.converge.sdk.internal.store.CollectionQueryContract;
import dev.converge.sdk.storage.SqlDatabase;
import java.nio.file.Path;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.annotation.Config;
import org.robolectric.annotation.SQLiteMode;

/** Collection queries on {@code android.database.sqlite}, under Robolectric. */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = 35, manifest = Config.NONE)
@SQLiteMode(SQLiteMode.Mode.NATIVE)
public class AndroidCollectionQueryTest extends CollectionQueryContract {

  @Override
  protected SqlDatabase openDatabase(Path file) throws Exception {
    return AndroidSqlDatabase.open(file.toFile(), false);
  }
}
