package dev.gpuop.cli.doctor;

/**
 * One step of the seed's flow as {@code gpuop doctor} found it.
 *
 * @param area {@code host} or {@code cluster}
 * @param step the step's stable id ({@code nvml}, {@code containerd-handler}, {@code runtime-class}, ...)
 * @param result what was found
 * @param evidence what was looked at and what it showed
 * @param fix what to do, naming the file, flag or command; null when nothing needs doing
 */
public record Finding(String area, String step, Result result, String evidence, String fix) {

    /** A step's result; only FAIL makes the command exit non-zero. */
    public enum Result { PASS, FAIL, WARN, SKIP }

    static Finding pass(String area, String step, String evidence) {
        return new Finding(area, step, Result.PASS, evidence, null);
    }

    static Finding fail(String area, String step, String evidence, String fix) {
        return new Finding(area, step, Result.FAIL, evidence, fix);
    }

    static Finding warn(String area, String step, String evidence, String fix) {
        return new Finding(area, step, Result.WARN, evidence, fix);
    }

    static Finding skip(String area, String step, String why) {
        return new Finding(area, step, Result.SKIP, why, null);
    }
}
