/**
 * Documents: the merged state of each (space, collection, docId) and snapshot pages of a space,
 * within a byte budget. Depends only on the database mapping; read by the push service and both
 * endpoints.
 */
package dev.converge.server.document;
