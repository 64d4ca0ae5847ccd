package io.phasegate.command.web;

import java.util.Map;

/** Test access to the dock controller's package-private request records. */
public class DockRequestsAccess {

    public String registerRequestToString(String secret) {
        return new DockCommandController.RegisterDockRequest("d", "n", "p", Map.of("region", "eu"),
                Map.of("api_key", secret)) + " "
                + new DockCommandController.RotateCredentialsRequest(Map.of("api_key", secret), 5);
    }
}
