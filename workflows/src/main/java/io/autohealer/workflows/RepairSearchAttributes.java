package io.autohealer.workflows;

import io.temporal.common.SearchAttributeKey;
import java.util.List;

/**
 * Search attributes of a repair, so that a repair can be found in the Web UI or with a visibility
 * query, e.g. {@code RepairCluster="c418" AND RepairPhase="AWAITING_REJOIN"}. Every key here must be
 * registered on the Temporal server (tests, sandbox, docker-compose).
 */
public final class RepairSearchAttributes {
  public static final SearchAttributeKey<String> CLUSTER = SearchAttributeKey.forKeyword("RepairCluster");
  public static final SearchAttributeKey<String> NODE = SearchAttributeKey.forKeyword("RepairNode");
  public static final SearchAttributeKey<String> ROLE = SearchAttributeKey.forKeyword("RepairRole");
  public static final SearchAttributeKey<String> PHASE = SearchAttributeKey.forKeyword("RepairPhase");
  public static final SearchAttributeKey<String> OUTCOME = SearchAttributeKey.forKeyword("RepairOutcome");
  public static final SearchAttributeKey<String> FAILED_CHECK =
      SearchAttributeKey.forKeyword("RepairFailedCheck");

  /** Value of {@link #OUTCOME} while a repair runs. */
  public static final String OUTCOME_RUNNING = "RUNNING";

  public static final List<SearchAttributeKey<String>> ALL =
      List.of(CLUSTER, NODE, ROLE, PHASE, OUTCOME, FAILED_CHECK);

  private RepairSearchAttributes() {}
}
