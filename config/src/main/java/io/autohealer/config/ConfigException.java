package io.autohealer.config;

/**
 * An invalid configuration. The message names the key path and what was expected, and is meant to
 * be shown to the operator as it is (one line, no stack trace).
 */
public class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
