package io.phasegate.command.web;

import io.phasegate.command.token.PhaseTokenKeys;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.time.Duration;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /.well-known/jwks.json}: the public keys that verify phase tokens (public, no identity needed). */
@RestController
class JwksController {

    static final MediaType JWK_SET = MediaType.parseMediaType("application/jwk-set+json");

    private final PhaseTokenKeys keys;

    JwksController(PhaseTokenKeys keys) {
        this.keys = keys;
    }

    @Operation(summary = "The public keys that verify phase tokens")
    @ApiResponse(responseCode = "200", description = "The JWK set (public, cacheable for 5 minutes).",
            content = @Content(mediaType = "application/jwk-set+json", schema = @Schema(implementation = CommandResponses.JsonWebKeySet.class)))
    @GetMapping(path = "/.well-known/jwks.json")
    ResponseEntity<String> jwks() {
        return ResponseEntity.ok()
                .contentType(JWK_SET)
                .cacheControl(CacheControl.maxAge(Duration.ofMinutes(5)).cachePublic())
                .body(keys.publicJwks());
    }
}
