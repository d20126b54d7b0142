package dev.loracurve.service;

import dev.loracurve.core.eval.EvalMethod;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.proto.v1.ExperimentSpec;
import java.util.Map;

/**
 * What each team may ask for (loracurve.quota.*): experiments running at once, optima per
 * experiment, optimizer steps per stage, and tokens per spec (the tokens its training and curve
 * fitting process at most). A team without an entry of its own gets the defaults.
 */
public record Quotas(Quota defaults, Map<String, Quota> teams) {

    /** One team's quota. */
    public record Quota(int maxRunning, int maxK, int maxSteps, long maxTokens) {
        /** Without configuration: 4 experiments at once, K <= 8, 20,000 steps, 10^10 tokens. */
        public static final Quota DEFAULT = new Quota(4, 8, 20_000, 10_000_000_000L);
    }

    public Quota of(String team) {
        return teams.getOrDefault(team, defaults);
    }

    /** QuotaExceededException naming the first limit that {@code spec} would pass for {@code team}. */
    public void check(String team, ExperimentSpec spec, long running) {
        Quota q = of(team);
        if (running >= q.maxRunning()) {
            throw new QuotaExceededException(
                    "max-running",
                    team,
                    "quota of team " + team + ": max-running = " + q.maxRunning() + " experiments at once, and "
                            + running + " are queued or running");
        }
        over(team, "max-k", spec.getK(), q.maxK(), "optima (spec.k)");
        over(
                team,
                "max-steps",
                Math.max(spec.getTrainer().getSteps(), spec.getCurve().getSteps()),
                q.maxSteps(),
                "steps (spec.trainer.steps, spec.curve.steps)");
        over(team, "max-tokens", tokens(spec), q.maxTokens(), "tokens of training and curve fitting");
    }

    private static void over(String team, String limit, long asked, long allowed, String what) {
        if (asked > allowed) {
            throw new QuotaExceededException(
                    limit,
                    team,
                    "quota of team " + team + ": " + limit + " = " + allowed + " " + what + ", the spec asks for "
                            + asked);
        }
    }

    /**
     * The tokens a spec processes at most: K · steps · batch · accumulation · max length for the
     * trainer, plus steps · batch · points per step · max length for a curve.
     */
    public static long tokens(ExperimentSpec s) {
        long length = s.getTask().getMaxLength() == 0
                ? TaskData.DEFAULT_MAX_LENGTH
                : s.getTask().getMaxLength();
        long train = (long) s.getK()
                * s.getTrainer().getSteps()
                * s.getTrainer().getBatchSize()
                * Math.max(1, s.getTrainer().getGradAccumulation())
                * length;
        long points = Math.max(
                1, Math.max(s.getCurve().getPointsPerStep(), s.getCurve().getJsPoints()));
        long curve = EvalMethod.CURVE.in(s.getEval().getMethodsList())
                ? (long) s.getCurve().getSteps() * s.getCurve().getBatchSize() * points * length
                : 0;
        return train + curve;
    }
}
