/** Documents: the merged state of each (space, collection, docId) and snapshots of a space. */
package dev.converge.server.document;
