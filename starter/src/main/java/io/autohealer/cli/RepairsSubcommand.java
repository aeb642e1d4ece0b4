package io.autohealer.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A leaf of {@code repairs}: the common options, settings resolved, clients opened and closed. The
 * help layout here is picocli's superclass {@code @Command} attributes, which a subclass's own
 * {@code @Command} (name, description) adds to.
 */
@Command(
    sortOptions = false,
    footerHeading = "%n", descriptionHeading = "%n", parameterListHeading = "%nParameters:%n",
    optionListHeading = "%nOptions:%n", commandListHeading = "%nCommands:%n",
    footer = AutohealerCli.EXIT_CODES)
abstract class RepairsSubcommand implements Callable<Integer> {
  @ParentCommand RepairsCommand parent;
  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  @Override
  public final Integer call() {
    validate();
    CliSettings settings;
    try {
      settings = CliSettings.resolve(common, backends());
    } catch (CliSettings.MissingClusterException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    try (Session session = new Session(settings, backends())) {
      return run(session);
    }
  }

  /** Checks the command line beyond what picocli checks; throws {@link ParameterException}. */
  void validate() {}

  abstract int run(Session session);

  ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  Backends backends() {
    return parent.root.backends;
  }

  PrintWriter out() {
    return parent.root.out;
  }

  PrintWriter err() {
    return parent.root.err;
  }

  boolean json() {
    return common.output == Output.json;
  }
}
