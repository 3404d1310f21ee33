package dev.gpuop.operator.model;

/** Thrown while rendering when the policy cannot be honoured; carries the problem for the status condition. */
public final class PolicyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient PolicyProblem problem;

    public PolicyException(PolicyProblem problem) {
        super(problem.toString());
        this.problem = problem;
    }

    /** The field and message. */
    public PolicyProblem problem() {
        return problem;
    }
}
