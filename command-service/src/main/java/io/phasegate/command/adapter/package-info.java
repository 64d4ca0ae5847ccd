/**
 * The dock adapter SPI (SPEC §2.7): what the command side needs from a provider — validate credentials, provision,
 * update, deprovision and describe resources — and the registry that finds an adapter by its provider name. Adapters
 * are Spring beans implementing {@link io.phasegate.command.adapter.DockAdapter}; the built-in ones are {@code local}
 * and {@code http}.
 */
package io.phasegate.command.adapter;
