/**
 * Meters shared by several layers (anti-entropy and the canary): a leaf package every layer may
 * use, so counting a divergence does not make a service depend on an endpoint.
 */
package dev.converge.server.metrics;
