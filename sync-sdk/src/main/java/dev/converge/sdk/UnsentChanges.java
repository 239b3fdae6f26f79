package dev.converge.sdk;

/**
 * What {@link SyncClient#unsubscribe(String, UnsentChanges)} and {@link
 * SyncClient#clearLocalData(UnsentChanges)} do with local changes the server has not acknowledged
 * yet.
 */
public enum UnsentChanges {
  /**
   * Refuse with {@link SyncException.Code#UNSENT_CHANGES} and change nothing: the app calls {@link
   * SyncClient#syncNow()} first (or asks the user).
   */
  REFUSE,
  /**
   * Drop them: they are never sent, and are handed back to the app as {@link RejectedChange}s with
   * code {@code unsubscribed} (in {@link SyncClient#rejectedChanges()} after an unsubscribe, in the
   * list {@code clearLocalData} returns).
   */
  DISCARD
}
