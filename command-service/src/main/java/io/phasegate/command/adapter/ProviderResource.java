package io.phasegate.command.adapter;

import java.util.Map;

/** A resource as the provider reports it: its id there and non-secret attributes (address, status, ...). */
public record ProviderResource(String providerResourceId, Map<String, String> attributes) {
    public ProviderResource {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
