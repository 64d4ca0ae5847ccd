package io.phasegate.command.web;

import io.phasegate.command.adapter.DockAdapters;
import io.phasegate.command.adapter.DockConnection;
import io.phasegate.command.dock.CredentialValidation;
import io.phasegate.command.dock.DockCredentialSettings;
import io.phasegate.command.dock.DockRotationStarted;
import io.phasegate.command.dock.DockRules;
import io.phasegate.command.idempotency.IdempotentCommands;
import io.phasegate.command.position.CommandSender;
import io.phasegate.events.dock.DeleteDockCommand;
import io.phasegate.events.dock.DockCredentials;
import io.phasegate.events.dock.RegisterDockCommand;
import io.phasegate.events.dock.RotateDockCredentialsCommand;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.Permission;
import io.phasegate.platform.web.ApiException;
import io.phasegate.platform.web.BlockingExecutor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Docks (SPEC §2.6): register, rotate credentials, delete. Provisioning {@code full} is required; every dock is
 * scoped to the caller's organisation (another organisation's dock answers 404 like an unknown one). Credentials are
 * validated through the provider's adapter before registration and are never echoed: not in responses, problems,
 * logs or the request's {@code toString()}.
 */
@RestController
class DockCommandController {

    private final CommandSender commands;
    private final IdempotentCommands idempotent;
    private final ObjectMapper json;
    private final DockAdapters adapters;
    private final CredentialValidation validation;
    private final BlockingExecutor blocking;

    DockCommandController(CommandSender commands, IdempotentCommands idempotent, ObjectMapper json,
                          DockAdapters adapters, CredentialValidation validation, BlockingExecutor blocking) {
        this.commands = commands;
        this.idempotent = idempotent;
        this.json = json;
        this.adapters = adapters;
        this.validation = validation;
        this.blocking = blocking;
    }

    /** Request body of {@code POST /api/v1/docks}; unknown fields are rejected. */
    record RegisterDockRequest(String dockId, String name, String provider, Map<String, String> settings,
                               Map<String, String> credentials) {
        @Override
        public String toString() {
            return "RegisterDockRequest[dockId=" + dockId + ", name=" + name + ", provider=" + provider
                    + ", settings=" + (settings == null ? null : new TreeMap<>(settings)) + ", credentials="
                    + (credentials == null ? null : new TreeMap<>(credentials).keySet() + " (values redacted)") + "]";
        }
    }

    @Operation(summary = "Register a dock (credentials are validated, never echoed)")
    @ApiResponse(responseCode = "201", description = "Registered; Location names the dock.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.DockRegistered.class)))
    @ApiResponse(responseCode = "409", description = "dock_id_taken.")
    @ApiResponse(responseCode = "422", description = "unknown_provider, invalid_settings or credentials_rejected (with adapter_code).")
    @ApiResponse(responseCode = "503", description = "provider_unavailable: the provider could not check the dock now.")
    @PostMapping(path = "/api/v1/docks", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> register(@RequestBody RegisterDockRequest request,
                                            @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key,
                                            CallerIdentity caller) {
        Authorization.require(caller, Permission.Area.PROVISIONING, Permission.Level.FULL);
        validate(request);
        if (adapters.find(request.provider()).isEmpty()) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "unknown_provider",
                    "No adapter for this provider.", Map.of("providers", List.copyOf(adapters.providers())));
        }
        Map<String, Object> fingerprint = new LinkedHashMap<>();
        fingerprint.put("dock_id", request.dockId());
        fingerprint.put("name", request.name());
        fingerprint.put("provider", request.provider());
        fingerprint.put("settings", request.settings() == null ? Map.of() : new TreeMap<>(request.settings()));
        fingerprint.put("credentials_sha256", digest(request.credentials()));
        return idempotent.run(caller, key, "POST /api/v1/docks " + json.writeValueAsString(fingerprint),
                () -> register(request, caller));
    }

    private Mono<ResponseEntity<Map<String, Object>>> register(RegisterDockRequest request, CallerIdentity caller) {
        String dockId = request.dockId() == null ? UUID.randomUUID().toString() : request.dockId();
        Map<String, String> settings = request.settings() == null ? Map.of() : request.settings();
        return blocking.call(() -> {
                    CredentialValidation.Outcome checked = validation.checkSettings(request.provider(), settings);
                    if (checked.valid()) {
                        checked = validation.validate(new DockConnection(dockId, caller.orgId(), request.provider(),
                                settings, 1, request.credentials()));
                        requireValid(checked, "credentials_rejected", "The provider rejected the credentials");
                    } else {
                        requireValid(checked, "invalid_settings", "The provider rejected the settings");
                    }
                    return dockId;
                })
                .flatMap(id -> commands.send(new RegisterDockCommand(id, caller.orgId(), request.name().strip(),
                        request.provider(), settings, new DockCredentials(request.credentials()), caller.subject())))
                .map(position -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("dock_id", dockId);
                    body.put("credential_version", 1);
                    body.put("position", position);
                    return ResponseEntity.created(URI.create("/api/v1/docks/" + dockId)).body(body);
                });
    }

    /** Request body of {@code POST /api/v1/docks/{dock_id}/credentials/rotate}. */
    record RotateCredentialsRequest(Map<String, String> credentials, Integer gracePeriodSeconds) {
        @Override
        public String toString() {
            return "RotateCredentialsRequest[credentials=" + (credentials == null ? null
                    : new TreeMap<>(credentials).keySet() + " (values redacted)") + ", gracePeriodSeconds="
                    + gracePeriodSeconds + "]";
        }
    }

    @Operation(summary = "Rotate a dock's credentials")
    @ApiResponse(responseCode = "202", description = "The rotation started; the candidate is validated in the background.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.DockRotationAccepted.class)))
    @ApiResponse(responseCode = "404", description = "dock_not_found.")
    @ApiResponse(responseCode = "409", description = "rotation_in_progress.")
    @PostMapping(path = "/api/v1/docks/{dockId}/credentials/rotate", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> rotate(@PathVariable String dockId, @RequestBody RotateCredentialsRequest request,
                                          @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key,
                                          CallerIdentity caller) {
        Authorization.require(caller, Permission.Area.PROVISIONING, Permission.Level.FULL);
        requireDockId(dockId);
        FieldProblems problems = new FieldProblems();
        String credentialsProblem = DockRules.credentialsProblem(request.credentials());
        if (credentialsProblem != null) {
            problems.add("credentials", credentialsProblem);
        }
        long maxGrace = DockCredentialSettings.MAX_GRACE.toSeconds();
        if (request.gracePeriodSeconds() != null
                && (request.gracePeriodSeconds() < 0 || request.gracePeriodSeconds() > maxGrace)) {
            problems.add("grace_period_seconds", "must be between 0 and " + maxGrace);
        }
        problems.throwIfAny();
        Map<String, Object> fingerprint = new LinkedHashMap<>();
        fingerprint.put("credentials_sha256", digest(request.credentials()));
        fingerprint.put("grace_period_seconds", request.gracePeriodSeconds());
        Duration grace = request.gracePeriodSeconds() == null ? null : Duration.ofSeconds(request.gracePeriodSeconds());
        return idempotent.run(caller, key, "POST /api/v1/docks/" + dockId + "/credentials/rotate "
                        + json.writeValueAsString(fingerprint),
                () -> notFoundAsDockNotFound(commands.<DockRotationStarted>call(new RotateDockCredentialsCommand(
                        dockId, caller.orgId(), new DockCredentials(request.credentials()), grace, caller.subject())))
                        .map(sent -> {
                            Map<String, Object> body = new LinkedHashMap<>();
                            body.put("dock_id", dockId);
                            body.put("rotation_id", sent.result().rotationId());
                            body.put("candidate_version", sent.result().candidateVersion());
                            body.put("position", sent.position());
                            return ResponseEntity.status(HttpStatus.ACCEPTED).body(body);
                        }));
    }

    @Operation(summary = "Delete a dock")
    @ApiResponse(responseCode = "200", description = "Deleted.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.DockDeleted.class)))
    @ApiResponse(responseCode = "404", description = "dock_not_found (also an already deleted dock).")
    @DeleteMapping(path = "/api/v1/docks/{dockId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> delete(@PathVariable String dockId,
                                          @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key,
                                          CallerIdentity caller) {
        Authorization.require(caller, Permission.Area.PROVISIONING, Permission.Level.FULL);
        requireDockId(dockId);
        return idempotent.run(caller, key, "DELETE /api/v1/docks/" + dockId,
                () -> notFoundAsDockNotFound(commands.send(new DeleteDockCommand(dockId, caller.orgId(),
                        caller.subject())))
                        .map(position -> ResponseEntity.ok(Map.<String, Object>of("dock_id", dockId,
                                "position", position))));
    }

    // ------------------------------------------------------------------------------------------------------------

    private static void validate(RegisterDockRequest request) {
        FieldProblems problems = new FieldProblems();
        problems.pattern("dock_id", request.dockId(), DockRules.DOCK_ID, false);
        String name = DockRules.nameProblem(request.name());
        if (name != null) {
            problems.add("name", name);
        }
        problems.pattern("provider", request.provider(), DockRules.PROVIDER, true);
        String settings = DockRules.settingsProblem(request.settings());
        if (settings != null) {
            problems.add("settings", settings);
        }
        String credentials = DockRules.credentialsProblem(request.credentials());
        if (credentials != null) {
            problems.add("credentials", credentials);
        }
        problems.throwIfAny();
    }

    private static void requireValid(CredentialValidation.Outcome outcome, String code, String what) {
        if (outcome.valid()) {
            return;
        }
        Map<String, Object> extra = Map.of("adapter_code", outcome.code() == null ? "unknown" : outcome.code());
        if (outcome.retryable()) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "provider_unavailable",
                    "The provider could not check the dock now; retry later: " + outcome.reason(), extra);
        }
        throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, code, what + ": " + outcome.reason(), extra);
    }

    private static void requireDockId(String dockId) {
        if (!DockRules.DOCK_ID.matcher(dockId).matches()) {
            throw ApiException.notFound("dock_not_found", "No such dock.");
        }
    }

    /** An unknown dock answers like another organisation's: 404 {@code dock_not_found}. */
    private static <T> Mono<T> notFoundAsDockNotFound(Mono<T> sent) {
        return sent.onErrorMap(DockCommandController::aggregateNotFound,
                e -> ApiException.notFound("dock_not_found", "No such dock."));
    }

    private static boolean aggregateNotFound(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof AggregateNotFoundException) {
                return true;
            }
        }
        return false;
    }

    private static String digest(Map<String, String> credentials) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, String> entry : new TreeMap<>(credentials == null ? Map.<String, String>of()
                    : credentials).entrySet()) {
                sha.update(entry.getKey().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(entry.getValue().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
