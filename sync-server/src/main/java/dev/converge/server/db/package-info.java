/** Database start-up: reachability check and Flyway migrations. */
package dev.converge.server.db;
