package io.autohealer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code autohealer repairs ...}. */
@Command(
    name = "repairs",
    description = {
      "List, show, pause, resume, approve and cancel the node repairs of a cluster (one Temporal "
          + "workflow repair-<cluster>-<node> per node), and pause or resume the healer for the whole cluster.",
      "",
      RepairsCommand.FINDING
    },
    subcommands = {
      ListCommand.class,
      ShowCommand.class,
      NodeActionCommand.Pause.class,
      NodeActionCommand.Resume.class,
      NodeActionCommand.Approve.class,
      NodeActionCommand.Cancel.class
    },
    footerHeading = "%n", descriptionHeading = "%n", parameterListHeading = "%nParameters:%n",
    optionListHeading = "%nOptions:%n", commandListHeading = "%nCommands:%n",
    footer = AutohealerCli.EXIT_CODES)
final class RepairsCommand {
  static final String FINDING =
      "Finding repairs (list, pause --all, resume --all): a visibility query RepairCluster=\"<cluster>\" when the "
          + "Temporal server supports it (any real server, the Temporal CLI's dev server); when it answers "
          + "UNIMPLEMENTED (the Java test server of the sandbox), the cluster's Nodes are listed through Kubernetes "
          + "and repair-<cluster>-<node> is described for each (and for each --node given). "
          + "list says which was used.";

  @ParentCommand AutohealerCli root;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;
}
