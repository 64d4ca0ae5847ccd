/**
 * The built-in {@code local} provider: resources kept as JSON files on disk, idempotent per key across restarts, with
 * configurable latency and failure injection (see {@code docs/adapters.md}).
 */
package io.phasegate.command.adapter.local;
