/** The single error shape {@code {code, message}} of the REST API. */
package dev.converge.server.error;
