package dev.gpuop.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest (the Maven version), or "development" when run from classes. */
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String v = GpuopCommand.class.getPackage().getImplementationVersion();
        return new String[] {"gpuop " + (v == null ? "development" : v)};
    }
}
