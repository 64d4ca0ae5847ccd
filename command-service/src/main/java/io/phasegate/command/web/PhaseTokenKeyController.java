package io.phasegate.command.web;

import io.phasegate.command.token.PhaseTokenKeys;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.OperatorPolicy;
import io.phasegate.platform.web.ApiException;
import io.phasegate.platform.web.BlockingExecutor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * Operator endpoints for the phase-token key ring (SPEC §2.3 key rotation): rotate makes a new key active (tokens
 * signed with older keys keep verifying), retire removes an older key (its tokens stop verifying at once). The ring
 * is persisted to the key file; other command-service instances read it at start, so rotate on one instance and
 * restart the others (documented in the README).
 */
@RestController
class PhaseTokenKeyController {

    private final PhaseTokenKeys keys;
    private final OperatorPolicy operators;
    private final BlockingExecutor blocking;

    PhaseTokenKeyController(PhaseTokenKeys keys, OperatorPolicy operators, BlockingExecutor blocking) {
        this.keys = keys;
        this.operators = operators;
        this.blocking = blocking;
    }

    @Operation(summary = "Rotate the phase-token signing key (operators)")
    @ApiResponse(responseCode = "200", description = "The key ring.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.PhaseTokenKeyRing.class)))
    @ApiResponse(responseCode = "403", description = "forbidden: operators only.")
    @PostMapping(path = "/api/v1/admin/phase-token-keys/rotate", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Map<String, Object>> rotate(CallerIdentity caller) {
        operators.require(caller);
        return blocking.call(() -> {
            String kid = keys.rotate();
            return ring(kid);
        });
    }

    @Operation(summary = "Retire an older phase-token key (operators)")
    @ApiResponse(responseCode = "200", description = "The key ring.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.PhaseTokenKeyRing.class)))
    @ApiResponse(responseCode = "403", description = "forbidden: operators only.")
    @ApiResponse(responseCode = "404", description = "key_not_found.")
    @ApiResponse(responseCode = "409", description = "key_active: rotate first.")
    @PostMapping(path = "/api/v1/admin/phase-token-keys/{kid}/retire", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Map<String, Object>> retire(@PathVariable String kid, CallerIdentity caller) {
        operators.require(caller);
        return blocking.call(() -> {
            try {
                keys.retire(kid);
            } catch (IllegalArgumentException e) {
                throw ApiException.notFound("key_not_found", "No phase-token key with that kid.");
            } catch (IllegalStateException e) {
                throw new ApiException(HttpStatus.CONFLICT, "key_active",
                        "The active key cannot be retired; rotate first.");
            }
            return ring(keys.activeKid());
        });
    }

    private Map<String, Object> ring(String activeKid) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("active_kid", activeKid);
        body.put("kids", keys.kids());
        return body;
    }
}
