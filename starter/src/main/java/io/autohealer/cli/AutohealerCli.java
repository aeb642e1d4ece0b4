package io.autohealer.cli;

import io.autohealer.config.ConfigException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The operator CLI: {@code autohealer repairs list|show|pause|resume|approve|cancel}. Exit codes:
 * 0 ok, 1 failure (no such repair, server unreachable, a signal not delivered), 2 bad usage
 * (unknown option, missing argument, invalid config). Errors are one {@code error: ...} line on
 * stderr; answers go to stdout.
 */
@Command(
    name = "autohealer",
    description = "Operator commands of the Magnum auto-healer.",
    subcommands = {RepairsCommand.class},
    footerHeading = "%n", descriptionHeading = "%n", parameterListHeading = "%nParameters:%n",
    optionListHeading = "%nOptions:%n", commandListHeading = "%nCommands:%n",
    footer = AutohealerCli.EXIT_CODES)
public final class AutohealerCli {
  static final String EXIT_CODES =
      "Exit codes: 0 ok, 1 failure (e.g. no such repair, server unreachable), 2 bad usage.";

  /** Help text width when the terminal's cannot be found (and at least this much when it can). */
  static final int USAGE_WIDTH = 100;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  final Backends backends;
  final PrintWriter out;
  final PrintWriter err;

  public AutohealerCli(Backends backends, PrintWriter out, PrintWriter err) {
    this.backends = backends;
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      // Before the first logger: the CLI logs warnings only, to stderr.
      System.setProperty("logback.configurationFile", "logback-cli.xml");
    }
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = new AutohealerCli(Backends.production(), out, err).execute(args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs one command line; returns the exit code. */
  public int execute(String... args) {
    CommandLine cli = commandLine();
    try {
      return cli.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  CommandLine commandLine() {
    CommandLine cli = new CommandLine(this);
    cli.setOut(out);
    cli.setErr(err);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setUsageHelpWidth(USAGE_WIDTH);
    cli.setUsageHelpAutoWidth(true);
    cli.setParameterExceptionHandler((e, args) -> {
      err.println("error: " + e.getMessage());
      err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
      err.flush();
      return CommandLine.ExitCode.USAGE;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof ConfigException) {
        err.println("error: " + e.getMessage());
        err.flush();
        return CommandLine.ExitCode.USAGE;
      }
      if (e instanceof CliFailure) {
        err.println("error: " + e.getMessage());
      } else {
        err.println("error: " + e.getClass().getSimpleName() + ": " + Failures.rootMessage(e));
        if (System.getenv("AUTOHEALER_DEBUG") != null) {
          e.printStackTrace(err);
        }
      }
      err.flush();
      return CommandLine.ExitCode.SOFTWARE;
    });
    return cli;
  }
}
