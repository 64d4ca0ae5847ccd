package io.phasegate.command.web;

import io.phasegate.command.crypto.EnvelopeEncryption;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.OperatorPolicy;
import io.phasegate.platform.web.BlockingExecutor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * Operator endpoints for the master keys that wrap the docks' data keys (SPEC §2.6, docs/adr/0009-dock-credentials.md):
 * <ul>
 *   <li>{@code POST /api/v1/admin/master-keys/rotate}: appends a new master key version to the key file, makes it
 *   current and rewraps every live data key with it;</li>
 *   <li>{@code POST /api/v1/admin/master-keys/rewrap}: rewraps the live data keys that the current version does not
 *   wrap yet (after a failed or interrupted rewrap, or a rotation made by another instance).</li>
 * </ul>
 * Both answer {@code master_key_version} and the counts {@code rewrapped}, {@code already_current},
 * {@code destroyed_skipped} and {@code failed}. Only operators may call them.
 */
@RestController
class MasterKeyController {

    private final EnvelopeEncryption encryption;
    private final OperatorPolicy operators;
    private final BlockingExecutor blocking;

    MasterKeyController(EnvelopeEncryption encryption, OperatorPolicy operators, BlockingExecutor blocking) {
        this.encryption = encryption;
        this.operators = operators;
        this.blocking = blocking;
    }

    @Operation(summary = "Rotate the master key (operators)")
    @ApiResponse(responseCode = "200", description = "The new version and the rewrap counts.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.MasterKeyRotation.class)))
    @ApiResponse(responseCode = "403", description = "forbidden: operators only.")
    @PostMapping(path = "/api/v1/admin/master-keys/rotate", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Map<String, Object>> rotate(CallerIdentity caller) {
        operators.require(caller);
        return blocking.call(() -> {
            int previous = encryption.currentMasterKeyVersion();
            encryption.rotateMasterKey();
            Map<String, Object> body = new LinkedHashMap<>(encryption.rewrapAll().toBody());
            body.put("previous_master_key_version", previous);
            return body;
        });
    }

    @Operation(summary = "Rewrap the data keys with the current master key (operators)")
    @ApiResponse(responseCode = "200", description = "The rewrap counts.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.MasterKeyRewrap.class)))
    @ApiResponse(responseCode = "403", description = "forbidden: operators only.")
    @PostMapping(path = "/api/v1/admin/master-keys/rewrap", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Map<String, Object>> rewrap(CallerIdentity caller) {
        operators.require(caller);
        return blocking.call(() -> encryption.rewrapAll().toBody());
    }
}
