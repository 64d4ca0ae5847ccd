/**
 * The built-in {@code http} adapter: a provider's REST API behind a base-URL allow-list, with signed requests,
 * time-outs and validated responses (see {@code docs/adapters.md} for the contract a provider implements).
 */
package io.phasegate.command.adapter.http;
