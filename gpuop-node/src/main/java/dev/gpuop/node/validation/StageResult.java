package dev.gpuop.node.validation;

/**
 * One stage's verdict.
 *
 * @param stage the stage
 * @param outcome passed, failed, or not run here (its status file is written all the same, as NVIDIA's validator
 *     does for a check it is told not to run, so that nothing waits on it forever)
 * @param reason why it failed or was not run; what it found when it passed
 */
public record StageResult(ValidationStage stage, Outcome outcome, String reason) {

    /** A stage's outcome. */
    public enum Outcome { PASSED, FAILED, SKIPPED }

    public static StageResult passed(ValidationStage stage, String found) {
        return new StageResult(stage, Outcome.PASSED, found);
    }

    public static StageResult failed(ValidationStage stage, String why) {
        return new StageResult(stage, Outcome.FAILED, why);
    }

    public static StageResult skipped(ValidationStage stage, String why) {
        return new StageResult(stage, Outcome.SKIPPED, why);
    }

    /** Whether its status file should exist. */
    public boolean ready() {
        return outcome != Outcome.FAILED;
    }

    @Override
    public String toString() {
        return stage.id() + " " + outcome.name().toLowerCase(java.util.Locale.ROOT) + ": " + reason;
    }
}
