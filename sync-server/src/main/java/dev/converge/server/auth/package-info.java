/**
 * Authentication: RS256 bearer tokens, the development key pair and the command that mints
 * development tokens.
 */
package dev.converge.server.auth;
