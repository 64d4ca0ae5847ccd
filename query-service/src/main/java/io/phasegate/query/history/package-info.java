/**
 * History for auditors (SPEC §3 "History and replay"), read straight from the event store in every storage mode:
 * the JDBC event store's {@code domain_event_entry} ({@link io.phasegate.query.history.JdbcStoredEvents}) or Axon
 * Server ({@link io.phasegate.query.history.AxonServerStoredEvents}, ADR 0013), behind
 * {@link io.phasegate.query.history.StoredEvents}; filtering, organisation isolation, paging and encoding are the same
 * code for both.
 *
 * <h2>{@code GET /api/v1/history/events}</h2>
 * Permission: audit read (roles {@code admin}, {@code auditor}). The caller's organisation's events in global order,
 * one item per event:
 * <pre>
 * {"position": 1042, "event_id": "…", "type": "TaskClaimedEvent",
 *  "payload_type": "io.phasegate.events.task.TaskClaimedEvent", "revision": "1", "aggregate_id": "…",
 *  "aggregate_type": "Task", "sequence": 3, "timestamp": "2025-03-14T09:26:53.589Z",
 *  "metadata": {…}, "payload": {"taskId": "…", "orgId": "acme", …}}
 * </pre>
 * The envelope is snake_case; {@code payload} and {@code metadata} are the stored wire form (the published
 * language, as pinned by the event contract snapshots; the stored {@code revision}, not upcast).
 * <ul>
 *   <li>Filters: {@code aggregate_id}; {@code type} (simple names, repeated or comma-separated);
 *   {@code from_position}/{@code to_position} (inclusive); {@code from_time}/{@code to_time} (ISO-8601 with an
 *   offset, inclusive, compared with the stored event time at its millisecond precision); {@code limit}.</li>
 *   <li>Formats: NDJSON ({@code application/x-ndjson}, the default) or server-sent events
 *   ({@code Accept: text/event-stream}): {@code id:} = position, {@code event: history_event}, the item as
 *   {@code data:}; a final {@code event: end} with {@code {"count", "last_position", "scanned_to_position"}}; a
 *   comment line after 10 s without a match; {@code Last-Event-ID} resumes after that position.</li>
 *   <li>The stream covers the events stored up to the head of the store when the request began (or
 *   {@code to_position}). It is read in pages of {@code phasegate.history.page-size} stored events (default 5,000)
 *   on the blocking scheduler, at most one page ahead of what the client has taken, and sent in chunks of about
 *   64 KB, so memory is bounded per request (a few MB), never by the history's length. With Axon Server a page is
 *   read from one event stream per request (buffer: one page, at most 10,000 events), closed when the response
 *   ends, also when the client goes away.</li>
 *   <li>Organisation isolation: by the payload's top-level {@code orgId}, checked for every stored event in the
 *   range (see {@link io.phasegate.query.history.EventHistory}); an event naming no organisation is never sent.</li>
 * </ul>
 *
 * <h2>{@code GET /api/v1/history/tasks/{task_id}?as_of_position=P | as_of_time=T}</h2>
 * Permission: tasks read or audit read (every default role). The task's main fields after the last of its events at
 * or before P (a global position) or T (a time): exactly one of the two. Computed by folding the task aggregate's
 * stored events with {@link io.phasegate.query.task.TaskFold}, the function the task projection computes its rows
 * with. 404 {@code task_not_found} for another organisation's task and for a task that did not exist yet.
 * <pre>
 * {"task_id", "org_id", "project_id", "title", "description", "status", "phase", "claimed_by", "lease_expires_at",
 *  "token_generation", "workflow_id", "workflow_version", "depends_on", "required_capabilities", "priority",
 *  "created_by", "created_at", "updated_at", "blockers", "completed_at", "cancelled_at", "created_position",
 *  "position", "as_of_position", "as_of_time", "events_applied"}
 * </pre>
 * {@code position} is the exact global position of the last event folded in. The projection records the position
 * of its tracking token, which is the same except for an event that filled a gap of the global index (committed
 * after a later one had been read): there the projection records the later position.
 */
package io.phasegate.query.history;
