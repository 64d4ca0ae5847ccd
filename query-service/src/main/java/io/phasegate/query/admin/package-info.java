/**
 * Projection administration (SPEC §3 "History and replay"): status and progress of query-service's projections,
 * and their rebuild. See {@link io.phasegate.query.admin.ProjectionAdminController} (endpoints, the operator
 * caveat: projections are global, not per organisation) and {@link io.phasegate.query.admin.ProjectionAdmin} (how a
 * rebuild runs, why it re-runs no side effects, several instances).
 *
 * <pre>
 * GET  /api/v1/admin/projections                 → {"items": [status, …], "head": 1234}
 * GET  /api/v1/admin/projections/{name}          → status
 * POST /api/v1/admin/projections/{name}/rebuild  → 202 status, Location: /api/v1/admin/projections/{name}
 *
 * status = {"name": "tasks", "type": "tracking", "running": true, "error": false, "replaying": true,
 *           "caught_up": false, "position": 600, "head": 1234, "replay_end_position": 1200,
 *           "progress_percent": 50.0, "lag": 634,
 *           "segments": [{"segment": 0, "position": 600, "replaying": true, "caught_up": false, "error": false}],
 *           "last_rebuild": {"requested_at": "…", "requested_by": "alice", "requested_by_org": "acme",
 *                            "head_at_request": 1234}}
 * </pre>
 * Errors: 403 {@code forbidden} unless the caller is an admin of an operator organisation
 * ({@code PHASEGATE_OPERATOR_ORG}), 404 {@code projection_not_found}, 409 {@code rebuild_in_progress}, {@code projection_not_resettable},
 * {@code projection_claimed_elsewhere}.
 */
package io.phasegate.query.admin;
