package io.phasegate.query.provisioning;

import io.phasegate.events.resource.ProvisioningOperationView;

/** The wire values of an operation's status. */
final class ResourceStatuses {

    static final String IN_PROGRESS = ProvisioningOperationView.IN_PROGRESS;
    static final String SUCCEEDED = ProvisioningOperationView.SUCCEEDED;
    static final String FAILED = ProvisioningOperationView.FAILED;

    private ResourceStatuses() {
    }
}
