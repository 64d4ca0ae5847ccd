package io.phasegate.events.resource;

import java.util.List;

/** Query result: one page of provisioning operations and the cursor of the next page ({@code null}: last page). */
public record ProvisioningOperationPage(List<ProvisioningOperationView> items, String nextCursor) {

    public ProvisioningOperationPage {
        items = items == null ? List.of() : List.copyOf(items);
    }
}
