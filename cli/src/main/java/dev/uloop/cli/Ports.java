package dev.uloop.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Checks on port numbers given on the command line. */
final class Ports {
    private Ports() {}

    /** Fails as bad usage (exit 2) for a port outside 0..65535. */
    static void check(CommandSpec spec, int port) {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(),
                    "port " + port + " is out of range; use 1-65535 (0 picks a free one)");
        }
    }
}
