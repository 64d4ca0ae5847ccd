package io.phasegate.command.adapter;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/** The adapters of this service by provider name (every {@link DockAdapter} bean). */
@Component
public class DockAdapters {

    private final Map<String, DockAdapter> byProvider;

    public DockAdapters(List<DockAdapter> adapters) {
        this.byProvider = adapters.stream().collect(Collectors.toMap(DockAdapter::provider, Function.identity(),
                (a, b) -> {
                    throw new IllegalStateException("two adapters for provider " + a.provider());
                }, TreeMap::new));
    }

    public Optional<DockAdapter> find(String provider) {
        return Optional.ofNullable(provider == null ? null : byProvider.get(provider));
    }

    /** The adapter of a provider known to exist (a registered dock's). */
    public DockAdapter require(String provider) {
        return find(provider).orElseThrow(() -> AdapterException.permanentFailure("unknown_provider",
                "no adapter for provider '" + provider + "'"));
    }

    public java.util.Set<String> providers() {
        return byProvider.keySet();
    }
}
