/**
 * Transition checks of SPEC §2.1: artifact documents validated against JSON Schemas (draft 2020-12),
 * and gates, built in or written by a workflow as CEL expressions over the artifacts.
 *
 * <p>{@link io.phasegate.command.gate.ArtifactValidator} reports {@link io.phasegate.command.gate.ArtifactProblem}s,
 * {@link io.phasegate.command.gate.GateEvaluator} reports {@link io.phasegate.command.gate.GateBlocker}s. Both are
 * plain, thread-safe library classes that never throw on bad input: a bad document or expression is a reported
 * problem. Both compile once and cache (schemas per workflow id and version, expressions by their text), and both
 * offer a publish-time check ({@code checkSchema}, {@code checkExpression}) so a workflow with an unusable schema or
 * gate can be refused before any task follows it.
 */
package io.phasegate.command.gate;
