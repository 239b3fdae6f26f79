package dev.converge.sdk.internal.store;

import dev.converge.sdk.storage.JdbcSqlDatabase;
import dev.converge.sdk.storage.SqlDatabase;
import java.nio.file.Path;

/** Collection queries on sqlite-jdbc. */
public class JdbcCollectionQueryTest extends CollectionQueryContract {

  @Override
  protected SqlDatabase openDatabase(Path file) throws Exception {
    return JdbcSqlDatabase.open(file, false);
  }
}
