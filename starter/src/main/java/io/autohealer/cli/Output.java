package io.autohealer.cli;

/** How a command prints its answer. */
public enum Output {
  /** Readable tables and key: value lines. */
  table,
  /** One JSON document on stdout. */
  json
}
