/** The SDK's local store on Android's own SQLite: {@link AndroidSqlDatabase}. */
package dev.converge.sdk.android;
